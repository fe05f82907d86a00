#include "caffe/layers/rnn_layer.hpp"

#include "caffe/layer_factory.hpp"

namespace caffe {

template <typename Dtype>
void RNNLayer<Dtype>::RecurrentInputBlobNames(vector<string>* names) const {
  *names = {"h_0"};
}

template <typename Dtype>
void RNNLayer<Dtype>::RecurrentOutputBlobNames(vector<string>* names) const {
  *names = {"h_" + std::to_string(this->T_)};
}

template <typename Dtype>
void RNNLayer<Dtype>::RecurrentInputShapes(vector<BlobShape>* shapes) const {
  shapes->assign(1, BlobShape());
  (*shapes)[0].add_dim(1);
  (*shapes)[0].add_dim(this->N_);
  (*shapes)[0].add_dim(this->layer_param_.recurrent_param().num_output());
}

template <typename Dtype>
void RNNLayer<Dtype>::OutputBlobNames(vector<string>* names) const {
  *names = {"o"};
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

// An InnerProduct over `axis` with named (hence shared) parameters.
LayerParameter* AddInnerProduct(NetParameter* net_param, const string& name, const string& bottom,
                                const string& top, int axis, const RecurrentParameter& recurrent,
                                const string& weight_name, const string& bias_name) {
  LayerParameter* layer = AddLayer(net_param, name, "InnerProduct", {bottom}, {top});
  InnerProductParameter* ip = layer->mutable_inner_product_param();
  ip->set_num_output(recurrent.num_output());
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
void RNNLayer<Dtype>::FillUnrolledNet(NetParameter* net_param) const {
  const RecurrentParameter& recurrent = this->layer_param_.recurrent_param();
  const int num_output = recurrent.num_output();
  vector<BlobShape> state_shapes;
  RecurrentInputShapes(&state_shapes);

  LayerParameter* state_input = AddLayer(net_param, "state_input", "Input", {}, {"h_0"});
  state_input->mutable_input_param()->add_shape()->CopyFrom(state_shapes[0]);

  LayerParameter* cont_slice = AddLayer(net_param, "cont_slice", "Slice", {"cont"}, {});
  cont_slice->mutable_slice_param()->set_axis(0);

  // All time steps' input terms in one product: W_xh_x = W_xh x + b_h.
  AddInnerProduct(net_param, "x_transform", "x", "W_xh_x", 2, recurrent, "W_xh", "b_h")
      ->add_propagate_down(true);
  if (this->static_input_) {
    AddInnerProduct(net_param, "W_xh_x_static", "x_static", "W_xh_x_static_preshape", 1,
                    recurrent, "W_xh_static", "")
        ->add_propagate_down(true);
    // (N, D) -> (1, N, D) so it adds to one time step; N is inferred so the
    // batch size may change.
    LayerParameter* reshape = AddLayer(net_param, "W_xh_x_static_reshape", "Reshape",
                                       {"W_xh_x_static_preshape"}, {"W_xh_x_static"});
    BlobShape* shape = reshape->mutable_reshape_param()->mutable_shape();
    shape->add_dim(1);
    shape->add_dim(-1);
    shape->add_dim(num_output);
  }
  LayerParameter* x_slice = AddLayer(net_param, "W_xh_x_slice", "Slice", {"W_xh_x"}, {});
  x_slice->mutable_slice_param()->set_axis(0);

  LayerParameter output_concat;
  output_concat.set_name("o_concat");
  output_concat.set_type("Concat");
  output_concat.add_top("o");
  output_concat.mutable_concat_param()->set_axis(0);

  for (int t = 1; t <= this->T_; ++t) {
    const string prev = std::to_string(t - 1);
    const string now = std::to_string(t);
    cont_slice->add_top("cont_" + now);
    x_slice->add_top("W_xh_x_" + now);
    // cont_t = 0 starts a new sequence: the previous state is dropped.
    AddLayer(net_param, "h_conted_" + prev, "Scale", {"h_" + prev, "cont_" + now},
             {"h_conted_" + prev})
        ->mutable_scale_param()
        ->set_axis(0);
    AddInnerProduct(net_param, "W_hh_h_" + prev, "h_conted_" + prev, "W_hh_h_" + prev, 2,
                    recurrent, "W_hh", "");
    vector<string> sum_inputs = {"W_hh_h_" + prev, "W_xh_x_" + now};
    if (this->static_input_) sum_inputs.push_back("W_xh_x_static");
    AddLayer(net_param, "h_input_sum_" + now, "Eltwise", sum_inputs, {"h_neuron_input_" + now})
        ->mutable_eltwise_param()
        ->set_operation(EltwiseParameter::SUM);
    AddLayer(net_param, "h_neuron_" + now, "TanH", {"h_neuron_input_" + now}, {"h_" + now});
    AddInnerProduct(net_param, "W_ho_h_" + now, "h_" + now, "W_ho_h_" + now, 2, recurrent,
                    "W_ho", "b_o");
    AddLayer(net_param, "o_neuron_" + now, "TanH", {"W_ho_h_" + now}, {"o_" + now});
    output_concat.add_bottom("o_" + now);
  }
  net_param->add_layer()->CopyFrom(output_concat);
}

INSTANTIATE_CLASS(RNNLayer);
REGISTER_LAYER_CLASS(RNN);

}  // namespace caffe
