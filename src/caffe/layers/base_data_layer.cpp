#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

template <typename Dtype>
void BaseDataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  DataLayerSetUp(bottom, top);
}

template <typename Dtype>
void BaseDataLayer<Dtype>::RethrowWithContext(const string& context) const {
  try {
    throw;
  } catch (const Error& error) {
    caffe::RethrowWithContext(error, internal::Concat(this->Describe(), ": ", context));
  }
}

template <typename Dtype>
BasePrefetchingDataLayer<Dtype>::BasePrefetchingDataLayer(const LayerParameter& param,
                                                          int prefetch,
                                                          const string& prefetch_field)
    : BaseDataLayer<Dtype>(param) {
  CAFFE_REQUIRE(prefetch > 0, ConfigError, this->Describe(), ": ", prefetch_field,
                " must be positive");
  for (int i = 0; i < prefetch; ++i) {
    prefetch_.push_back(std::make_shared<Batch<Dtype>>());
    prefetch_free_.push(prefetch_.back().get());
  }
}

template <typename Dtype>
BasePrefetchingDataLayer<Dtype>::~BasePrefetchingDataLayer() {
  StopInternalThread();
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                                 const vector<Blob<Dtype>*>& top) {
  BaseDataLayer<Dtype>::LayerSetUp(bottom, top);
  // Allocate now so the prefetch thread starts with ready buffers.
  for (auto& batch : prefetch_) {
    for (auto& blob : batch->blobs_) blob->mutable_cpu_data();
  }
  StartInternalThread();
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::SkipForwardPasses(int64_t passes) {
  if (passes <= 0) return;
  StopInternalThread();
  // The stop may have interrupted load_batch with a batch that is in neither
  // queue; so every batch goes back to the free queue from the list that owns
  // them, not from the queues.
  prefetch_full_.clear();
  prefetch_free_.clear();
  prefetch_current_ = nullptr;
  for (const auto& owned : prefetch_) prefetch_free_.push(owned.get());
  error_ = nullptr;
  SkipBatches(passes);
  // No seed draw: the restart must not shift the caller's random stream.
  StartInternalThreadWithoutSeed();
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::InternalThreadEntry() {
  for (;;) {
    Batch<Dtype>* batch = prefetch_free_.pop();
    load_batch(batch);
    prefetch_full_.push(batch);
  }
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::InternalThreadFailed(std::exception_ptr error) {
  // Published before the end marker: the queue's mutex orders the two.
  error_ = error;
  prefetch_full_.push(nullptr);
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                                  const vector<Blob<Dtype>*>& top) {
  CHECK(is_started()) << this->Describe() << ": Forward before SetUp";
  if (prefetch_current_) {
    prefetch_free_.push(prefetch_current_);
    prefetch_current_ = nullptr;
  }
  Batch<Dtype>* batch = prefetch_full_.peek();
  if (!batch) std::rethrow_exception(error_);
  prefetch_current_ = prefetch_full_.pop("Waiting for data");
  CHECK_EQ(top.size(), batch->blobs_.size()) << this->Describe() << ": one batch blob per top";
  for (size_t i = 0; i < top.size(); ++i) {
    top[i]->ReshapeLike(*batch->blobs_[i]);
    top[i]->set_cpu_data(batch->blobs_[i]->mutable_cpu_data());
  }
}

INSTANTIATE_CLASS(BaseDataLayer);
INSTANTIATE_CLASS(BasePrefetchingDataLayer);

}  // namespace caffe
