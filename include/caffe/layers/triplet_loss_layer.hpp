// TripletLossLayer (ours, type "TripletLoss"): the hinge loss of triplets of
// embeddings (anchor a, positive p, negative n).
//
// Bottoms, either
//   - one blob of shape 3N x ... (the triplet data layer's STACKED layout):
//     rows [0, N) are anchors, [N, 2N) positives, [2N, 3N) negatives; or
//   - three blobs of identical shape N x ...: anchors, positives, negatives.
// Each row (all axes after the first, D values) is one embedding; N >= 1.
//
// With triplet_loss_param (margin default 0.2, distance default SQUARED_L2):
//   e   = x / sqrt(|x|^2 + eps) per row when `normalize` is set, else x;
//   d(u, v) = |u - v|^2                                  (SQUARED_L2)
//           = 1 - u^ . v^, u^ = u / sqrt(|u|^2 + eps)      (COSINE);
//   loss = (1/N) sum_k max(0, margin + d(a_k, p_k) - d(a_k, n_k)).
// eps defaults to 1e-10. A triplet is active when its hinge term is
// strictly positive; inactive ones contribute neither loss nor gradient.
//
// Tops: the loss (a scalar; loss_weight 1 unless given), and optionally the
// fraction of active triplets (a scalar; loss_weight 0 unless given, and
// never back-propagated). Backward is the exact gradient, including through
// the normalisations, to every bottom with propagate_down, scaled by the
// loss top's diff (its loss weight).
//
// Ownership: owns its work buffers. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class TripletLossLayer : public Layer<Dtype> {
 public:
  explicit TripletLossLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "TripletLoss"; }
  int MinBottomBlobs() const override { return 1; }
  int MaxBottomBlobs() const override { return 3; }
  int MinTopBlobs() const override { return 1; }
  int MaxTopBlobs() const override { return 2; }
  bool AutoTopBlobs() const override { return true; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  Dtype margin_ = 0;
  Dtype eps_ = 0;
  bool normalize_ = false;
  TripletLossParameter::Distance distance_ = TripletLossParameter::SQUARED_L2;
  int num_ = 0;  // triplets
  int dim_ = 0;  // values per embedding

  // All 3N embeddings as anchors, positives, negatives (N x D blocks):
  // e after the optional normalisation, and for COSINE its unit vectors.
  vector<Dtype> embedding_;
  vector<Dtype> embedding_norms_;
  vector<Dtype> unit_;
  vector<Dtype> unit_norms_;
  // Whether triplet k's hinge term was positive in the last Forward.
  vector<bool> active_;
  vector<Dtype> grad_;
};

}  // namespace caffe
