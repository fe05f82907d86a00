#include "caffe/layers/parameter_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void ParameterLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const BlobShape& shape = this->layer_param_.parameter_param().shape();
  if (this->blobs_.empty()) {
    this->blobs_.push_back(std::make_shared<Blob<Dtype>>());
    this->blobs_[0]->Reshape(shape);
  }
  top[0]->Reshape(shape);
  CAFFE_REQUIRE(top[0]->shape() == this->blobs_[0]->shape(), ShapeError, this->Describe(),
                ": the loaded parameter has shape ", this->blobs_[0]->shape_string(),
                " but parameter_param.shape is ", top[0]->shape_string());
  this->param_propagate_down_.resize(1, true);
}

template <typename Dtype>
void ParameterLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  top[0]->ShareData(*this->blobs_[0]);
  top[0]->ShareDiff(*this->blobs_[0]);
}

INSTANTIATE_CLASS(ParameterLayer);
REGISTER_LAYER_CLASS(Parameter);

}  // namespace caffe
