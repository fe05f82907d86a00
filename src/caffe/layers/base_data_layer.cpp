#include "caffe/layers/base_data_layer.hpp"

namespace caffe {

template <typename Dtype>
BaseDataLayer<Dtype>::BaseDataLayer(const LayerParameter& param)
    : Layer<Dtype>(param), transform_param_(param.transform_param()) {}

template <typename Dtype>
void BaseDataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  output_labels_ = top.size() > 1;
  data_transformer_ = std::make_shared<DataTransformer<Dtype>>(transform_param_, this->phase_);
  // Upstream seeds here and again before starting the prefetch thread; both
  // draws are kept so seeded runs consume the same random numbers.
  data_transformer_->InitRand();
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
BasePrefetchingDataLayer<Dtype>::BasePrefetchingDataLayer(const LayerParameter& param)
    : BaseDataLayer<Dtype>(param) {
  const int depth = static_cast<int>(param.data_param().prefetch());
  CAFFE_REQUIRE(depth > 0, ConfigError, this->Describe(),
                ": data_param.prefetch must be positive");
  for (int i = 0; i < depth; ++i) {
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
    batch->data_.mutable_cpu_data();
    if (this->output_labels_) batch->label_.mutable_cpu_data();
  }
  this->data_transformer_->InitRand();
  StartInternalThread();
}

template <typename Dtype>
void BasePrefetchingDataLayer<Dtype>::SkipForwardPasses(int64_t passes) {
  if (passes <= 0) return;
  StopInternalThread();
  Batch<Dtype>* batch = nullptr;
  while (prefetch_full_.try_pop(&batch)) {
    if (batch) prefetch_free_.push(batch);
  }
  if (prefetch_current_) {
    prefetch_free_.push(prefetch_current_);
    prefetch_current_ = nullptr;
  }
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
  top[0]->ReshapeLike(batch->data_);
  top[0]->set_cpu_data(batch->data_.mutable_cpu_data());
  if (this->output_labels_) {
    top[1]->ReshapeLike(batch->label_);
    top[1]->set_cpu_data(batch->label_.mutable_cpu_data());
  }
}

INSTANTIATE_CLASS(BaseDataLayer);
INSTANTIATE_CLASS(BasePrefetchingDataLayer);

}  // namespace caffe
