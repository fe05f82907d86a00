// DataLayer ("Data"): streams Datum records from an LMDB or LevelDB database.
//
// Tops: data N x C x H x W (C x H x W after transform_param's crop), and an
// optional label N. Records may hold raw pixels (uint8 or float) or an
// encoded image (PNG, JPEG, ...); the first record fixes the shape at setup
// and the first record of each batch fixes that batch's shape. Records are
// read in key order from the first, starting again at the first after the
// last. As in Caffe 1.0, rand_skip is accepted but ignored (only the older
// Data layer and ImageData honour it), and the only random draws are the
// transformer's seeds and the prefetch thread's seed.
//
// Threads: a DataReader thread reads records, the prefetch thread decodes and
// transforms them into batches. A record that cannot be used (not a Datum,
// wrong byte count, undecodable image, shape unlike the rest of its batch)
// throws DataError naming the layer, the database and the record's key, from
// the Forward that would have returned it. A missing database throws IOError
// from SetUp.
#pragma once

#include <memory>
#include <vector>

#include "caffe/augment/augmenter.hpp"
#include "caffe/data/data_reader.hpp"
#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class DataLayer : public BasePrefetchingDataLayer<Dtype> {
 public:
  explicit DataLayer(const LayerParameter& param);
  ~DataLayer() override;
  void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                      const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Data"; }
  int ExactNumBottomBlobs() const override { return 0; }
  int MinTopBlobs() const override { return 1; }
  // A third top holds the sampled augmentation parameters (emit_params).
  int MaxTopBlobs() const override { return 3; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void load_batch(Batch<Dtype>* batch) override;
  void SkipBatches(int64_t batches) override;

 private:
  // Parses one record; DataError naming the key when it is not a Datum.
  void ParseRecord(const DBRecord& record, Datum* datum) const;
  // Records the reader keeps ready: all the prefetched batches' worth.
  int ReadAhead() const;
  // "database <source>, record '<key>': ".
  string RecordContext(const string& key) const;

  // The image the transformer sees for the current record: decoded, then
  // augmented (keyed by seed, epoch, DB key, slot 0) when the layer has an
  // augmentation_param. Writes the sampled parameters to `params` if given.
  cv::Mat AugmentedRecordImage(float* params);

  std::unique_ptr<DataReader> reader_;
  std::unique_ptr<augment::Augmenter> augmenter_;
  augment::AugmentedImage augmented_;
  // Sampled augmentation parameters of each prefetch batch (emit_params).
  // Entries are created at setup; afterwards a batch's entry is only touched
  // by whichever thread owns that batch.
  map<const Batch<Dtype>*, Blob<Dtype>> batch_params_;
  DBRecord record_;
  Datum datum_;
};

}  // namespace caffe
