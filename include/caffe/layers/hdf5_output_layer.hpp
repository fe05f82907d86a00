// HDF5OutputLayer: writes its two bottoms to an HDF5 file (upstream's
// "HDF5Output"), e.g. features and labels computed by a net.
//
// hdf5_output_param.file_name names the file. Bottom 0 goes to dataset
// "data", bottom 1 to dataset "label"; every Forward appends the batch's rows
// (first axis), so after N forward passes of batch B each dataset has N*B
// rows. Datasets are float for Layer<float> and double for Layer<double>.
//
// The file is written under "<file_name>.tmp" and renamed to file_name when
// the layer is destroyed (when its net is), so an interrupted run never
// leaves a partial file under the final name; pycaffe users delete the net
// (or let it go out of scope) before reading the file.
//
// Errors: ConfigError (no file_name), IOError (file cannot be created or
// written), ShapeError (bottoms with different batch sizes, or a batch whose
// row shape differs from the first). Not thread-safe. No backward.
#pragma once

#include <memory>
#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class HDF5OutputLayer : public Layer<Dtype> {
 public:
  explicit HDF5OutputLayer(const LayerParameter& param);
  ~HDF5OutputLayer() override;
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}

  const char* type() const override { return "HDF5Output"; }
  int ExactNumBottomBlobs() const override { return 2; }
  int ExactNumTopBlobs() const override { return 0; }
  bool AllowForceBackward(int bottom_index) const override { return false; }

  const string& file_name() const { return file_name_; }
  // Rows written so far.
  int64_t rows() const;

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}

 private:
  struct Writer;
  string file_name_;
  std::unique_ptr<Writer> writer_;
};

}  // namespace caffe
