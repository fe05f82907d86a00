#include "caffe/layers/swish_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
SwishLayer<Dtype>::SwishLayer(const LayerParameter& param) : NeuronLayer<Dtype>(param) {
  LayerParameter sigmoid_param;
  sigmoid_param.set_name(param.name() + "/sigmoid");
  sigmoid_param.set_type("Sigmoid");
  sigmoid_layer_ = std::make_unique<SigmoidLayer<Dtype>>(sigmoid_param);
  sigmoid_bottom_vec_ = {&sigmoid_input_};
  sigmoid_top_vec_ = {&sigmoid_output_};
}

template <typename Dtype>
void SwishLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                const vector<Blob<Dtype>*>& top) {
  NeuronLayer<Dtype>::Reshape(bottom, top);
  sigmoid_input_.ReshapeLike(*bottom[0]);
  sigmoid_layer_->Reshape(sigmoid_bottom_vec_, sigmoid_top_vec_);
}

template <typename Dtype>
void SwishLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  const int count = bottom[0]->count();
  const Dtype beta = this->layer_param_.swish_param().beta();
  caffe_cpu_scale(count, beta, bottom[0]->cpu_data(), sigmoid_input_.mutable_cpu_data());
  sigmoid_layer_->Forward(sigmoid_bottom_vec_, sigmoid_top_vec_);
  caffe_mul(count, bottom[0]->cpu_data(), sigmoid_output_.cpu_data(),
            top[0]->mutable_cpu_data());
}

template <typename Dtype>
void SwishLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                     const vector<bool>& propagate_down,
                                     const vector<Blob<Dtype>*>& bottom) {
  if (!propagate_down[0]) return;
  const int count = bottom[0]->count();
  const Dtype beta = this->layer_param_.swish_param().beta();
  const Dtype* y = top[0]->cpu_data();
  const Dtype* sigmoid = sigmoid_output_.cpu_data();
  const Dtype* top_diff = top[0]->cpu_diff();
  Dtype* bottom_diff = bottom[0]->mutable_cpu_diff();
  // d/dx [x s(bx)] = s + b x s (1 - s) = b y + s (1 - b y).
  for (int i = 0; i < count; ++i) {
    bottom_diff[i] = top_diff[i] * (beta * y[i] + sigmoid[i] * (Dtype(1) - beta * y[i]));
  }
}

INSTANTIATE_CLASS(SwishLayer);
REGISTER_LAYER_CLASS(Swish);

}  // namespace caffe
