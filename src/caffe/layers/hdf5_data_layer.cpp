#include "caffe/layers/hdf5_data_layer.hpp"

#include <algorithm>
#include <climits>
#include <fstream>
#include <numeric>

#include "caffe/layer_factory.hpp"
#include "caffe/util/hdf5_io.hpp"
#include "caffe/util/rng.hpp"

namespace caffe {

template <typename Dtype>
void HDF5DataLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
  const HDF5DataParameter& param = this->layer_param_.hdf5_data_param();
  CAFFE_REQUIRE(param.batch_size() > 0, ConfigError, this->Describe(),
                " needs hdf5_data_param.batch_size > 0");
  const string& source = param.source();
  std::ifstream list(source);
  CAFFE_REQUIRE(list.good(), IOError, this->Describe(), ": cannot open the HDF5 file list '",
                source, "'");
  files_.clear();
  string line;
  while (std::getline(list, line)) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == string::npos) continue;
    const size_t end = line.find_last_not_of(" \t\r");
    files_.push_back(line.substr(begin, end - begin + 1));
  }
  CAFFE_REQUIRE(!files_.empty(), ConfigError, this->Describe(), ": the HDF5 file list '",
                source, "' names no files");
  LOG(INFO) << this->Describe() << ": " << files_.size() << " HDF5 file(s) listed in " << source;

  file_order_.resize(files_.size());
  std::iota(file_order_.begin(), file_order_.end(), 0);
  if (param.shuffle()) shuffle(file_order_.begin(), file_order_.end());
  current_file_ = 0;
  row_shapes_.clear();
  LoadFile();

  const int batch_size = static_cast<int>(param.batch_size());
  for (size_t i = 0; i < top.size(); ++i) {
    vector<int> shape{batch_size};
    shape.insert(shape.end(), row_shapes_[i].begin(), row_shapes_[i].end());
    top[i]->Reshape(shape);
  }
}

template <typename Dtype>
void HDF5DataLayer<Dtype>::LoadFile() {
  const string& file = files_[file_order_[current_file_]];
  hdf5::Handle handle = hdf5::OpenFile(file);
  const int num_tops = this->layer_param_.top_size();
  file_blobs_.resize(num_tops);
  int rows = -1;
  for (int i = 0; i < num_tops; ++i) {
    const string& dataset = this->layer_param_.top(i);
    if (!file_blobs_[i]) file_blobs_[i] = std::make_shared<Blob<Dtype>>();
    hdf5::ReadDataset(handle.get(), dataset, 1, INT_MAX, file_blobs_[i].get(), file);
    const vector<int>& shape = file_blobs_[i]->shape();
    const vector<int> row_shape(shape.begin() + 1, shape.end());
    if (i == 0) rows = shape[0];
    CAFFE_REQUIRE(shape[0] == rows, ShapeError, this->Describe(), ": in ", file, " dataset '",
                  dataset, "' has ", shape[0], " rows but '", this->layer_param_.top(0),
                  "' has ", rows);
    if (static_cast<int>(row_shapes_.size()) <= i) {
      row_shapes_.push_back(row_shape);
    } else {
      CAFFE_REQUIRE(row_shapes_[i] == row_shape, ShapeError, this->Describe(), ": in ", file,
                    " dataset '", dataset, "' has rows of shape ", ShapeString(row_shape),
                    " but earlier files had ", ShapeString(row_shapes_[i]));
    }
  }
  CAFFE_REQUIRE(rows > 0, DataError, this->Describe(), ": ", file, " has no rows");
  row_order_.resize(rows);
  std::iota(row_order_.begin(), row_order_.end(), 0);
  if (this->layer_param_.hdf5_data_param().shuffle()) {
    shuffle(row_order_.begin(), row_order_.end());
  }
  current_row_ = 0;
}

template <typename Dtype>
void HDF5DataLayer<Dtype>::Advance() {
  if (++current_row_ < static_cast<int>(row_order_.size())) return;
  if (++current_file_ == static_cast<int>(files_.size())) {
    current_file_ = 0;
    if (this->layer_param_.hdf5_data_param().shuffle()) {
      shuffle(file_order_.begin(), file_order_.end());
    }
  }
  // With a single file its rows stay in memory; only their order changes.
  if (files_.size() > 1) {
    LoadFile();
  } else {
    current_row_ = 0;
    if (this->layer_param_.hdf5_data_param().shuffle()) {
      shuffle(row_order_.begin(), row_order_.end());
    }
  }
}

template <typename Dtype>
void HDF5DataLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const int batch_size = static_cast<int>(this->layer_param_.hdf5_data_param().batch_size());
  for (int b = 0; b < batch_size; ++b) {
    const int row = row_order_[current_row_];
    for (size_t i = 0; i < top.size(); ++i) {
      const int row_size = file_blobs_[i]->count(1);
      const Dtype* source = file_blobs_[i]->cpu_data() + static_cast<size_t>(row) * row_size;
      std::copy(source, source + row_size,
                top[i]->mutable_cpu_data() + static_cast<size_t>(b) * row_size);
    }
    Advance();
  }
}

template <typename Dtype>
void HDF5DataLayer<Dtype>::SkipForwardPasses(int64_t passes) {
  const int64_t rows = passes * this->layer_param_.hdf5_data_param().batch_size();
  for (int64_t i = 0; i < rows; ++i) Advance();
}

INSTANTIATE_CLASS(HDF5DataLayer);
REGISTER_LAYER_CLASS(HDF5Data);

}  // namespace caffe
