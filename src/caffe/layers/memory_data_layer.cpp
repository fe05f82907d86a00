#include "caffe/layers/memory_data_layer.hpp"

#include <algorithm>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void MemoryDataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  const MemoryDataParameter& param = this->layer_param_.memory_data_param();
  batch_size_ = static_cast<int>(param.batch_size());
  channels_ = static_cast<int>(param.channels());
  height_ = static_cast<int>(param.height());
  width_ = static_cast<int>(param.width());
  CAFFE_REQUIRE(batch_size_ > 0 && channels_ > 0 && height_ > 0 && width_ > 0, ConfigError,
                this->Describe(), " needs positive memory_data_param batch_size, channels, "
                "height and width (got ", batch_size_, ", ", channels_, ", ", height_, ", ",
                width_, ")");
}

template <typename Dtype>
void MemoryDataLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  top[0]->Reshape(batch_size_, channels_, height_, width_);
  top[1]->Reshape(vector<int>{batch_size_});
}

template <typename Dtype>
void MemoryDataLayer<Dtype>::Reset(const Dtype* data, const Dtype* labels, int n,
                                   std::shared_ptr<const void> owner) {
  CAFFE_REQUIRE(data && labels, ConfigError, this->Describe(), ": Reset needs data and labels");
  CAFFE_REQUIRE(n > 0 && n % batch_size_ == 0, ShapeError, this->Describe(), ": ", n,
                " items do not divide into batches of ", batch_size_);
  owner_ = std::move(owner);
  data_ = data;
  labels_ = labels;
  n_ = n;
  position_ = 0;
}

template <typename Dtype>
void MemoryDataLayer<Dtype>::set_batch_size(int batch_size) {
  CAFFE_REQUIRE(batch_size > 0, ConfigError, this->Describe(), ": batch size must be positive, "
                "got ", batch_size);
  CAFFE_REQUIRE(!data_ || n_ % batch_size == 0, ShapeError, this->Describe(), ": ", n_,
                " items do not divide into batches of ", batch_size);
  batch_size_ = batch_size;
  position_ = 0;
}

template <typename Dtype>
void MemoryDataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                         const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(data_, ConfigError, this->Describe(), " has no data: give it arrays first "
                "(Net.set_input_arrays in pycaffe)");
  const int item_size = channels_ * height_ * width_;
  top[0]->Reshape(batch_size_, channels_, height_, width_);
  top[1]->Reshape(vector<int>{batch_size_});
  std::copy(data_ + static_cast<size_t>(position_) * item_size,
            data_ + static_cast<size_t>(position_ + batch_size_) * item_size,
            top[0]->mutable_cpu_data());
  std::copy(labels_ + position_, labels_ + position_ + batch_size_, top[1]->mutable_cpu_data());
  position_ = (position_ + batch_size_) % n_;
}

INSTANTIATE_CLASS(MemoryDataLayer);
REGISTER_LAYER_CLASS(MemoryData);

}  // namespace caffe
