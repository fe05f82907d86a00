#include "caffe/layers/hdf5_output_layer.hpp"

#include <cstdio>

#include "caffe/layer_factory.hpp"
#include "caffe/util/hdf5_io.hpp"

namespace caffe {

// The open temporary file and its two growing datasets.
template <typename Dtype>
struct HDF5OutputLayer<Dtype>::Writer {
  string temporary;
  hdf5::Handle file;
  std::unique_ptr<hdf5::AppendableDataset> data, label;
};

template <typename Dtype>
HDF5OutputLayer<Dtype>::HDF5OutputLayer(const LayerParameter& param)
    : Layer<Dtype>(param), file_name_(param.hdf5_output_param().file_name()) {}

template <typename Dtype>
HDF5OutputLayer<Dtype>::~HDF5OutputLayer() {
  if (!writer_ || !writer_->file.valid()) return;
  const bool flushed = H5Fflush(writer_->file.get(), H5F_SCOPE_GLOBAL) >= 0;
  writer_->data.reset();
  writer_->label.reset();
  writer_->file.Reset();
  if (!flushed || std::rename(writer_->temporary.c_str(), file_name_.c_str()) != 0) {
    // A destructor cannot throw: say what happened and leave the temporary file.
    LOG(ERROR) << this->Describe() << ": could not move " << writer_->temporary << " to "
               << file_name_;
  }
}

template <typename Dtype>
void HDF5OutputLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(!file_name_.empty(), ConfigError, this->Describe(),
                " needs hdf5_output_param.file_name");
  writer_ = std::make_unique<Writer>();
  writer_->temporary = file_name_ + ".tmp";
  writer_->file = hdf5::CreateFile(writer_->temporary);
}

template <typename Dtype>
int64_t HDF5OutputLayer<Dtype>::rows() const {
  return writer_ && writer_->data ? static_cast<int64_t>(writer_->data->rows()) : 0;
}

template <typename Dtype>
void HDF5OutputLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                         const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 1 && bottom[1]->num_axes() >= 1 &&
                    bottom[0]->shape(0) == bottom[1]->shape(0),
                ShapeError, this->Describe(), ": bottoms ", bottom[0]->shape_string(), " and ",
                bottom[1]->shape_string(), " must have the same number of rows");
  const char* names[] = {"data", "label"};
  std::unique_ptr<hdf5::AppendableDataset>* datasets[] = {&writer_->data, &writer_->label};
  for (int i = 0; i < 2; ++i) {
    const vector<int>& shape = bottom[i]->shape();
    const vector<int> row_shape(shape.begin() + 1, shape.end());
    std::unique_ptr<hdf5::AppendableDataset>& dataset = *datasets[i];
    if (!dataset) {
      dataset = std::make_unique<hdf5::AppendableDataset>(
          hdf5::AppendableDataset::Create<Dtype>(writer_->file.get(), names[i], row_shape,
                                                 file_name_));
    }
    CAFFE_REQUIRE(dataset->row_shape() == row_shape, ShapeError, this->Describe(), ": bottom ",
                  i, " has rows of shape ", ShapeString(row_shape), " but earlier batches had ",
                  ShapeString(dataset->row_shape()));
    dataset->Append(bottom[i]->cpu_data(), shape[0]);
  }
}

INSTANTIATE_CLASS(HDF5OutputLayer);
REGISTER_LAYER_CLASS(HDF5Output);

}  // namespace caffe
