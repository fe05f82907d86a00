// The layer registry (a caffe::Registry): maps a layer type string
// ("Convolution") to a function that builds the layer from its LayerParameter.
//
// Every layer registers itself with one line in its .cpp:
//   REGISTER_LAYER_CLASS(Convolution);          // ConvolutionLayer<Dtype>
//   REGISTER_LAYER_CREATOR(Python, CreatePythonLayer);
// Registering the same type twice is a programming error and aborts at start.
// Registration happens during static initialisation; lookups afterwards are
// read-only and thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/layer.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/registry.hpp"

namespace caffe {

template <typename Dtype>
class LayerRegistry : public Registry<Layer<Dtype>, LayerParameter> {
 public:
  // Throws ConfigError naming the layer and its unknown type, listing the known ones.
  static shared_ptr<Layer<Dtype>> CreateLayer(const LayerParameter& param) {
    return LayerRegistry::Create(param.type(), param, "layer '" + param.name() + "'");
  }
  static vector<string> LayerTypeList() { return LayerRegistry::Types(); }
};

extern template class Registry<Layer<float>, LayerParameter>;
extern template class Registry<Layer<double>, LayerParameter>;

#define REGISTER_LAYER_CREATOR(type, creator)                                          \
  static ::caffe::Registerer<::caffe::Layer<float>, ::caffe::LayerParameter> g_creator_f_##type( \
      #type, creator<float>);                                                           \
  static ::caffe::Registerer<::caffe::Layer<double>, ::caffe::LayerParameter> g_creator_d_##type( \
      #type, creator<double>)

#define REGISTER_LAYER_CLASS(type)                                                      \
  template <typename Dtype>                                                             \
  shared_ptr<::caffe::Layer<Dtype>> Creator_##type##Layer(const LayerParameter& param) { \
    return std::make_shared<type##Layer<Dtype>>(param);                                 \
  }                                                                                     \
  REGISTER_LAYER_CREATOR(type, Creator_##type##Layer)

}  // namespace caffe
