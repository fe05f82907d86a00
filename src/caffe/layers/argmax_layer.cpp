#include "caffe/layers/argmax_layer.hpp"

#include <algorithm>
#include <climits>
#include <functional>
#include <utility>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ArgMaxLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const ArgMaxParameter& param = this->layer_param_.argmax_param();
  out_max_val_ = param.out_max_val();
  CAFFE_REQUIRE(param.top_k() >= 1 && param.top_k() <= static_cast<unsigned>(INT_MAX),
                ConfigError, this->Describe(), ": argmax_param.top_k must be at least 1, got ",
                param.top_k());
  top_k_ = static_cast<int>(param.top_k());
  has_axis_ = param.has_axis();
  CheckTopK(*bottom[0]);
}

template <typename Dtype>
void ArgMaxLayer<Dtype>::CheckTopK(const Blob<Dtype>& bottom) const {
  if (has_axis_) {
    const int axis = this->layer_param_.argmax_param().axis();
    CAFFE_REQUIRE(axis >= -bottom.num_axes() && axis < bottom.num_axes(), ConfigError,
                  this->Describe(), ": argmax_param.axis ", axis,
                  " is out of range for bottom shape ", bottom.shape_string());
    const int dim = bottom.shape(axis);
    CAFFE_REQUIRE(top_k_ <= dim, ConfigError, this->Describe(), ": top_k (", top_k_,
                  ") exceeds the size ", dim, " of axis ", axis, " of bottom shape ",
                  bottom.shape_string());
  } else {
    CAFFE_REQUIRE(bottom.num_axes() >= 1 && top_k_ <= bottom.count(1), ConfigError,
                  this->Describe(), ": top_k (", top_k_, ") exceeds the ",
                  "per-item size of bottom shape ", bottom.shape_string());
  }
}

template <typename Dtype>
void ArgMaxLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  CheckTopK(*bottom[0]);
  vector<int> shape(std::max(bottom[0]->num_axes(), 3), 1);
  if (has_axis_) {
    axis_ = bottom[0]->CanonicalAxisIndex(this->layer_param_.argmax_param().axis());
    shape = bottom[0]->shape();
    shape[axis_] = top_k_;
  } else {
    shape[0] = bottom[0]->shape(0);
    shape[2] = top_k_;
    if (out_max_val_) shape[1] = 2;
  }
  top[0]->Reshape(shape);
}

template <typename Dtype>
void ArgMaxLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  // Searched entries are `dim` values `stride` apart; `num` such searches.
  const int dim = has_axis_ ? bottom[0]->shape(axis_) : bottom[0]->count(1);
  const int stride = has_axis_ ? bottom[0]->count(axis_) / dim : 1;
  const int num = bottom[0]->count() / dim;
  vector<std::pair<Dtype, int>> entries(dim);
  for (int i = 0; i < num; ++i) {
    const int base = (i / stride) * dim * stride + i % stride;
    for (int j = 0; j < dim; ++j) entries[j] = std::make_pair(x[base + j * stride], j);
    // Ordering (value, index) pairs descending ranks ties by higher index.
    std::partial_sort(entries.begin(), entries.begin() + top_k_, entries.end(),
                      std::greater<std::pair<Dtype, int>>());
    for (int j = 0; j < top_k_; ++j) {
      if (has_axis_) {
        const int out = (i / stride) * top_k_ * stride + j * stride + i % stride;
        y[out] = out_max_val_ ? entries[j].first : Dtype(entries[j].second);
      } else if (out_max_val_) {
        y[2 * i * top_k_ + j] = entries[j].second;
        y[2 * i * top_k_ + top_k_ + j] = entries[j].first;
      } else {
        y[i * top_k_ + j] = entries[j].second;
      }
    }
  }
}

template <typename Dtype>
void ArgMaxLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(propagate_down.empty() || !propagate_down[0], ConfigError, this->Describe(),
                " has no gradient");
}

INSTANTIATE_CLASS(ArgMaxLayer);
REGISTER_LAYER_CLASS(ArgMax);

}  // namespace caffe
