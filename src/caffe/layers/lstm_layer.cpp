#include "caffe/layers/lstm_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void LSTMLayer<Dtype>::RecurrentInputBlobNames(vector<string>* names) const {
  *names = {"h_0", "c_0"};
}

template <typename Dtype>
void LSTMLayer<Dtype>::RecurrentOutputBlobNames(vector<string>* names) const {
  *names = {"h_" + std::to_string(this->T_), "c_T"};
}

template <typename Dtype>
void LSTMLayer<Dtype>::RecurrentInputShapes(vector<BlobShape>* shapes) const {
  shapes->assign(2, BlobShape());
  for (BlobShape& shape : *shapes) {
    shape.add_dim(1);
    shape.add_dim(this->N_);
    shape.add_dim(this->layer_param_.recurrent_param().num_output());
  }
}

template <typename Dtype>
void LSTMLayer<Dtype>::OutputBlobNames(vector<string>* names) const {
  *names = {"h"};
}

namespace {

LayerParameter* AddLayer(NetParameter* net_param, const string& name, const string& type,
                         const vector<string>& bottoms, const vector<string>& tops) {
  LayerParameter* layer = net_param->add_layer();
  layer->set_name(name);
  layer->set_type(type);
  for (const string& bottom : bottoms) layer->add_bottom(bottom);
  for (const string& top : tops) layer->add_top(top);
  return layer;
}

// An InnerProduct to the 4 gates over `axis`, with named (hence shared)
// parameters.
LayerParameter* AddGateProduct(NetParameter* net_param, const string& name, const string& bottom,
                               const string& top, int axis, const RecurrentParameter& recurrent,
                               const string& weight_name, const string& bias_name) {
  LayerParameter* layer = AddLayer(net_param, name, "InnerProduct", {bottom}, {top});
  InnerProductParameter* ip = layer->mutable_inner_product_param();
  ip->set_num_output(4 * recurrent.num_output());
  ip->set_axis(axis);
  ip->mutable_weight_filler()->CopyFrom(recurrent.weight_filler());
  layer->add_param()->set_name(weight_name);
  ip->set_bias_term(!bias_name.empty());
  if (!bias_name.empty()) {
    ip->mutable_bias_filler()->CopyFrom(recurrent.bias_filler());
    layer->add_param()->set_name(bias_name);
  }
  return layer;
}

}  // namespace

template <typename Dtype>
void LSTMLayer<Dtype>::FillUnrolledNet(NetParameter* net_param) const {
  const RecurrentParameter& recurrent = this->layer_param_.recurrent_param();
  const int num_output = recurrent.num_output();
  vector<BlobShape> state_shapes;
  RecurrentInputShapes(&state_shapes);

  LayerParameter* state_input = AddLayer(net_param, "state_input", "Input", {}, {"c_0", "h_0"});
  state_input->mutable_input_param()->add_shape()->CopyFrom(state_shapes[1]);
  state_input->mutable_input_param()->add_shape()->CopyFrom(state_shapes[0]);

  LayerParameter* cont_slice = AddLayer(net_param, "cont_slice", "Slice", {"cont"}, {});
  cont_slice->mutable_slice_param()->set_axis(0);

  // All time steps' input terms in one product: W_xc_x = W_xc x + b_c.
  AddGateProduct(net_param, "x_transform", "x", "W_xc_x", 2, recurrent, "W_xc", "b_c")
      ->add_propagate_down(true);
  if (this->static_input_) {
    AddGateProduct(net_param, "W_xc_x_static", "x_static", "W_xc_x_static_preshape", 1,
                   recurrent, "W_xc_static", "")
        ->add_propagate_down(true);
    // (N, 4D) -> (1, N, 4D) so it adds to one time step; N is inferred so
    // the batch size may change.
    LayerParameter* reshape = AddLayer(net_param, "W_xc_x_static_reshape", "Reshape",
                                       {"W_xc_x_static_preshape"}, {"W_xc_x_static"});
    BlobShape* shape = reshape->mutable_reshape_param()->mutable_shape();
    shape->add_dim(1);
    shape->add_dim(-1);
    shape->add_dim(4 * num_output);
  }
  LayerParameter* x_slice = AddLayer(net_param, "W_xc_x_slice", "Slice", {"W_xc_x"}, {});
  x_slice->mutable_slice_param()->set_axis(0);

  LayerParameter output_concat;
  output_concat.set_name("h_concat");
  output_concat.set_type("Concat");
  output_concat.add_top("h");
  output_concat.mutable_concat_param()->set_axis(0);

  for (int t = 1; t <= this->T_; ++t) {
    const string prev = std::to_string(t - 1);
    const string now = std::to_string(t);
    cont_slice->add_top("cont_" + now);
    x_slice->add_top("W_xc_x_" + now);
    // cont_t = 0 starts a new sequence: the previous hidden state is dropped
    // here and the previous cell state inside the LSTMUnit.
    AddLayer(net_param, "h_conted_" + prev, "Scale", {"h_" + prev, "cont_" + now},
             {"h_conted_" + prev})
        ->mutable_scale_param()
        ->set_axis(0);
    AddGateProduct(net_param, "transform_" + now, "h_conted_" + prev, "W_hc_h_" + prev, 2,
                   recurrent, "W_hc", "");
    vector<string> sum_inputs = {"W_hc_h_" + prev, "W_xc_x_" + now};
    if (this->static_input_) sum_inputs.push_back("W_xc_x_static");
    AddLayer(net_param, "gate_input_" + now, "Eltwise", sum_inputs, {"gate_input_" + now})
        ->mutable_eltwise_param()
        ->set_operation(EltwiseParameter::SUM);
    AddLayer(net_param, "unit_" + now, "LSTMUnit",
             {"c_" + prev, "gate_input_" + now, "cont_" + now}, {"c_" + now, "h_" + now});
    output_concat.add_bottom("h_" + now);
  }
  // The final cell state under a fixed name.
  AddLayer(net_param, "c_T_copy", "Split", {"c_" + std::to_string(this->T_)}, {"c_T"});
  net_param->add_layer()->CopyFrom(output_concat);
}

INSTANTIATE_CLASS(LSTMLayer);
REGISTER_LAYER_CLASS(LSTM);

}  // namespace caffe
