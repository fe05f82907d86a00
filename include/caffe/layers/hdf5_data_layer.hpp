// HDF5DataLayer: reads batches from HDF5 files (upstream's "HDF5Data").
//
// hdf5_data_param.source is a text file listing HDF5 files, one per line
// (paths as given, relative to the working directory). Each top reads the
// dataset of the same name (e.g. tops "data" and "label" read datasets
// "data" and "label"); the datasets of one file have the same number of rows
// (first dimension), and each Forward takes batch_size rows, moving on to the
// next file and wrapping around at the end. Float, double and integer
// datasets are read, converted to Dtype. With shuffle, the order of files and
// of rows within each file is shuffled with caffe's RNG on every pass.
// One file at a time is held in memory.
//
// Errors: IOError (list or HDF5 file missing), ConfigError (empty list,
// batch_size 0), DataError (dataset missing, not numeric), ShapeError
// (datasets of one file with different row counts, or files whose rows
// differ in shape). Not thread-safe.
#pragma once

#include <vector>

#include "caffe/layer.hpp"

namespace caffe {

template <typename Dtype>
class HDF5DataLayer : public Layer<Dtype> {
 public:
  explicit HDF5DataLayer(const LayerParameter& param) : Layer<Dtype>(param) {}
  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  // Shapes are fixed at setup.
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override {}
  void SkipForwardPasses(int64_t passes) override;

  const char* type() const override { return "HDF5Data"; }
  int ExactNumBottomBlobs() const override { return 0; }
  int MinTopBlobs() const override { return 1; }

  const vector<string>& files() const { return files_; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override {}

 private:
  // Loads files_[file_order_[current_file_]] into file_blobs_.
  void LoadFile();
  // Moves to the next row, loading the next file when this one is used up.
  void Advance();

  vector<string> files_;
  vector<int> file_order_;
  int current_file_ = 0;
  // The current file's datasets, one per top, and the order of their rows.
  vector<shared_ptr<Blob<Dtype>>> file_blobs_;
  vector<int> row_order_;
  int current_row_ = 0;
  // Row shape of each top (its dataset's shape without the first axis).
  vector<vector<int>> row_shapes_;
};

}  // namespace caffe
