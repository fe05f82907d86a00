// EmbedLayer<Dtype> (type "Embed"): a lookup table. Every element of the
// bottom is an index in [0, input_dim) stored as a number; the top has the
// bottom's shape plus a last axis of num_output, holding row `index` of the
// (input_dim, num_output) weight matrix, plus the bias (num_output) when
// bias_term. An element that is not an integer in range throws DataError
// naming the layer and the element. The indices receive no gradient.
// Owns its parameter blobs. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class EmbedLayer : public Layer<Dtype> {
 public:
  explicit EmbedLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Embed"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }
  bool AllowForceBackward(int bottom_index) const override { return false; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // The row selected by element i of the bottom; throws DataError.
  int IndexAt(const Dtype* bottom_data, int i) const;

  int M_ = 0;  // number of indices
  int K_ = 0;  // input_dim
  int N_ = 0;  // num_output
  bool bias_term_ = true;
  Blob<Dtype> bias_multiplier_;
};

}  // namespace caffe
