// Small helpers shared by the structural/common layer tests: building a
// layer from prototxt text through the registry, and filling blobs.
#pragma once

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

typedef ::testing::Types<float, double> TestDtypes;

// Parses `text` as a LayerParameter and builds the layer through the registry.
template <typename Dtype>
shared_ptr<Layer<Dtype>> MakeLayer(const std::string& text, Phase phase = TRAIN) {
  LayerParameter param;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &param)) << text;
  param.set_phase(phase);
  return LayerRegistry<Dtype>::CreateLayer(param);
}

// A blob of the given shape with uniform values in [lo, hi], reproducibly.
template <typename Dtype>
std::unique_ptr<Blob<Dtype>> RandomBlob(const vector<int>& shape, unsigned seed,
                                        Dtype lo = -1, Dtype hi = 1) {
  auto blob = std::make_unique<Blob<Dtype>>(shape);
  Caffe::set_random_seed(seed);
  caffe_rng_uniform<Dtype>(blob->count(), lo, hi, blob->mutable_cpu_data());
  return blob;
}

template <typename Dtype>
void SetData(Blob<Dtype>* blob, std::initializer_list<double> values) {
  ASSERT_EQ(static_cast<int>(values.size()), blob->count());
  Dtype* data = blob->mutable_cpu_data();
  for (double v : values) *data++ = static_cast<Dtype>(v);
}

template <typename Dtype>
void SetDiff(Blob<Dtype>* blob, std::initializer_list<double> values) {
  ASSERT_EQ(static_cast<int>(values.size()), blob->count());
  Dtype* diff = blob->mutable_cpu_diff();
  for (double v : values) *diff++ = static_cast<Dtype>(v);
}

template <typename Dtype>
void ExpectValues(const Dtype* actual, std::initializer_list<double> expected,
                  double tolerance = 1e-5) {
  int i = 0;
  for (double v : expected) {
    EXPECT_NEAR(actual[i], v, tolerance * std::max(1.0, std::fabs(v))) << "element " << i;
    ++i;
  }
}

}  // namespace caffe
