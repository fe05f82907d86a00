#include "caffe/layers/input_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void InputLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  const InputParameter& param = this->layer_param_.input_param();
  const int num_shapes = param.shape_size();
  const int num_tops = static_cast<int>(top.size());
  CAFFE_REQUIRE(num_shapes == 0 || num_shapes == 1 || num_shapes == num_tops, ConfigError,
                this->Describe(), " has ", num_shapes, " input_param.shape entries for ",
                num_tops, " tops; give one for all tops, one per top, or none");
  for (int i = 0; i < num_tops && num_shapes > 0; ++i) {
    const BlobShape& shape = param.shape(num_shapes == 1 ? 0 : i);
    for (int axis = 0; axis < shape.dim_size(); ++axis) {
      CAFFE_REQUIRE(shape.dim(axis) > 0, ConfigError, this->Describe(), ": input_param.shape ",
                    i, " has dimension ", axis, " = ", shape.dim(axis),
                    "; every input dimension must be at least 1");
    }
    top[i]->Reshape(shape);
  }
}

INSTANTIATE_CLASS(InputLayer);
REGISTER_LAYER_CLASS(Input);

}  // namespace caffe
