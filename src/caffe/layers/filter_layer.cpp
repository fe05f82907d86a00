#include "caffe/layers/filter_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void FilterLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(top.size() == bottom.size() - 1, ConfigError, this->Describe(), " has ",
                bottom.size(), " bottoms (the last is the selector) and so needs ",
                bottom.size() - 1, " tops, but has ", top.size());
  num_bottoms_ = static_cast<int>(bottom.size());
  first_reshape_ = true;
}

template <typename Dtype>
void FilterLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  const Blob<Dtype>& selector = *bottom.back();
  CAFFE_REQUIRE(selector.num_axes() >= 1, ShapeError, this->Describe(),
                ": the selector (last bottom) needs at least one axis, got shape ",
                selector.shape_string());
  for (int i = 1; i < selector.num_axes(); ++i) {
    CAFFE_REQUIRE(selector.shape(i) == 1, ShapeError, this->Describe(),
                  ": the selector (last bottom) must have one value per item, got shape ",
                  selector.shape_string());
  }
  const int num_items = selector.shape(0);
  for (size_t i = 0; i + 1 < bottom.size(); ++i) {
    CAFFE_REQUIRE(bottom[i]->num_axes() >= 1 && bottom[i]->shape(0) == num_items, ShapeError,
                  this->Describe(), ": bottom ", i, " has shape ", bottom[i]->shape_string(),
                  " but the selector has ", num_items, " items");
  }
  indices_to_forward_.clear();
  const Dtype* selected = selector.cpu_data();
  for (int n = 0; n < num_items; ++n) {
    if (selected[n] != Dtype(0)) indices_to_forward_.push_back(n);
  }
  const int new_num = first_reshape_ ? num_items : static_cast<int>(indices_to_forward_.size());
  first_reshape_ = false;
  for (size_t t = 0; t < top.size(); ++t) {
    vector<int> shape = bottom[t]->shape();
    shape[0] = new_num;
    top[t]->Reshape(shape);
  }
}

template <typename Dtype>
void FilterLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  for (size_t t = 0; t < top.size(); ++t) {
    const int dim = bottom[t]->count(1);
    const Dtype* x = bottom[t]->cpu_data();
    Dtype* y = top[t]->mutable_cpu_data();
    for (size_t n = 0; n < indices_to_forward_.size(); ++n) {
      caffe_copy(dim, x + indices_to_forward_[n] * dim, y + n * dim);
    }
  }
}

template <typename Dtype>
void FilterLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(!propagate_down.back(), ConfigError, this->Describe(),
                " cannot back-propagate to its selector (last bottom)");
  for (size_t t = 0; t < top.size(); ++t) {
    if (!propagate_down[t]) continue;
    const int dim = bottom[t]->count(1);
    const Dtype* dy = top[t]->cpu_diff();
    Dtype* dx = bottom[t]->mutable_cpu_diff();
    caffe_set(bottom[t]->count(), Dtype(0), dx);
    for (size_t n = 0; n < indices_to_forward_.size(); ++n) {
      caffe_copy(dim, dy + n * dim, dx + indices_to_forward_[n] * dim);
    }
  }
}

INSTANTIATE_CLASS(FilterLayer);
REGISTER_LAYER_CLASS(Filter);

}  // namespace caffe
