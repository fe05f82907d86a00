// Base classes of the layers that produce data (no bottoms).
//
// BaseDataLayer: reads transform_param, builds the DataTransformer, decides
// whether a label top exists (two tops) and leaves the rest to
// DataLayerSetUp(). Data layers have no backward pass.
//
// BasePrefetchingDataLayer: a background thread fills a ring of
// data_param.prefetch (default 4) Batches through the virtual load_batch();
// Forward_cpu hands the next full batch to the tops without copying (the tops
// alias the batch's memory until the next Forward) and recycles the previous
// one. Subclasses implement DataLayerSetUp (shape tops and prefetch_ batches)
// and load_batch (fill one batch, on the prefetch thread).
//
// Errors: an exception thrown by load_batch stops the prefetch thread and is
// rethrown, with its original type, by the next Forward and every one after.
//
// Lifetime: a subclass whose load_batch uses its own members must call
// this->StopInternalThread() first thing in its destructor. Destroying the
// layer at any moment (during setup, with batches in flight, after an error)
// stops the thread cleanly. The tops alias batch memory, so they must not be
// read after the layer is destroyed.
#pragma once

#include <exception>
#include <memory>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/data/data_transformer.hpp"
#include "caffe/layer.hpp"
#include "caffe/util/blocking_queue.hpp"
#include "caffe/util/internal_thread.hpp"

namespace caffe {

template <typename Dtype>
class BaseDataLayer : public Layer<Dtype> {
 public:
  explicit BaseDataLayer(const LayerParameter& param);
  // Builds the transformer, seeds it, then calls DataLayerSetUp.
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  virtual void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                              const vector<Blob<Dtype>*>& top) {}
  // Tops are shaped by DataLayerSetUp and by each Forward.
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}
  int ExactNumBottomBlobs() const override { return 0; }

 protected:
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}
  // Called inside a catch block: rethrows the caffe::Error being handled as
  // the same type, its message prefixed by this layer and `context` (e.g. a
  // DB key); any other exception is rethrown unchanged.
  [[noreturn]] void RethrowWithContext(const string& context) const;

  TransformationParameter transform_param_;
  shared_ptr<DataTransformer<Dtype>> data_transformer_;
  bool output_labels_ = false;
};

// One prefetched batch: the data and (when the layer has a label top) labels.
template <typename Dtype>
class Batch {
 public:
  Blob<Dtype> data_, label_;
};

template <typename Dtype>
class BasePrefetchingDataLayer : public BaseDataLayer<Dtype>, public InternalThread {
 public:
  explicit BasePrefetchingDataLayer(const LayerParameter& param);
  ~BasePrefetchingDataLayer() override;
  // BaseDataLayer::LayerSetUp, then allocates the batches, reseeds the
  // transformer and starts the prefetch thread.
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Drops the prefetched batches, lets the subclass move its source on by
  // `passes` batches (SkipBatches), and restarts prefetching.
  void SkipForwardPasses(int64_t passes) override;

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Called with the prefetch thread stopped: the next load_batch must
  // produce what the `batches`-th batch after the first would have been.
  virtual void SkipBatches(int64_t batches) = 0;
  void InternalThreadEntry() override;
  void InternalThreadFailed(std::exception_ptr error) override;
  // Fills `batch` (data_, and label_ when output_labels_); runs on the
  // prefetch thread. May reshape the batch's blobs.
  virtual void load_batch(Batch<Dtype>* batch) = 0;

  vector<shared_ptr<Batch<Dtype>>> prefetch_;
  BlockingQueue<Batch<Dtype>*> prefetch_free_;
  // A null entry marks the end of the stream after a failure (see error_).
  BlockingQueue<Batch<Dtype>*> prefetch_full_;
  // The batch the tops currently alias.
  Batch<Dtype>* prefetch_current_ = nullptr;
  // One item's view into a batch, for the transformer (prefetch thread).
  Blob<Dtype> transformed_data_;

 private:
  std::exception_ptr error_;
};

}  // namespace caffe
