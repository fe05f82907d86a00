#include "caffe/layers/batch_reindex_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void BatchReindexLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[1]->num_axes() == 1, ShapeError, this->Describe(),
                ": the index bottom must be 1-D, got shape ", bottom[1]->shape_string());
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 1, ShapeError, this->Describe(),
                ": bottom 0 needs at least one axis, got shape ", bottom[0]->shape_string());
  vector<int> shape = bottom[0]->shape();
  shape[0] = bottom[1]->shape(0);
  top[0]->Reshape(shape);
}

template <typename Dtype>
void BatchReindexLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                           const vector<Blob<Dtype>*>& top) {
  const int num_items = bottom[0]->shape(0);
  const int num_indices = bottom[1]->count();
  const Dtype* index = bottom[1]->cpu_data();
  for (int i = 0; i < num_indices; ++i) {
    CAFFE_REQUIRE(index[i] >= 0 && index[i] < num_items, DataError, this->Describe(),
                  ": index ", index[i], " at position ", i, " is outside the batch of ",
                  num_items, " items");
  }
  const int dim = bottom[0]->count(1);
  const Dtype* x = bottom[0]->cpu_data();
  Dtype* y = top[0]->mutable_cpu_data();
  for (int i = 0; i < num_indices; ++i) {
    caffe_copy(dim, x + static_cast<int>(index[i]) * dim, y + i * dim);
  }
}

template <typename Dtype>
void BatchReindexLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                            const vector<bool>& propagate_down,
                                            const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(!propagate_down[1], ConfigError, this->Describe(),
                " cannot back-propagate to its index bottom");
  if (!propagate_down[0]) return;
  const int dim = bottom[0]->count(1);
  const int num_indices = bottom[1]->count();
  const Dtype* index = bottom[1]->cpu_data();
  const Dtype* dy = top[0]->cpu_diff();
  Dtype* dx = bottom[0]->mutable_cpu_diff();
  caffe_set(bottom[0]->count(), Dtype(0), dx);
  for (int i = 0; i < num_indices; ++i) {
    caffe_axpy(dim, Dtype(1), dy + i * dim, dx + static_cast<int>(index[i]) * dim);
  }
}

INSTANTIATE_CLASS(BatchReindexLayer);
REGISTER_LAYER_CLASS(BatchReindex);

}  // namespace caffe
