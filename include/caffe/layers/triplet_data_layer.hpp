// TripletDataLayer ("TripletData"): streams TripletDatum records (anchor,
// positive and negative image plus any number of float labels) from an LMDB
// or LevelDB database, for training embeddings with TripletLoss.
//
// Tops, by triplet_data_param.layout (N = batch_size, L = labels per record):
//   STACKED  (default): data 3N x C x H x W - the N anchors, then the N
//            positives, then the N negatives - so one shared tower embeds
//            all three and a Slice along axis 0 separates them;
//   CHANNELS: data N x 3C x H x W (anchor, positive, negative channels);
//   SEPARATE: anchor, positive, negative, each N x C x H x W;
// then an optional label top N x L. C x H x W is fixed at setup by the first
// record (after transform_param's crop); every later record must match it,
// and carry the same number of labels.
//
// Images are raw planar uint8 (channels x height x width bytes each) or
// encoded (PNG, JPEG, ...; force_color/force_gray choose how they decode -
// from triplet_data_param or transform_param). transform_param applies to
// each image as in the Data layer (scale, mean_file/mean_value, crop: random
// in TRAIN and centred in TEST, mirror).
//
// Determinism: a batch is the same whatever num_threads and prefetch are.
// The prefetch thread draws one 32-bit seed per batch, in order, from a
// generator seeded at setup (one caffe_rng_rand() from the thread calling
// SetUp); the random draws of the image in (item, slot) - item 0..N-1 in the
// batch, slot 0 anchor / 1 positive / 2 negative - come from a generator
// seeded by mixing (batch seed, item, slot), in the Data layer's order
// (mirror coin, crop row, crop column). Resuming (SkipForwardPasses) moves
// the record stream and the batch-seed generator on, so it reproduces the
// uninterrupted run.
//
// Bad records (not a TripletDatum, wrong byte count, undecodable image,
// images of different sizes within the record or unlike the layer's, a label
// count unlike the layer's): with on_bad_record FAIL (default) the Forward
// that would return the record throws DataError naming the layer, database,
// key and the problem; with SKIP the record is passed over, counted
// (skipped_records()) and the count is logged every time it doubles. With
// SKIP, resuming replays the skipped batches' records to find out how many
// were bad, so it costs a decode of each skipped record.
//
// Threads: a DataReader thread reads records; the prefetch thread assembles
// batches, decoding and transforming the images on a pool of
// triplet_data_param.num_threads workers (0 = one per hardware core) owned by
// the layer. Destroying the layer stops all of them.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "caffe/augment/augmenter.hpp"
#include "caffe/data/data_reader.hpp"
#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

class WorkerPool;
template <typename Dtype>
class SeededTransformer;

// Where one image of a batch comes from, for per-image processing.
struct TripletImageContext {
  uint32_t batch_seed;
  // Batches loaded before this one since the start of the stream.
  int64_t batch_index;
  // Position in the batch (0..N-1) and image within the triplet
  // (0 anchor, 1 positive, 2 negative).
  int item;
  int slot;
  // The seed of this image's random draws (crop, mirror).
  uint32_t image_seed;
  const string* record_key;
  // Laps the reader had completed over the database before this record.
  uint64_t epoch;
};

template <typename Dtype>
class TripletDataLayer : public BasePrefetchingDataLayer<Dtype> {
 public:
  explicit TripletDataLayer(const LayerParameter& param);
  ~TripletDataLayer() override;
  void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                      const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "TripletData"; }
  int ExactNumBottomBlobs() const override { return 0; }
  int MinTopBlobs() const override { return 1; }
  int MaxTopBlobs() const override { return 4; }

  // Records passed over as bad so far (on_bad_record SKIP); thread-safe.
  int64_t skipped_records() const { return skipped_records_.load(); }
  // Decode workers actually used (num_threads, or the core count for 0).
  int num_workers() const;

  // One parsed and decoded record (internal to load_batch; public so the
  // implementation's helpers can name it).
  struct Decoded {
    string key;
    uint64_t epoch = 0;
    cv::Mat images[3];
    vector<float> labels;
    bool encoded = false;
    // Empty when the record is usable; otherwise what is wrong with it.
    string problem;
  };

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void load_batch(Batch<Dtype>* batch) override;
  void SkipBatches(int64_t batches) override;

 private:
  int batch_size() const;
  int ReadAhead() const;
  string RecordContext(const string& key) const;
  // Parses and decodes one record into *out (problem set when unusable).
  void DecodeRecord(const DBRecord& record, Decoded* out) const;
  // Checks a decoded record against the layer's image shape and label count.
  void CheckAgainstLayer(Decoded* decoded) const;
  // Reads records until `batch_size()` usable ones are decoded (FAIL: throws
  // at the first bad one). `records` gets them in stream order.
  void CollectRecords(vector<Decoded>* records);
  // The per-image step, run on decode worker `worker`: one decoded uint8
  // H x W x C image -> augmentation_param (keyed by seed, epoch, record key
  // and slot) -> transform_param -> its place in the batch.
  void TransformImage(const TripletImageContext& context, const cv::Mat& image, int worker,
                      Dtype* output);
  // Offset, in Dtype elements, of image (item, slot) in the batch's data.
  int ImageOffset(int item, int slot) const;
  void CountSkipped(const Decoded& decoded);

  std::unique_ptr<DataReader> reader_;
  std::unique_ptr<WorkerPool> pool_;
  // One transformer per worker: transformers are not thread-safe.
  vector<std::unique_ptr<SeededTransformer<Dtype>>> transformers_;
  std::unique_ptr<augment::Augmenter> augmenter_;
  // One output buffer per worker for the augmenter.
  vector<augment::AugmentedImage> augmented_;
  Caffe::rng_t batch_seed_rng_;
  uint32_t batch_seed_base_ = 0;
  int64_t batch_index_ = 0;
  // Image shape C x H x W before the crop, and the transformed item shape.
  int channels_ = 0, height_ = 0, width_ = 0;
  vector<int> item_shape_;
  int label_count_ = 0;
  bool force_color_ = false, force_gray_ = false;
  int num_image_tops_ = 1;
  std::atomic<int64_t> skipped_records_{0};
  int64_t next_skip_report_ = 1;
  // SEPARATE layout: the stacked batch the three tops alias.
  Blob<Dtype> stacked_;
  vector<Decoded> records_;
};

}  // namespace caffe
