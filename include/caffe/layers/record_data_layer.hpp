// RecordDataLayer: the one design behind the layers that stream records -
// Data (Datum), TripletData (TripletDatum) and ImageData (image list lines).
// A concrete layer says where its records come from (a RecordSource: a
// database, a list file), what they hold (a RecordFormat) and how its tops
// are laid out; everything else is shared:
//
//   source (DataReader thread) -> prefetch thread: collect batch_size usable
//   records, decoding them on a pool of decode workers -> per image, on the
//   workers: augmentation_param, then transform_param -> the batch.
//
// Tops: the image top(s), then an optional label top, then (with
// augmentation_param { emit_params: true }, which needs the label top) the
// sampled augmentation parameters, one row of SampledParams::kVectorSize
// values per image: N x kVectorSize for one-image records, N x S x
// kVectorSize for S images per record.
//
// Determinism: batches are the same whatever the number of decode workers
// and the prefetch depth, and resuming (SkipForwardPasses) reproduces the
// uninterrupted run exactly:
//   - augmentation draws depend only on (random_seed, epoch, record key,
//     slot) - see augment/augmenter.hpp;
//   - transform_param's draws (mirror coin, crop row, crop column) come from
//     one generator, seeded as upstream seeds its transformer, in stream
//     order: record by record, slot by slot, DataTransformer::DrawsPerItem()
//     each. The prefetch thread takes them before handing the images to the
//     workers, so each image carries its own draws - and a Data layer draws
//     exactly what upstream Caffe's would.
// At setup the layer takes upstream's random draws from the caller's
// generator, in upstream's order: a transformer seed (when transform_param
// is random), the source's own draws (ImageData's shuffle seed and
// rand_skip), an unseeded augmentation_param's seed (augmentation_seed.hpp),
// the transformer seed again, and the prefetch thread's seed.
//
// Bad records (not parseable, undecodable, wrong byte count, a shape unlike
// the reference, a label count unlike the first record's): with
// on_bad_record FAIL (default) the Forward that would return the record
// throws DataError naming the layer, the source, the key and the problem;
// with SKIP the record is passed over, counted (skipped_records()) and the
// count logged every time it doubles. The first record must be usable: it
// shapes the tops. With SKIP, resuming replays the skipped batches' records
// (a decode of each) to learn how many were bad.
//
// Threads: the reader thread, the prefetch thread and `num_threads` decode
// workers (0: one per core), all owned by the layer; destroying it stops
// them wherever they are.
#pragma once

#include <memory>
#include <vector>

#include "caffe/data/data_reader.hpp"
#include "caffe/data/record_format.hpp"
#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

template <typename Dtype>
class RecordPipeline;

// How a concrete record layer is configured (from its own parameter message).
struct RecordLayerSettings {
  // The layer's parameter message, for messages ("data_param").
  string param_name;
  string source;
  int batch_size = 0;
  int prefetch = 0;
  // Decode workers; 0: one per core.
  int num_threads = 0;
  DataParameter::BadRecordPolicy on_bad_record = DataParameter::FAIL;
  // true: every record must give the first record's item shape (the shape
  // of the tops is fixed at setup); false: each batch takes the shape of its
  // first record, as upstream's Data and ImageData layers do.
  bool fixed_shape = false;
  // Where image `slot` of batch item `item` goes in the data blob: ITEM_MAJOR
  // gives N x (S C) x H x W (item, then slot), SLOT_MAJOR (S N) x C x H x W
  // (all items' slot 0, then slot 1, ...). Alike for one image per record.
  enum Layout { ITEM_MAJOR, SLOT_MAJOR };
  Layout layout = ITEM_MAJOR;
  // true: the label top is N (one label per record, upstream's shape);
  // false: N x L, L labels per record (L set by the first record).
  bool scalar_labels = true;
  // Tops that show the images (more than one when a layer splits the data
  // blob, e.g. TripletData's SEPARATE layout).
  int image_tops = 1;
  // The database's backend, for layers that read one.
  DataParameter::DB backend = DataParameter::LMDB;
};

// The settings every record layer's parameter message carries under the
// same names (source, batch_size, prefetch, num_threads, on_bad_record).
template <typename Message>
RecordLayerSettings CommonRecordSettings(const string& param_name, const Message& message) {
  RecordLayerSettings settings;
  settings.param_name = param_name;
  settings.source = message.source();
  settings.batch_size = static_cast<int>(message.batch_size());
  settings.prefetch = static_cast<int>(message.prefetch());
  settings.num_threads = static_cast<int>(message.num_threads());
  settings.on_bad_record = message.on_bad_record();
  return settings;
}

// Where a layer's records come from.
struct RecordSource {
  // Names the source in messages ("database /data/train_lmdb").
  string description;
  DataReader::Opener open;
  // Records passed over before the first batch (ImageData's rand_skip).
  uint64_t first_record = 0;
};

template <typename Dtype>
class RecordDataLayer : public BasePrefetchingDataLayer<Dtype> {
 public:
  // `format` decodes the layer's records.
  RecordDataLayer(const LayerParameter& param, const RecordLayerSettings& settings,
                  std::unique_ptr<RecordFormat> format);
  ~RecordDataLayer() override;
  void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                      const vector<Blob<Dtype>*>& top) override;
  int ExactNumBottomBlobs() const override { return 0; }
  // The image top(s), an optional label top, a params top (emit_params).
  int MinTopBlobs() const override { return settings_.image_tops; }
  int MaxTopBlobs() const override { return settings_.image_tops + 2; }

  // Records passed over as bad so far (on_bad_record SKIP); thread-safe.
  int64_t skipped_records() const;
  // Decode workers in use (num_threads, or the core count for 0).
  int num_workers() const;

 protected:
  // Called once during setup, where upstream takes the layer's own random
  // draws. By default: the database settings_.source, in key order.
  virtual RecordSource OpenSource();

  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void load_batch(Batch<Dtype>* batch) override;
  void SkipBatches(int64_t batches) override;

  const RecordLayerSettings settings_;
  bool output_labels_ = false;

 private:
  const std::unique_ptr<const RecordFormat> format_;
  std::unique_ptr<RecordPipeline<Dtype>> pipeline_;
  // With several image tops: the batch's data blob, which they split.
  Blob<Dtype> stacked_;
};

}  // namespace caffe
