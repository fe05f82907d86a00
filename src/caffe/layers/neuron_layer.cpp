#include "caffe/layers/neuron_layer.hpp"

namespace caffe {

template <typename Dtype>
void NeuronLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  top[0]->ReshapeLike(*bottom[0]);
}

template <typename Dtype>
void NeuronLayer<Dtype>::SaveInputIfInPlace(const vector<Blob<Dtype>*>& bottom,
                                            const vector<Blob<Dtype>*>& top) {
  if (!InPlace(bottom, top)) return;
  saved_input_.ReshapeLike(*bottom[0]);
  caffe_copy(bottom[0]->count(), bottom[0]->cpu_data(), saved_input_.mutable_cpu_data());
}

template <typename Dtype>
const Dtype* NeuronLayer<Dtype>::ForwardInput(const vector<Blob<Dtype>*>& bottom,
                                              const vector<Blob<Dtype>*>& top) const {
  return InPlace(bottom, top) ? saved_input_.cpu_data() : bottom[0]->cpu_data();
}

INSTANTIATE_CLASS(NeuronLayer);

}  // namespace caffe
