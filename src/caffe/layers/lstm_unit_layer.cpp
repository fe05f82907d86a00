#include "caffe/layers/lstm_unit_layer.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"

namespace caffe {

namespace {

template <typename Dtype>
Dtype Sigmoid(Dtype x) {
  return Dtype(1) / (Dtype(1) + std::exp(-x));
}

}  // namespace

template <typename Dtype>
void LSTMUnitLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                   const vector<Blob<Dtype>*>& top) {
  for (Blob<Dtype>* t : top) {
    for (Blob<Dtype>* b : bottom) {
      // Backward needs c_prev and the gate inputs after Forward wrote c and h.
      CAFFE_REQUIRE(t != b, ConfigError, this->Describe(), " cannot run in place");
    }
  }
  CAFFE_REQUIRE(bottom[0]->num_axes() == 3 && bottom[0]->shape(0) == 1, ShapeError,
                this->Describe(), ": bottom 0 (c_prev) must be (1, N, D), got ",
                bottom[0]->shape_string());
  const int num = bottom[0]->shape(1);
  hidden_dim_ = bottom[0]->shape(2);
  CAFFE_REQUIRE(bottom[1]->num_axes() == 3 && bottom[1]->shape(0) == 1 &&
                    bottom[1]->shape(1) == num && bottom[1]->shape(2) == 4 * hidden_dim_,
                ShapeError, this->Describe(), ": bottom 1 (gate input) must be (1, ", num, ", ",
                4 * hidden_dim_, ") for c_prev ", bottom[0]->shape_string(), ", got ",
                bottom[1]->shape_string());
  CAFFE_REQUIRE(bottom[2]->num_axes() == 2 && bottom[2]->shape(0) == 1 &&
                    bottom[2]->shape(1) == num,
                ShapeError, this->Describe(), ": bottom 2 (cont) must be (1, ", num, "), got ",
                bottom[2]->shape_string());
  top[0]->ReshapeLike(*bottom[0]);
  top[1]->ReshapeLike(*bottom[0]);
  gate_acts_.ReshapeLike(*bottom[1]);
}

template <typename Dtype>
void LSTMUnitLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  const int num = bottom[0]->shape(1);
  const int dim = hidden_dim_;
  const Dtype* c_prev = bottom[0]->cpu_data();
  const Dtype* gates = bottom[1]->cpu_data();
  const Dtype* cont = bottom[2]->cpu_data();
  Dtype* acts = gate_acts_.mutable_cpu_data();
  Dtype* c = top[0]->mutable_cpu_data();
  Dtype* h = top[1]->mutable_cpu_data();
  for (int n = 0; n < num; ++n) {
    for (int d = 0; d < dim; ++d) {
      const Dtype i = Sigmoid(gates[d]);
      const Dtype f = cont[n] == 0 ? Dtype(0) : cont[n] * Sigmoid(gates[dim + d]);
      const Dtype o = Sigmoid(gates[2 * dim + d]);
      const Dtype g = std::tanh(gates[3 * dim + d]);
      c[d] = f * c_prev[d] + i * g;
      h[d] = o * std::tanh(c[d]);
      acts[d] = i;
      acts[dim + d] = f;
      acts[2 * dim + d] = o;
      acts[3 * dim + d] = g;
    }
    c_prev += dim;
    gates += 4 * dim;
    acts += 4 * dim;
    c += dim;
    h += dim;
  }
}

template <typename Dtype>
void LSTMUnitLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                        const vector<bool>& propagate_down,
                                        const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(!propagate_down[2], ConfigError, this->Describe(),
                ": cannot backpropagate to the sequence continuation indicators (bottom 2)");
  if (!propagate_down[0] && !propagate_down[1]) return;
  const int num = bottom[0]->shape(1);
  const int dim = hidden_dim_;
  const Dtype* c_prev = bottom[0]->cpu_data();
  const Dtype* acts = gate_acts_.cpu_data();
  const Dtype* c = top[0]->cpu_data();
  const Dtype* c_diff = top[0]->cpu_diff();
  const Dtype* h_diff = top[1]->cpu_diff();
  Dtype* c_prev_diff = bottom[0]->mutable_cpu_diff();
  Dtype* gates_diff = bottom[1]->mutable_cpu_diff();
  for (int n = 0; n < num; ++n) {
    for (int d = 0; d < dim; ++d) {
      const Dtype i = acts[d];
      const Dtype f = acts[dim + d];
      const Dtype o = acts[2 * dim + d];
      const Dtype g = acts[3 * dim + d];
      const Dtype tanh_c = std::tanh(c[d]);
      // Total gradient reaching c: directly, and through h = o * tanh(c).
      const Dtype c_total_diff = c_diff[d] + h_diff[d] * o * (1 - tanh_c * tanh_c);
      c_prev_diff[d] = c_total_diff * f;
      // f already includes cont, so its derivative is exact for cont in {0, 1}
      // (the values cont takes), as upstream.
      gates_diff[d] = c_total_diff * g * i * (1 - i);
      gates_diff[dim + d] = c_total_diff * c_prev[d] * f * (1 - f);
      gates_diff[2 * dim + d] = h_diff[d] * tanh_c * o * (1 - o);
      gates_diff[3 * dim + d] = c_total_diff * i * (1 - g * g);
    }
    c_prev += dim;
    acts += 4 * dim;
    c += dim;
    c_diff += dim;
    h_diff += dim;
    c_prev_diff += dim;
    gates_diff += 4 * dim;
  }
}

INSTANTIATE_CLASS(LSTMUnitLayer);
REGISTER_LAYER_CLASS(LSTMUnit);

}  // namespace caffe
