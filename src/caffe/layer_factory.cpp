#include "caffe/layer_factory.hpp"

namespace caffe {

template class Registry<Layer<float>, LayerParameter>;
template class Registry<Layer<double>, LayerParameter>;

}  // namespace caffe
