// CropLayer<Dtype> (type "Crop"): crops bottom 0 to the shape of bottom 1 on
// every axis from crop_param.axis (default 2) on; earlier axes are kept.
// crop_param.offset gives the start of the crop: none (0 everywhere), once
// (same for every cropped axis), or once per cropped axis. Bottom 1 only
// supplies the shape; its gradient is zero. Throws ShapeError when a crop
// does not fit, ConfigError for a wrong number of offsets. Owns nothing.
// Not thread-safe.
#pragma once

#include <vector>

#include "caffe/blob.hpp"
#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class CropLayer : public Layer<Dtype> {
 public:
  explicit CropLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Crop"; }
  int ExactNumBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 1; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // Copies between the full bottom and the cropped top; to_top selects the
  // direction. Walks every axis but the last, copying contiguous rows.
  void CopyCrop(const Blob<Dtype>* full, const Blob<Dtype>* cropped, bool to_top,
                const Dtype* source, Dtype* target) const;

  // The crop's start along every axis of bottom 0.
  vector<int> offsets_;
};

}  // namespace caffe
