// How the triplet layers (TripletLoss, TripletAccuracy) check their setup and
// read their bottoms: either one blob stacking N anchors, N positives and N
// negatives (3N rows), or three blobs of one shape. Internal: not part of the
// public API.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

// The setup checks both layers make: one stacked bottom or three, and a
// usable triplet_loss_param. ConfigError prefixed with `layer`.
inline void CheckTripletSetup(size_t bottoms, const TripletLossParameter& param,
                              const string& layer) {
  CAFFE_REQUIRE(bottoms == 1 || bottoms == 3, ConfigError, layer,
                " takes one stacked bottom (3N x D) or three (anchor, positive, negative), got ",
                bottoms);
  CAFFE_REQUIRE(param.eps() >= 0, ConfigError, layer,
                ": triplet_loss_param.eps must not be negative, got ", param.eps());
}

// The number of triplets N in `bottom`; ShapeError, prefixed with `layer`
// (the layer's Describe()), when the bottoms hold no whole triplets.
template <typename Dtype>
int CountTriplets(const std::vector<Blob<Dtype>*>& bottom, const string& layer) {
  const Blob<Dtype>& first = *bottom[0];
  CAFFE_REQUIRE(first.num_axes() >= 1, ShapeError, layer,
                " needs embeddings with at least one axis, got shape ", first.shape_string());
  if (bottom.size() == 1) {
    CAFFE_REQUIRE(first.shape(0) > 0 && first.shape(0) % 3 == 0, ShapeError, layer,
                  ": a single bottom must stack anchors, positives and negatives (3N rows, "
                  "N >= 1), got shape ",
                  first.shape_string());
    return first.shape(0) / 3;
  }
  for (size_t i = 1; i < bottom.size(); ++i) {
    CAFFE_REQUIRE(bottom[i]->shape() == first.shape(), ShapeError, layer, ": bottom ", i,
                  " has shape ", bottom[i]->shape_string(), " but bottom 0 (anchors) has ",
                  first.shape_string());
  }
  CAFFE_REQUIRE(first.shape(0) > 0, ShapeError, layer, " needs at least one triplet, got shape ",
                first.shape_string());
  return first.shape(0);
}

}  // namespace caffe
