// Base classes of the layers that produce data (no bottoms).
//
// BaseDataLayer: a layer with no bottoms and no backward pass; subclasses
// set up in DataLayerSetUp().
//
// BasePrefetchingDataLayer: a background thread fills a ring of `prefetch`
// Batches (the depth its subclass passes in) through the virtual
// load_batch(); Forward_cpu hands the next full batch to the tops without
// copying (top i aliases the batch's blob i until the next Forward) and
// recycles the previous one. Subclasses implement DataLayerSetUp (shape the
// tops, and give every prefetch_ batch one blob per top) and load_batch
// (fill one batch, on the prefetch thread).
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
#include "caffe/layer.hpp"
#include "caffe/util/blocking_queue.hpp"
#include "caffe/util/internal_thread.hpp"

namespace caffe {

template <typename Dtype>
class BaseDataLayer : public Layer<Dtype> {
 public:
  explicit BaseDataLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  // Calls DataLayerSetUp.
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  virtual void DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                              const vector<Blob<Dtype>*>& top) {}
  // Tops are shaped by DataLayerSetUp and by each Forward.
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}
  int ExactNumBottomBlobs() const override { return 0; }

  // Called inside a catch block: rethrows the caffe::Error being handled as
  // the same type, its message prefixed by this layer and `context` (e.g. a
  // DB key); any other exception is rethrown unchanged. Thread-safe.
  [[noreturn]] void RethrowWithContext(const string& context) const;

 protected:
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}
};

// One prefetched batch: one blob per top, in top order (what each holds is
// the layer's business).
template <typename Dtype>
class Batch {
 public:
  vector<shared_ptr<Blob<Dtype>>> blobs_;
};

template <typename Dtype>
class BasePrefetchingDataLayer : public BaseDataLayer<Dtype>, public InternalThread {
 public:
  // `prefetch` batches are filled ahead; `prefetch_field` names the
  // parameter it came from, for the ConfigError when it is not positive.
  BasePrefetchingDataLayer(const LayerParameter& param, int prefetch,
                           const string& prefetch_field);
  ~BasePrefetchingDataLayer() override;
  // BaseDataLayer::LayerSetUp, then allocates the batches' memory and starts
  // the prefetch thread.
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
  // Fills `batch`; runs on the prefetch thread. May reshape its blobs.
  virtual void load_batch(Batch<Dtype>* batch) = 0;

  vector<shared_ptr<Batch<Dtype>>> prefetch_;
  BlockingQueue<Batch<Dtype>*> prefetch_free_;
  // A null entry marks the end of the stream after a failure (see error_).
  BlockingQueue<Batch<Dtype>*> prefetch_full_;
  // The batch the tops currently alias.
  Batch<Dtype>* prefetch_current_ = nullptr;

 private:
  std::exception_ptr error_;
};

}  // namespace caffe
