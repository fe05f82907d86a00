// DummyDataLayer: produces tops filled by fillers, for tests and benchmarks.
// Shapes: dummy_data_param.shape (one for all tops or one per top), or the
// legacy num/channels/height/width lists (each one value or one per top).
// data_filler: none (constant 0), one shared by all tops, or one per top.
// Tops with a constant filler are filled once, at setup; the others are
// refilled on every Forward (drawing from the thread's RNG), as upstream.
//
// Ownership: owns its fillers. Not thread-safe.
#pragma once

#include <vector>

#include "caffe/filler.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class DummyDataLayer : public Layer<Dtype> {
 public:
  explicit DummyDataLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // The shapes are fixed at setup.
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}

  const char* type() const override { return "DummyData"; }
  int ExactNumBottomBlobs() const override { return 0; }
  int MinTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}

 private:
  // One filler shared by all tops, or one per top.
  vector<shared_ptr<Filler<Dtype>>> fillers_;
  // Whether each filler is constant (filled once, at setup).
  vector<bool> constant_;
};

}  // namespace caffe
