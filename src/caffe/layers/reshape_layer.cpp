#include "caffe/layers/reshape_layer.hpp"

#include <climits>

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ReshapeLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(top[0] != bottom[0], ConfigError, this->Describe(), " cannot run in place");
  const BlobShape& shape = this->layer_param_.reshape_param().shape();
  copy_axes_.clear();
  inferred_axis_ = -1;
  constant_count_ = 1;
  for (int i = 0; i < shape.dim_size(); ++i) {
    const long long dim = shape.dim(i);
    if (dim == 0) {
      copy_axes_.push_back(i);
    } else if (dim == -1) {
      CAFFE_REQUIRE(inferred_axis_ == -1, ConfigError, this->Describe(),
                    ": reshape_param.shape may contain at most one -1 (at ", inferred_axis_,
                    " and ", i, ")");
      inferred_axis_ = i;
    } else {
      CAFFE_REQUIRE(dim > 0, ConfigError, this->Describe(), ": reshape_param.shape dim ", i,
                    " is ", dim, "; dims must be positive, 0 (copy) or -1 (infer)");
      constant_count_ *= dim;
      CAFFE_REQUIRE(constant_count_ <= INT_MAX, ConfigError, this->Describe(),
                    ": reshape_param.shape has too many elements");
    }
  }
}

template <typename Dtype>
void ReshapeLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  const ReshapeParameter& param = this->layer_param_.reshape_param();
  const BlobShape& new_dims = param.shape();
  const int bottom_axes = bottom[0]->num_axes();
  // A negative axis counts from the end, with -1 meaning "after the last".
  const int start_axis = param.axis() >= 0 ? param.axis() : bottom_axes + param.axis() + 1;
  CAFFE_REQUIRE(start_axis >= 0 && start_axis <= bottom_axes, ConfigError, this->Describe(),
                ": reshape_param.axis ", param.axis(), " is out of range for bottom shape ",
                bottom[0]->shape_string());
  CAFFE_REQUIRE(param.num_axes() >= -1, ConfigError, this->Describe(),
                ": reshape_param.num_axes must be >= 0, or -1 for all, got ", param.num_axes());
  const int end_axis = param.num_axes() == -1 ? bottom_axes : start_axis + param.num_axes();
  CAFFE_REQUIRE(end_axis <= bottom_axes, ConfigError, this->Describe(), ": axis ", param.axis(),
                " + num_axes ", param.num_axes(), " is out of range for bottom shape ",
                bottom[0]->shape_string());

  vector<int> top_shape(bottom[0]->shape().begin(), bottom[0]->shape().begin() + start_axis);
  for (int i = 0; i < new_dims.dim_size(); ++i) {
    top_shape.push_back(static_cast<int>(new_dims.dim(i)));
  }
  top_shape.insert(top_shape.end(), bottom[0]->shape().begin() + end_axis,
                   bottom[0]->shape().end());
  for (int copy_axis : copy_axes_) {
    const int axis = start_axis + copy_axis;
    CAFFE_REQUIRE(axis < bottom_axes, ShapeError, this->Describe(),
                  ": reshape_param.shape has a 0 at position ", copy_axis,
                  " but bottom shape ", bottom[0]->shape_string(), " has no axis ", axis,
                  " to copy");
    top_shape[axis] = bottom[0]->shape(axis);
  }
  if (inferred_axis_ >= 0) {
    long long known = constant_count_;
    known *= bottom[0]->count(0, start_axis);
    known *= bottom[0]->count(end_axis);
    for (int copy_axis : copy_axes_) known *= top_shape[start_axis + copy_axis];
    CAFFE_REQUIRE(known != 0 && bottom[0]->count() % known == 0, ShapeError, this->Describe(),
                  ": cannot infer the -1 dim: bottom count ", bottom[0]->count(),
                  " (shape ", bottom[0]->shape_string(),
                  ") is not divisible by the product of the other dims, ", known);
    top_shape[start_axis + inferred_axis_] = static_cast<int>(bottom[0]->count() / known);
  }
  long long top_count = 1;
  for (int dim : top_shape) top_count *= dim;
  CAFFE_REQUIRE(top_count == bottom[0]->count(), ShapeError, this->Describe(),
                ": new shape ", ShapeString(top_shape), " has ", top_count,
                " elements but bottom shape ", bottom[0]->shape_string(), " has ",
                bottom[0]->count());
  top[0]->Reshape(top_shape);
  top[0]->ShareData(*bottom[0]);
  top[0]->ShareDiff(*bottom[0]);
}

INSTANTIATE_CLASS(ReshapeLayer);
REGISTER_LAYER_CLASS(Reshape);

}  // namespace caffe
