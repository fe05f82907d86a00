// Small helpers shared by the neuron, softmax, loss, accuracy and argmax layer tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>

#include "caffe/blob.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/io.hpp"

namespace caffe {
namespace test {

// A layer parameter named "under_test" of `type`, with fields from `text`
// (protobuf text format, e.g. "relu_param { negative_slope: 0.1 }").
inline LayerParameter Param(const std::string& type, const std::string& text = "") {
  LayerParameter param;
  ReadProtoFromTextString(text, "test parameter", &param);
  param.set_name("under_test");
  param.set_type(type);
  return param;
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> MakeLayer(const LayerParameter& param) {
  return LayerRegistry<Dtype>::CreateLayer(param);
}

// Reshapes `blob` to `shape` and fills it with `values` in row-major order.
template <typename Dtype>
void SetBlob(Blob<Dtype>* blob, const vector<int>& shape, std::initializer_list<double> values) {
  blob->Reshape(shape);
  EXPECT_EQ(blob->count(), static_cast<int>(values.size()));
  int i = 0;
  for (double v : values) blob->mutable_cpu_data()[i++] = static_cast<Dtype>(v);
}

// Random integer labels in [0, num_classes).
template <typename Dtype>
void FillLabels(Blob<Dtype>* labels, int num_classes) {
  for (int i = 0; i < labels->count(); ++i) {
    labels->mutable_cpu_data()[i] = static_cast<Dtype>(caffe_rng_rand() % num_classes);
  }
}

inline void ExpectNearRelative(double actual, double expected, double tolerance,
                               const std::string& what = "") {
  EXPECT_NEAR(actual, expected, tolerance * std::max(1.0, std::fabs(expected))) << what;
}

// Base of typed fixtures for layers that are only run forward: Run() sets up
// and forwards a layer and returns its first top's values (top_ by default).
template <typename Dtype>
class ForwardLayerTest : public ::testing::Test {
 protected:
  ForwardLayerTest() { top_vec_ = {&top_}; }

  vector<double> Run(const LayerParameter& param, const vector<Blob<Dtype>*>& bottom,
                     const vector<Blob<Dtype>*>& top) {
    auto layer = MakeLayer<Dtype>(param);
    layer->SetUp(bottom, top);
    layer->Forward(bottom, top);
    return vector<double>(top[0]->cpu_data(), top[0]->cpu_data() + top[0]->count());
  }
  vector<double> Run(const LayerParameter& param, const vector<Blob<Dtype>*>& bottom) {
    return Run(param, bottom, top_vec_);
  }

  Blob<Dtype> top_;
  vector<Blob<Dtype>*> top_vec_;
};

}  // namespace test
}  // namespace caffe
