// TripletAccuracyLayer (ours, type "TripletAccuracy"): the fraction of
// triplets of embeddings (anchor a, positive p, negative n) that are ordered
// correctly, d(a, p) < d(a, n). It is the score of a triplet net, the way
// Accuracy scores a classifier (the policy search ranks augmentation
// policies of triplet children by it).
//
// Bottoms, as TripletLoss: either one blob of shape 3N x ... (rows [0, N)
// anchors, [N, 2N) positives, [2N, 3N) negatives; the TripletData layer's
// STACKED layout) or three blobs of identical shape N x ... Each row (all
// axes after the first, D values) is one embedding; N >= 1.
//
// The distance is the one TripletLoss uses, read from the same
// triplet_loss_param (distance SQUARED_L2 or COSINE, normalize, eps), so one
// parameter block can be copied between the two layers; margin is not used.
// A tie (equal distances) counts as wrong. Distances are accumulated in
// double whatever Dtype is.
//
// Top: the fraction, a scalar in [0, 1]. Not a loss, and it has no gradient:
// Backward throws ConfigError if a gradient is asked for.
//
// Ownership: holds no buffers of its own. Not thread-safe (as every layer).
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class TripletAccuracyLayer : public Layer<Dtype> {
 public:
  explicit TripletAccuracyLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "TripletAccuracy"; }
  int MinBottomBlobs() const override { return 1; }
  int MaxBottomBlobs() const override { return 3; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // d(u, v) for two embeddings of dim_ values, after the optional
  // normalisation, as TripletLoss defines it.
  double Distance(const Dtype* u, const Dtype* v) const;

  double eps_ = 0;
  bool normalize_ = false;
  bool cosine_ = false;
  int num_ = 0;  // triplets
  int dim_ = 0;  // values per embedding
};

}  // namespace caffe
