#include "caffe/layers/concat_layer.hpp"

#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void ConcatLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const ConcatParameter& param = this->layer_param_.concat_param();
  CAFFE_REQUIRE(!(param.has_axis() && param.has_concat_dim()), ConfigError, this->Describe(),
                ": set either concat_param.axis or the legacy concat_dim, not both");
}

template <typename Dtype>
void ConcatLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  const ConcatParameter& param = this->layer_param_.concat_param();
  const int num_axes = bottom[0]->num_axes();
  if (param.has_concat_dim()) {
    // concat_dim is unsigned and never negative-indexed.
    CAFFE_REQUIRE(param.concat_dim() < static_cast<uint32_t>(num_axes), ConfigError,
                  this->Describe(), ": concat_dim ", param.concat_dim(),
                  " is out of range for bottom shape ", bottom[0]->shape_string());
    concat_axis_ = static_cast<int>(param.concat_dim());
  } else {
    concat_axis_ = CheckedAxis(this->Describe(), "axis", param.axis(), *bottom[0]);
  }
  for (size_t i = 0; i < bottom.size() && bottom.size() > 1; ++i) {
    CAFFE_REQUIRE(top[0] != bottom[i], ConfigError, this->Describe(),
                  " cannot run in place (its top is bottom ", i, ")");
  }
  vector<int> top_shape = bottom[0]->shape();
  num_concats_ = bottom[0]->count(0, concat_axis_);
  concat_input_size_ = bottom[0]->count(concat_axis_ + 1);
  for (size_t i = 1; i < bottom.size(); ++i) {
    bool compatible = bottom[i]->num_axes() == num_axes;
    for (int j = 0; compatible && j < num_axes; ++j) {
      compatible = j == concat_axis_ || top_shape[j] == bottom[i]->shape(j);
    }
    CAFFE_REQUIRE(compatible, ShapeError, this->Describe(), ": bottom ", i, " has shape ",
                  bottom[i]->shape_string(), " but bottom 0 has ", bottom[0]->shape_string(),
                  "; they may differ only along axis ", concat_axis_);
    top_shape[concat_axis_] += bottom[i]->shape(concat_axis_);
  }
  top[0]->Reshape(top_shape);
  if (bottom.size() == 1) {
    top[0]->ShareData(*bottom[0]);
    top[0]->ShareDiff(*bottom[0]);
  }
}

template <typename Dtype>
void ConcatLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  if (bottom.size() == 1) return;
  Dtype* top_data = top[0]->mutable_cpu_data();
  const int top_axis_dim = top[0]->shape(concat_axis_);
  int axis_offset = 0;
  for (Blob<Dtype>* b : bottom) {
    const Dtype* bottom_data = b->cpu_data();
    const int axis_dim = b->shape(concat_axis_);
    const int chunk = axis_dim * concat_input_size_;
    for (int n = 0; n < num_concats_; ++n) {
      caffe_copy(chunk, bottom_data + n * chunk,
                 top_data + (n * top_axis_dim + axis_offset) * concat_input_size_);
    }
    axis_offset += axis_dim;
  }
}

template <typename Dtype>
void ConcatLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<Dtype>*>& bottom) {
  if (bottom.size() == 1) return;
  const Dtype* top_diff = top[0]->cpu_diff();
  const int top_axis_dim = top[0]->shape(concat_axis_);
  int axis_offset = 0;
  for (size_t i = 0; i < bottom.size(); ++i) {
    const int axis_dim = bottom[i]->shape(concat_axis_);
    if (propagate_down[i]) {
      Dtype* bottom_diff = bottom[i]->mutable_cpu_diff();
      const int chunk = axis_dim * concat_input_size_;
      for (int n = 0; n < num_concats_; ++n) {
        caffe_copy(chunk, top_diff + (n * top_axis_dim + axis_offset) * concat_input_size_,
                   bottom_diff + n * chunk);
      }
    }
    axis_offset += axis_dim;
  }
}

INSTANTIATE_CLASS(ConcatLayer);
REGISTER_LAYER_CLASS(Concat);

}  // namespace caffe
