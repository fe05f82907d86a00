#include "caffe/layers/slice_layer.hpp"

#include <climits>

#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void SliceLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const SliceParameter& param = this->layer_param_.slice_param();
  CAFFE_REQUIRE(!(param.has_axis() && param.has_slice_dim()), ConfigError, this->Describe(),
                ": set either slice_param.axis or the legacy slice_dim, not both");
  slice_points_.clear();
  for (uint32_t point : param.slice_point()) {
    CAFFE_REQUIRE(point <= static_cast<uint32_t>(INT_MAX), ConfigError, this->Describe(),
                  ": slice_point ", point, " is too large");
    slice_points_.push_back(static_cast<int>(point));
  }
}

template <typename Dtype>
void SliceLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  const SliceParameter& param = this->layer_param_.slice_param();
  if (param.has_slice_dim()) {
    CAFFE_REQUIRE(param.slice_dim() < static_cast<uint32_t>(bottom[0]->num_axes()), ConfigError,
                  this->Describe(), ": slice_dim ", param.slice_dim(),
                  " is out of range for bottom shape ", bottom[0]->shape_string());
    slice_axis_ = static_cast<int>(param.slice_dim());
  } else {
    slice_axis_ = CheckedAxis(this->Describe(), "axis", param.axis(), *bottom[0]);
  }
  for (size_t i = 0; i < top.size() && top.size() > 1; ++i) {
    CAFFE_REQUIRE(top[i] != bottom[0], ConfigError, this->Describe(),
                  " cannot run in place (top ", i, " is the bottom)");
  }
  vector<int> top_shape = bottom[0]->shape();
  const int axis_dim = bottom[0]->shape(slice_axis_);
  const int num_tops = static_cast<int>(top.size());
  num_slices_ = bottom[0]->count(0, slice_axis_);
  slice_size_ = bottom[0]->count(slice_axis_ + 1);
  vector<int> lengths;
  if (!slice_points_.empty()) {
    CAFFE_REQUIRE(static_cast<int>(slice_points_.size()) == num_tops - 1, ConfigError,
                  this->Describe(), " has ", slice_points_.size(), " slice_point values for ",
                  num_tops, " tops; it needs exactly one fewer than the tops");
    int previous = 0;
    for (int point : slice_points_) {
      CAFFE_REQUIRE(point > previous, ConfigError, this->Describe(),
                    ": slice_point values must be positive and strictly increasing, got ",
                    point, " after ", previous);
      lengths.push_back(point - previous);
      previous = point;
    }
    // As upstream, the last top may be empty, but no more tops than the axis has entries.
    CAFFE_REQUIRE(previous <= axis_dim && num_tops <= axis_dim, ShapeError, this->Describe(),
                  ": slice_point values up to ", previous, " for ", num_tops,
                  " tops do not fit axis ", slice_axis_, " of bottom shape ",
                  bottom[0]->shape_string());
    lengths.push_back(axis_dim - previous);
  } else {
    CAFFE_REQUIRE(axis_dim % num_tops == 0, ShapeError, this->Describe(), ": ", num_tops,
                  " tops do not evenly divide axis ", slice_axis_, " (length ", axis_dim,
                  ") of bottom shape ", bottom[0]->shape_string());
    lengths.assign(num_tops, axis_dim / num_tops);
  }
  for (int i = 0; i < num_tops; ++i) {
    top_shape[slice_axis_] = lengths[i];
    top[i]->Reshape(top_shape);
  }
  if (num_tops == 1) {
    top[0]->ShareData(*bottom[0]);
    top[0]->ShareDiff(*bottom[0]);
  }
}

template <typename Dtype>
void SliceLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  if (top.size() == 1) return;
  const Dtype* bottom_data = bottom[0]->cpu_data();
  const int bottom_axis_dim = bottom[0]->shape(slice_axis_);
  int axis_offset = 0;
  for (Blob<Dtype>* t : top) {
    Dtype* top_data = t->mutable_cpu_data();
    const int axis_dim = t->shape(slice_axis_);
    const int chunk = axis_dim * slice_size_;
    for (int n = 0; n < num_slices_; ++n) {
      caffe_copy(chunk, bottom_data + (n * bottom_axis_dim + axis_offset) * slice_size_,
                 top_data + n * chunk);
    }
    axis_offset += axis_dim;
  }
}

template <typename Dtype>
void SliceLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0] || top.size() == 1) return;
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  const int bottom_axis_dim = bottom[0]->shape(slice_axis_);
  int axis_offset = 0;
  for (Blob<Dtype>* t : top) {
    const Dtype* top_diff = t->cpu_diff();
    const int axis_dim = t->shape(slice_axis_);
    const int chunk = axis_dim * slice_size_;
    for (int n = 0; n < num_slices_; ++n) {
      caffe_copy(chunk, top_diff + n * chunk,
                 bottom_diff + (n * bottom_axis_dim + axis_offset) * slice_size_);
    }
    axis_offset += axis_dim;
  }
}

INSTANTIATE_CLASS(SliceLayer);
REGISTER_LAYER_CLASS(Slice);

}  // namespace caffe
