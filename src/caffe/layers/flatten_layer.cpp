#include "caffe/layers/flatten_layer.hpp"

#include "caffe/layer_factory.hpp"
#include "caffe/layers/layer_checks.hpp"

namespace caffe {

template <typename Dtype>
void FlattenLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                  const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(top[0] != bottom[0], ConfigError, this->Describe(), " cannot run in place");
  const FlattenParameter& param = this->layer_param_.flatten_param();
  const int start_axis = CheckedAxis(this->Describe(), "axis", param.axis(), *bottom[0]);
  const int end_axis = CheckedAxis(this->Describe(), "end_axis", param.end_axis(), *bottom[0]);
  // end_axis == axis - 1 is allowed and inserts an axis of length 1.
  CAFFE_REQUIRE(start_axis <= end_axis + 1, ConfigError, this->Describe(), ": end_axis ",
                param.end_axis(), " comes before axis ", param.axis(), " for bottom shape ",
                bottom[0]->shape_string());
  vector<int> top_shape(bottom[0]->shape().begin(), bottom[0]->shape().begin() + start_axis);
  top_shape.push_back(bottom[0]->count(start_axis, end_axis + 1));
  top_shape.insert(top_shape.end(), bottom[0]->shape().begin() + end_axis + 1,
                   bottom[0]->shape().end());
  top[0]->Reshape(top_shape);
}

template <typename Dtype>
void FlattenLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  top[0]->ShareData(*bottom[0]);
}

template <typename Dtype>
void FlattenLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                       const vector<bool>& propagate_down,
                                       const vector<Blob<Dtype>*>& bottom) {
  bottom[0]->ShareDiff(*top[0]);
}

INSTANTIATE_CLASS(FlattenLayer);
REGISTER_LAYER_CLASS(Flatten);

}  // namespace caffe
