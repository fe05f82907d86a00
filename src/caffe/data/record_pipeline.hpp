// RecordPipeline<Dtype>: the batches of a RecordDataLayer - reading,
// decoding, checking, augmenting and transforming records - as that layer's
// header (include/caffe/layers/record_data_layer.hpp) describes them.
// Internal to the data layers.
//
// Threads: built and SetUp on the layer's setup thread; LoadBatch and
// SkipBatches then run on one thread at a time (the prefetch thread, or the
// layer's owner while the prefetch thread is stopped). The decode workers it
// owns run the per-record and per-image steps; what one worker uses (its
// transformer, augmentation buffer, output view) is indexed by the worker.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "caffe/augment/augmenter.hpp"
#include "caffe/data/views.hpp"
#include "caffe/layers/record_data_layer.hpp"
#include "caffe/util/worker_pool.hpp"

namespace caffe {

template <typename Dtype>
class ReplayTransformer;
class JpegDecoder;

// Decode workers for a num_threads setting (0: one per core).
int DecodeWorkers(int num_threads);

template <typename Dtype>
class RecordPipeline {
 public:
  // `layer` names the pipeline in messages; it and `format` outlive the
  // pipeline. The batch's
  // blobs are data, then the labels (output_labels), then the sampled
  // augmentation parameters (augmentation_param.emit_params).
  RecordPipeline(const BaseDataLayer<Dtype>& layer, const LayerParameter& param,
                 const RecordLayerSettings& settings, const RecordFormat& format,
                 bool output_labels);
  ~RecordPipeline();
  DISABLE_COPY_AND_ASSIGN(RecordPipeline);

  // Takes the setup's random draws (see the layer's header; `open_source`
  // takes the source's own), starts reading, and checks the first record,
  // which fixes the shapes below.
  void SetUp(const std::function<RecordSource()>& open_source);

  // The blobs of a batch of the first record's shape.
  vector<int> DataShape() const { return DataShape(layer_item_shape_); }
  vector<int> LabelShape() const;
  vector<int> ParamsShape() const;
  bool emits_params() const;
  int workers() const { return pool_->workers(); }
  int64_t skipped_records() const { return skipped_records_.load(); }

  // Fills the batch's blobs (reshaping the data blob to the batch's shape).
  void LoadBatch(Batch<Dtype>* batch);
  // Restarts the stream so that the next LoadBatch gives what the
  // `batches`-th batch after the first would have been.
  void SkipBatches(int64_t batches);

 private:
  vector<int> DataShape(const vector<int>& item_shape) const;
  // Items of a batch: each record once per view.
  int items() const { return settings_.batch_size * static_cast<int>(views_.size()); }
  // Starts a reader `records` records past the source's first record.
  void StartReader(uint64_t records);
  // "<source>, record '<key>': ".
  string RecordWhere(const string& key) const;
  // The shape {1, C, H, W} the record's images transform to, or why they
  // cannot be transformed (returned; empty when fine).
  string ItemShape(const DecodedRecord& record, int worker, vector<int>* shape) const;
  // Why an otherwise usable record does not fit the batch (empty if it does).
  string Mismatch(const DecodedRecord& record, const vector<int>& shape) const;
  // Reads records until batch_size usable ones are in records_ (in stream
  // order), decoding on the workers; FAIL throws at the first bad one.
  void CollectRecords();
  void CountSkipped(const DecodedRecord& record);
  // Offset in the data blob of image `slot` of batch item `item`.
  int ImageOffset(int item, int slot, const vector<int>& item_shape) const;
  // Image `slot` of record `record`, on worker `worker`: augmentation_param,
  // then transform_param with the image's `draws`, then each view into the
  // record's items of `data`; its sampled parameters into `params` (one row
  // per item) when given.
  void TransformImage(int record, int slot, const uint32_t* draws, int worker,
                      const vector<int>& item_shape, Dtype* data, Dtype* params);
  // A deferred image (transform_param only) into its item `out`: decodes
  // only the rows and columns of its crop and transforms them as they come.
  void TransformDeferred(const DeferredImage& image, const uint32_t* draws, int worker,
                         Dtype* out, const vector<int>& item_shape);

  const BaseDataLayer<Dtype>& layer_;
  const RecordLayerSettings settings_;
  const RecordFormat& format_;
  const Phase phase_;
  const bool output_labels_;
  const bool has_augmentation_;
  const AugmentationParameter augmentation_param_;
  const vector<View> views_;
  // Whether the views are only the identity (then images go straight to
  // their place in the batch).
  const bool identity_view_;
  // Whether records are decoded lazily (RecordFormat::DecodeDeferred): with
  // transform_param only (the crop is all that is needed of an image) and
  // on_bad_record FAIL (an image whose pixels turn out undecodable then
  // fails the batch as it would have when read, so no batch differs).
  const bool defer_decoding_;

  RecordSource source_;
  std::unique_ptr<DataReader> reader_;
  std::unique_ptr<WorkerPool> pool_;
  // Per worker: transformers are not thread-safe.
  vector<std::unique_ptr<ReplayTransformer<Dtype>>> transformers_;
  vector<std::unique_ptr<JpegDecoder>> jpeg_decoders_;
  vector<augment::AugmentedImage> augmented_;
  vector<std::unique_ptr<Blob<Dtype>>> item_views_;
  // The transformed image before the views are taken (with views only).
  vector<std::unique_ptr<Blob<Dtype>>> transformed_;
  std::unique_ptr<augment::Augmenter> augmenter_;

  // transform_param's draws: one stream, DrawsPerItem() per image.
  int draws_per_image_ = 0;
  uint32_t transform_seed_ = 0;
  Caffe::rng_t transform_rng_;
  vector<uint32_t> draws_;

  // Set by the first record.
  vector<int> layer_item_shape_;
  int label_count_ = 0;

  // The batch being collected: its records and shape.
  vector<DecodedRecord> records_;
  vector<int> batch_item_shape_;
  vector<RawRecord> raw_;
  vector<DecodedRecord> decoded_;
  vector<vector<int>> decoded_shapes_;

  std::atomic<int64_t> skipped_records_{0};
  int64_t next_skip_report_ = 1;
};

}  // namespace caffe
