#include "caffe/layers/split_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void SplitLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  for (size_t i = 0; i < top.size(); ++i) {
    // A top that is the bottom would make the summed gradient overwrite itself.
    CAFFE_REQUIRE(top[i] != bottom[0], ConfigError, this->Describe(),
                  " cannot run in place (top ", i, " is the bottom)");
    top[i]->ReshapeLike(*bottom[0]);
  }
}

template <typename Dtype>
void SplitLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  for (Blob<Dtype>* t : top) t->ShareData(*bottom[0]);
}

template <typename Dtype>
void SplitLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  if (top.size() == 1) {
    caffe_copy(count, top[0]->cpu_diff(), bottom_diff);
    return;
  }
  caffe_add(count, top[0]->cpu_diff(), top[1]->cpu_diff(), bottom_diff);
  for (size_t i = 2; i < top.size(); ++i) {
    caffe_axpy(count, Dtype(1), top[i]->cpu_diff(), bottom_diff);
  }
}

INSTANTIATE_CLASS(SplitLayer);
REGISTER_LAYER_CLASS(Split);

}  // namespace caffe
