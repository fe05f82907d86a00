// MemoryDataLayer: serves batches from arrays held in memory (upstream's
// "MemoryData"), the layer behind pycaffe's Net.set_input_arrays.
//
// memory_data_param gives batch_size, channels, height and width. Tops:
// data (batch_size x channels x height x width) and label (batch_size).
// Reset(data, labels, n) points the layer at n items (n a multiple of
// batch_size); each Forward copies the next batch into the tops and wraps
// around after the last one. No transform_param is applied.
//
// Ownership: the layer reads the arrays given to Reset in place. `owner`,
// when given, is kept until the next Reset or the layer's destruction, so
// the caller can tie the arrays' lifetime to the layer (pycaffe passes its
// numpy arrays this way); without it they must outlive the layer's use.
// A Forward before any Reset throws ConfigError. Not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class MemoryDataLayer : public Layer<Dtype> {
 public:
  explicit MemoryDataLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;

  const char* type() const override { return "MemoryData"; }
  int ExactNumBottomBlobs() const override { return 0; }
  int ExactNumTopBlobs() const override { return 2; }

  // `data` holds n x channels x height x width values, `labels` n values.
  // Throws ShapeError unless n is a positive multiple of batch_size.
  void Reset(const Dtype* data, const Dtype* labels, int n,
             std::shared_ptr<const void> owner = nullptr);
  // Changes the batch size; the items given to Reset must still divide into it.
  void set_batch_size(int batch_size);

  int batch_size() const { return batch_size_; }
  int channels() const { return channels_; }
  int height() const { return height_; }
  int width() const { return width_; }
  // Index of the first item of the next batch.
  int position() const { return position_; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}

 private:
  int batch_size_ = 0, channels_ = 0, height_ = 0, width_ = 0;
  std::shared_ptr<const void> owner_;
  const Dtype* data_ = nullptr;
  const Dtype* labels_ = nullptr;
  int n_ = 0;
  int position_ = 0;
};

}  // namespace caffe
