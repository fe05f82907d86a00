#include "caffe/layers/recurrent_layer.hpp"

namespace caffe {

template <typename Dtype>
int RecurrentLayer<Dtype>::MinBottomBlobs() const {
  int count = 2;
  if (this->layer_param_.recurrent_param().expose_hidden()) {
    vector<string> names;
    RecurrentInputBlobNames(&names);
    count += static_cast<int>(names.size());
  }
  return count;
}

template <typename Dtype>
int RecurrentLayer<Dtype>::ExactNumTopBlobs() const {
  int count = 1;
  if (this->layer_param_.recurrent_param().expose_hidden()) {
    vector<string> names;
    RecurrentOutputBlobNames(&names);
    count += static_cast<int>(names.size());
  }
  return count;
}

namespace {

void AddInputTop(const string& name, const vector<int>& shape, LayerParameter* input_layer) {
  input_layer->add_top(name);
  BlobShape* blob_shape = input_layer->mutable_input_param()->add_shape();
  for (int dim : shape) blob_shape->add_dim(dim);
}

}  // namespace

template <typename Dtype>
void RecurrentLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                       const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 2, ShapeError, this->Describe(),
                ": bottom 0 (x) must have at least 2 axes (time steps, streams, ...), got ",
                bottom[0]->shape_string());
  T_ = bottom[0]->shape(0);
  N_ = bottom[0]->shape(1);
  LOG(INFO) << this->Describe() << ": " << T_ << " time steps of " << N_
            << " independent streams";
  CAFFE_REQUIRE(bottom[1]->num_axes() == 2 && bottom[1]->shape(0) == T_ &&
                    bottom[1]->shape(1) == N_,
                ShapeError, this->Describe(), ": bottom 1 (cont) must have shape (", T_, " ",
                N_, ") to match x ", bottom[0]->shape_string(), ", got ",
                bottom[1]->shape_string());
  CAFFE_REQUIRE(this->layer_param_.recurrent_param().num_output() > 0, ConfigError,
                this->Describe(), ": recurrent_param.num_output must be positive");

  expose_hidden_ = this->layer_param_.recurrent_param().expose_hidden();
  vector<string> recur_input_names;
  RecurrentInputBlobNames(&recur_input_names);
  vector<string> recur_output_names;
  RecurrentOutputBlobNames(&recur_output_names);
  const int num_recur = static_cast<int>(recur_input_names.size());
  CHECK_EQ(num_recur, static_cast<int>(recur_output_names.size()));
  const int num_exposed = expose_hidden_ ? num_recur : 0;
  static_input_ = static_cast<int>(bottom.size()) > 2 + num_exposed;
  if (static_input_) {
    CAFFE_REQUIRE(bottom[2]->num_axes() >= 1 && bottom[2]->shape(0) == N_, ShapeError,
                  this->Describe(), ": bottom 2 (x_static) must have ", N_,
                  " streams as its first axis, got ", bottom[2]->shape_string());
  }

  NetParameter net_param;
  net_param.mutable_state()->set_phase(this->phase_);
  LayerParameter* input_layer = net_param.add_layer();
  input_layer->set_name("input");
  input_layer->set_type("Input");
  AddInputTop("x", bottom[0]->shape(), input_layer);
  AddInputTop("cont", bottom[1]->shape(), input_layer);
  if (static_input_) AddInputTop("x_static", bottom[2]->shape(), input_layer);
  FillUnrolledNet(&net_param);

  // Inner layer names carry this layer's name so logs and errors say where
  // they come from.
  const string& layer_name = this->layer_param_.name();
  if (!layer_name.empty()) {
    for (int i = 0; i < net_param.layer_size(); ++i) {
      LayerParameter* layer = net_param.mutable_layer(i);
      layer->set_name(layer_name + "_" + layer->name());
    }
  }

  // A unit-weight loss on every output makes the unrolled net compute the
  // backward pass of everything the outputs depend on, and nothing that only
  // the continuation indicators feed (which force_backward would include).
  // The pseudo-losses are never run: forward and backward stop before them.
  vector<string> output_names;
  OutputBlobNames(&output_names);
  vector<string> pseudo_loss_names;
  for (const string& output : output_names) {
    LayerParameter* loss = net_param.add_layer();
    pseudo_loss_names.push_back(output + "_pseudoloss");
    loss->set_name(pseudo_loss_names.back());
    loss->set_type("Reduction");
    loss->add_bottom(output);
    loss->add_top(pseudo_loss_names.back());
    loss->add_loss_weight(1);
  }

  unrolled_net_ = std::make_shared<Net<Dtype>>(net_param);
  unrolled_net_->set_debug_info(this->layer_param_.recurrent_param().debug_info());

  x_input_blob_ = unrolled_net_->blob_by_name("x").get();
  cont_input_blob_ = unrolled_net_->blob_by_name("cont").get();
  x_static_input_blob_ = static_input_ ? unrolled_net_->blob_by_name("x_static").get() : nullptr;
  recur_input_blobs_.clear();
  recur_output_blobs_.clear();
  for (int i = 0; i < num_recur; ++i) {
    recur_input_blobs_.push_back(unrolled_net_->blob_by_name(recur_input_names[i]).get());
    recur_output_blobs_.push_back(unrolled_net_->blob_by_name(recur_output_names[i]).get());
  }
  output_blobs_.clear();
  for (const string& name : output_names) {
    output_blobs_.push_back(unrolled_net_->blob_by_name(name).get());
  }
  CHECK_EQ(2 + num_recur + (static_input_ ? 1 : 0), unrolled_net_->num_inputs());

  // One blob per distinct parameter: the owners, in declaration order.
  this->blobs_.clear();
  const auto& params = unrolled_net_->params();
  for (size_t i = 0; i < params.size(); ++i) {
    if (unrolled_net_->param_owners()[i] == -1) this->blobs_.push_back(params[i]);
  }
  this->param_propagate_down_.assign(this->blobs_.size(), true);

  // The final states start at zero and never receive a gradient from the
  // next batch.
  for (Blob<Dtype>* blob : recur_output_blobs_) {
    caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_data());
    caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_diff());
  }

  const vector<string>& layer_names = unrolled_net_->layer_names();
  last_layer_index_ =
      static_cast<int>(layer_names.size()) - 1 - static_cast<int>(pseudo_loss_names.size());
  for (size_t j = 0; j < pseudo_loss_names.size(); ++j) {
    CHECK_EQ(layer_names[last_layer_index_ + 1 + j], pseudo_loss_names[j]);
  }
}

template <typename Dtype>
void RecurrentLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  CAFFE_REQUIRE(bottom[0]->num_axes() >= 2 && bottom[0]->shape(0) == T_, ShapeError,
                this->Describe(), ": bottom 0 (x) must keep ", T_,
                " time steps as its first axis, got ", bottom[0]->shape_string());
  N_ = bottom[0]->shape(1);
  CAFFE_REQUIRE(bottom[1]->num_axes() == 2 && bottom[1]->shape(0) == T_ &&
                    bottom[1]->shape(1) == N_,
                ShapeError, this->Describe(), ": bottom 1 (cont) must have shape (", T_, " ",
                N_, "), got ", bottom[1]->shape_string());
  if (static_input_) {
    CAFFE_REQUIRE(bottom[2]->num_axes() >= 1 && bottom[2]->shape(0) == N_, ShapeError,
                  this->Describe(), ": bottom 2 (x_static) must have ", N_,
                  " streams as its first axis, got ", bottom[2]->shape_string());
  }
  x_input_blob_->ReshapeLike(*bottom[0]);
  cont_input_blob_->ReshapeLike(*bottom[1]);
  if (static_input_) x_static_input_blob_->ReshapeLike(*bottom[2]);
  vector<BlobShape> recur_input_shapes;
  RecurrentInputShapes(&recur_input_shapes);
  CHECK_EQ(recur_input_shapes.size(), recur_input_blobs_.size());
  for (size_t i = 0; i < recur_input_blobs_.size(); ++i) {
    recur_input_blobs_[i]->Reshape(recur_input_shapes[i]);
  }
  unrolled_net_->Reshape();

  x_input_blob_->ShareData(*bottom[0]);
  x_input_blob_->ShareDiff(*bottom[0]);
  cont_input_blob_->ShareData(*bottom[1]);
  if (static_input_) {
    x_static_input_blob_->ShareData(*bottom[2]);
    x_static_input_blob_->ShareDiff(*bottom[2]);
  }
  if (expose_hidden_) {
    const int offset = 2 + (static_input_ ? 1 : 0);
    for (size_t j = 0; j < recur_input_blobs_.size(); ++j) {
      const Blob<Dtype>& given = *bottom[offset + j];
      CAFFE_REQUIRE(given.shape() == recur_input_blobs_[j]->shape(), ShapeError,
                    this->Describe(), ": bottom ", offset + j, " (initial recurrent state) must be ",
                    recur_input_blobs_[j]->shape_string(), ", got ", given.shape_string());
      recur_input_blobs_[j]->ShareData(given);
    }
  }
  for (size_t i = 0; i < output_blobs_.size(); ++i) {
    top[i]->ReshapeLike(*output_blobs_[i]);
    top[i]->ShareData(*output_blobs_[i]);
    top[i]->ShareDiff(*output_blobs_[i]);
  }
  if (expose_hidden_) {
    for (size_t j = 0; j < recur_output_blobs_.size(); ++j) {
      top[output_blobs_.size() + j]->ReshapeLike(*recur_output_blobs_[j]);
    }
  }
}

template <typename Dtype>
void RecurrentLayer<Dtype>::Reset() {
  for (Blob<Dtype>* blob : recur_output_blobs_) {
    caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_data());
  }
}

template <typename Dtype>
void RecurrentLayer<Dtype>::ReshareUnrolledParams() {
  const auto& params = unrolled_net_->params();
  const vector<int>& owners = unrolled_net_->param_owners();
  for (size_t i = 0; i < params.size(); ++i) {
    if (owners[i] < 0) continue;
    params[i]->ShareData(*params[owners[i]]);
    params[i]->ShareDiff(*params[owners[i]]);
  }
}

template <typename Dtype>
void RecurrentLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                        const vector<Blob<Dtype>*>& top) {
  ReshareUnrolledParams();
  if (!expose_hidden_) {
    for (size_t i = 0; i < recur_input_blobs_.size(); ++i) {
      const int count = recur_input_blobs_[i]->count();
      CHECK_EQ(count, recur_output_blobs_[i]->count());
      caffe_copy(count, recur_output_blobs_[i]->cpu_data(),
                 recur_input_blobs_[i]->mutable_cpu_data());
    }
  }
  unrolled_net_->ForwardTo(last_layer_index_);
  if (expose_hidden_) {
    for (size_t j = 0; j < recur_output_blobs_.size(); ++j) {
      Blob<Dtype>* state = top[output_blobs_.size() + j];
      caffe_copy(state->count(), recur_output_blobs_[j]->cpu_data(), state->mutable_cpu_data());
    }
  }
}

template <typename Dtype>
void RecurrentLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<Dtype>*>& bottom) {
  CAFFE_REQUIRE(!propagate_down[1], ConfigError, this->Describe(),
                ": cannot backpropagate to the sequence continuation indicators (bottom 1)");
  // The unrolled net computes the gradients of x, x_static and the
  // parameters in one pass. A bottom that wants no gradient gets a scratch
  // diff instead of its own, whose contents (e.g. another consumer's share
  // of a Split) must stay untouched.
  const bool x_down = propagate_down[0];
  const bool static_down = static_input_ && propagate_down[2];
  if (!x_down) {
    unwanted_x_diff_.ReshapeLike(*bottom[0]);
    x_input_blob_->ShareDiff(unwanted_x_diff_);
  }
  if (static_input_ && !static_down) {
    unwanted_static_diff_.ReshapeLike(*bottom[2]);
    x_static_input_blob_->ShareDiff(unwanted_static_diff_);
  }
  unrolled_net_->BackwardFrom(last_layer_index_);
  if (!x_down) x_input_blob_->ShareDiff(*bottom[0]);
  if (static_input_ && !static_down) x_static_input_blob_->ShareDiff(*bottom[2]);
}

INSTANTIATE_CLASS(RecurrentLayer);

}  // namespace caffe
