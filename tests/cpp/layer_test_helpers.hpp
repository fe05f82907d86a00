// Small helpers shared by the layer tests: a seeded typed fixture, building a
// layer from prototxt text through the registry, filling blobs, and running a
// layer in place and out of place.
#pragma once

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/filler.hpp"
#include "caffe/layer.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/math_functions.hpp"

namespace caffe {

typedef ::testing::Types<float, double> TestDtypes;

// Base of typed layer fixtures whose layers draw from fillers: reseeding before
// every test makes those draws the same on every run and in any test order.
template <typename Dtype>
class SeededLayerTest : public ::testing::Test {
 protected:
  void SetUp() override { Caffe::set_random_seed(1701); }
};

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
void FillGaussian(Blob<Dtype>* blob) {
  FillerParameter filler;
  filler.set_type("gaussian");
  GetFiller<Dtype>(filler)->Fill(blob);
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

// Runs `text` on copies of `inputs` with the top separate, then as bottom
// `in_place` (if >= 0), and returns top data followed by every bottom diff.
template <typename Dtype>
vector<Dtype> RunMaybeInPlace(const std::string& text, const vector<Blob<Dtype>*>& inputs,
                              const Blob<Dtype>& top_diff, int in_place) {
  vector<std::unique_ptr<Blob<Dtype>>> copies;
  vector<Blob<Dtype>*> bottoms;
  for (Blob<Dtype>* input : inputs) {
    copies.push_back(std::make_unique<Blob<Dtype>>());
    copies.back()->CopyFrom(*input, false, true);
    bottoms.push_back(copies.back().get());
  }
  Blob<Dtype> separate_top;
  Blob<Dtype>* top = in_place >= 0 ? bottoms[in_place] : &separate_top;
  vector<Blob<Dtype>*> tops{top};
  auto layer = MakeLayer<Dtype>(text);
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  vector<Dtype> result(top->cpu_data(), top->cpu_data() + top->count());
  caffe_copy(top->count(), top_diff.cpu_data(), top->mutable_cpu_diff());
  layer->Backward(tops, vector<bool>(bottoms.size(), true), bottoms);
  for (Blob<Dtype>* b : bottoms) result.insert(result.end(), b->cpu_diff(), b->cpu_diff() + b->count());
  return result;
}

}  // namespace caffe
