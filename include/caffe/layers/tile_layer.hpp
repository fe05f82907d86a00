// TileLayer: repeats the bottom `tiles` times along tile_param.axis
// (default 1): the block of all axes from `axis` on is copied `tiles` times
// in a row, so axis `axis` grows by that factor. E.g. N x C with axis 1 and
// tiles 3 -> N x 3C holding [x x x] per row. Backward sums the copies.
// Runs in place only with tiles 1 (a copy-free identity).
//
// Ownership: the layer owns nothing. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class TileLayer : public Layer<Dtype> {
 public:
  explicit TileLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "Tile"; }
  int ExactNumBottomBlobs() const override { return 1; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  int tiles_ = 0;
  // Product of the dims before `axis`, and from `axis` on.
  int outer_dim_ = 0;
  int inner_dim_ = 0;
};

}  // namespace caffe
