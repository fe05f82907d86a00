// The layer registry: maps a layer type string ("Convolution") to a function
// that builds the layer from its LayerParameter.
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

namespace caffe {

template <typename Dtype>
class LayerRegistry {
 public:
  typedef std::function<shared_ptr<Layer<Dtype>>(const LayerParameter&)> Creator;

  static void AddCreator(const string& type, Creator creator);
  // Throws ConfigError naming the unknown type and listing the known ones.
  static shared_ptr<Layer<Dtype>> CreateLayer(const LayerParameter& param);
  static bool Has(const string& type);
  static vector<string> LayerTypeList();

 private:
  static map<string, Creator>& Registry();
};

template <typename Dtype>
struct LayerRegisterer {
  LayerRegisterer(const string& type, typename LayerRegistry<Dtype>::Creator creator) {
    LayerRegistry<Dtype>::AddCreator(type, std::move(creator));
  }
};

#define REGISTER_LAYER_CREATOR(type, creator)                                           \
  static ::caffe::LayerRegisterer<float> g_creator_f_##type(#type, creator<float>);     \
  static ::caffe::LayerRegisterer<double> g_creator_d_##type(#type, creator<double>)

#define REGISTER_LAYER_CLASS(type)                                                      \
  template <typename Dtype>                                                             \
  shared_ptr<::caffe::Layer<Dtype>> Creator_##type##Layer(const LayerParameter& param) { \
    return std::make_shared<type##Layer<Dtype>>(param);                                 \
  }                                                                                     \
  REGISTER_LAYER_CREATOR(type, Creator_##type##Layer)

}  // namespace caffe
