// SPPLayer<Dtype> (type "SPP"): spatial pyramid pooling of a 4-D
// (num, channels, height, width) bottom. Level l (0 <= l < pyramid_height)
// pools each channel into about 2^l x 2^l bins with kernel
// ceil(extent / 2^l), stride = kernel and pad ceil((kernel * 2^l - extent) / 2),
// using spp_param.pool (MAX, AVE or STOCHASTIC, as in PoolingLayer). The top
// is (num, channels * sum of bins per level): each level flattened
// channel-major, levels in order. With pyramid_height 1 the top keeps the
// pooled shape (num, channels, 1, 1), as upstream.
// Owns one internal PoolingLayer per level, rebuilt when the bottom's
// spatial extent changes. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class SPPLayer : public Layer<Dtype> {
 public:
  explicit SPPLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "SPP"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // The pooling parameters of one pyramid level for an image of the given
  // extent.
  LayerParameter LevelParam(int level, int height, int width) const;

  int pyramid_height_ = 0;
  int height_ = -1, width_ = -1;
  vector<shared_ptr<Layer<Dtype>>> levels_;
  vector<shared_ptr<Blob<Dtype>>> level_tops_;
  // Per item: where each level starts in a top row, and the row length.
  vector<int> level_starts_;
  int top_row_ = 0;
  // Shares the bottom's data with a private diff, so that each level's
  // backward pass can be summed into the bottom's gradient.
  Blob<Dtype> level_bottom_;
};

}  // namespace caffe
