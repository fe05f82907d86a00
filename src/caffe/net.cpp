#include "caffe/net.hpp"

#include <cmath>

#include "caffe/layer_factory.hpp"
#include "caffe/util/hdf5.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/upgrade_proto.hpp"

namespace caffe {

template <typename Dtype>
Net<Dtype>::Net(const NetParameter& param) {
  Init(param);
}

template <typename Dtype>
Net<Dtype>::Net(const string& param_file, Phase phase, int level, const vector<string>* stages) {
  NetParameter param;
  ReadNetParamsFromTextFile(param_file, &param);
  param.mutable_state()->set_phase(phase);
  if (stages) {
    for (const string& stage : *stages) param.mutable_state()->add_stage(stage);
  }
  param.mutable_state()->set_level(level);
  Init(param);
}

template <typename Dtype>
void Net<Dtype>::Init(const NetParameter& in_param) {
  phase_ = in_param.state().phase();
  NetParameter filtered, param;
  FilterNet(in_param, &filtered);
  InsertSplits(filtered, &param);
  name_ = param.name();
  LOG(INFO) << "Initializing net '" << name_ << "' for phase "
            << (phase_ == TRAIN ? "TRAIN" : "TEST");

  map<string, int> blob_name_to_idx;
  set<string> available_blobs;
  const int num_layers = param.layer_size();
  bottom_vecs_.resize(num_layers);
  top_vecs_.resize(num_layers);
  bottom_id_vecs_.resize(num_layers);
  param_id_vecs_.resize(num_layers);
  top_id_vecs_.resize(num_layers);
  bottom_need_backward_.resize(num_layers);

  for (int layer_id = 0; layer_id < num_layers; ++layer_id) {
    if (!param.layer(layer_id).has_phase()) param.mutable_layer(layer_id)->set_phase(phase_);
    const LayerParameter& layer_param = param.layer(layer_id);
    CheckFiniteFields(layer_param, internal::Concat("layer '", layer_param.name(), "' (",
                                                    layer_param.type(), ")"));
    CAFFE_REQUIRE(layer_param.propagate_down_size() == 0 ||
                      layer_param.propagate_down_size() == layer_param.bottom_size(),
                  ConfigError, "layer '", layer_param.name(), "' gives ",
                  layer_param.propagate_down_size(), " propagate_down values for ",
                  layer_param.bottom_size(), " bottoms (give none or one per bottom)");
    try {
      layers_.push_back(LayerRegistry<Dtype>::CreateLayer(layer_param));
    } catch (const Error& error) {
      if (string(error.what()).find("'" + layer_param.name() + "'") != string::npos) throw;
      RethrowWithContext(error, internal::Concat("layer '", layer_param.name(), "' (",
                                                 layer_param.type(), "): "));
    }
    layer_names_.push_back(layer_param.name());
    LOG(INFO) << "Creating layer " << layer_param.name() << " (" << layer_param.type() << ")";

    bool need_backward = false;
    for (int bottom_id = 0; bottom_id < layer_param.bottom_size(); ++bottom_id) {
      const int blob_id =
          AppendBottom(param, layer_id, bottom_id, &available_blobs, &blob_name_to_idx);
      need_backward |= blob_need_backward_[blob_id];
    }
    for (int top_id = 0; top_id < layer_param.top_size(); ++top_id) {
      AppendTop(param, layer_id, top_id, &available_blobs, &blob_name_to_idx);
      if (layer_param.type() == "Input") {
        const int blob_id = static_cast<int>(blobs_.size()) - 1;
        net_input_blob_indices_.push_back(blob_id);
        net_input_blobs_.push_back(blobs_[blob_id].get());
      }
    }
    Layer<Dtype>* layer = layers_[layer_id].get();
    if (layer->AutoTopBlobs()) {
      const int needed = std::max(layer->MinTopBlobs(), layer->ExactNumTopBlobs());
      for (int top_id = layer_param.top_size(); top_id < needed; ++top_id) {
        AppendTop(param, layer_id, top_id, nullptr, nullptr);
      }
    }
    try {
      layer->SetUp(bottom_vecs_[layer_id], top_vecs_[layer_id]);
    } catch (const Error& error) {
      AddLayerContext(error, layer_id);
    }
    for (size_t top_id = 0; top_id < top_vecs_[layer_id].size(); ++top_id) {
      const int blob_id = top_id_vecs_[layer_id][top_id];
      if (blob_loss_weights_.size() <= static_cast<size_t>(blob_id)) {
        blob_loss_weights_.resize(blob_id + 1, Dtype(0));
      }
      blob_loss_weights_[blob_id] = layer->loss(top_id);
      LOG(INFO) << "Top shape: " << top_vecs_[layer_id][top_id]->shape_string();
      if (layer->loss(top_id)) LOG(INFO) << "    with loss weight " << layer->loss(top_id);
      memory_used_ += top_vecs_[layer_id][top_id]->count();
    }

    const int num_param_blobs = static_cast<int>(layer->blobs().size());
    CAFFE_REQUIRE(layer_param.param_size() <= num_param_blobs, ConfigError, "layer '",
                  layer_param.name(), "' specifies ", layer_param.param_size(),
                  " param entries but has only ", num_param_blobs, " parameter blobs");
    const ParamSpec default_spec;
    for (int param_id = 0; param_id < num_param_blobs; ++param_id) {
      const ParamSpec& spec =
          param_id < layer_param.param_size() ? layer_param.param(param_id) : default_spec;
      const bool param_need_backward = spec.lr_mult() != 0;
      need_backward |= param_need_backward;
      layer->set_param_propagate_down(param_id, param_need_backward);
    }
    for (int param_id = 0; param_id < num_param_blobs; ++param_id) {
      AppendParam(param, layer_id, param_id);
    }
    layer_need_backward_.push_back(need_backward);
    if (need_backward) {
      for (int blob_id : top_id_vecs_[layer_id]) blob_need_backward_[blob_id] = true;
    }
  }

  // Walk backwards: a layer needs backward only if some top feeds a loss and
  // some top's gradient is actually propagated.
  set<string> blobs_under_loss;
  set<string> blobs_skip_backprop;
  for (int layer_id = num_layers - 1; layer_id >= 0; --layer_id) {
    bool contributes_loss = false;
    bool skip_propagate_down = true;
    for (size_t top_id = 0; top_id < top_vecs_[layer_id].size(); ++top_id) {
      const string& blob_name = blob_names_[top_id_vecs_[layer_id][top_id]];
      if (layers_[layer_id]->loss(top_id) || blobs_under_loss.count(blob_name)) {
        contributes_loss = true;
      }
      if (!blobs_skip_backprop.count(blob_name)) skip_propagate_down = false;
      if (contributes_loss && !skip_propagate_down) break;
    }
    if (layer_need_backward_[layer_id] && skip_propagate_down) {
      layer_need_backward_[layer_id] = false;
      for (size_t b = 0; b < bottom_vecs_[layer_id].size(); ++b) {
        bottom_need_backward_[layer_id][b] = false;
      }
    }
    if (!contributes_loss) layer_need_backward_[layer_id] = false;
    LOG(INFO) << layer_names_[layer_id]
              << (layer_need_backward_[layer_id] ? " needs backward computation."
                                                 : " does not need backward computation.");
    for (size_t b = 0; b < bottom_vecs_[layer_id].size(); ++b) {
      const string& blob_name = blob_names_[bottom_id_vecs_[layer_id][b]];
      if (contributes_loss) {
        blobs_under_loss.insert(blob_name);
      } else {
        bottom_need_backward_[layer_id][b] = false;
      }
      if (!bottom_need_backward_[layer_id][b]) blobs_skip_backprop.insert(blob_name);
    }
  }
  if (param.force_backward()) {
    for (int layer_id = 0; layer_id < num_layers; ++layer_id) {
      layer_need_backward_[layer_id] = true;
      for (size_t b = 0; b < bottom_vecs_[layer_id].size(); ++b) {
        bottom_need_backward_[layer_id][b] =
            bottom_need_backward_[layer_id][b] || layers_[layer_id]->AllowForceBackward(b);
        const int blob_id = bottom_id_vecs_[layer_id][b];
        blob_need_backward_[blob_id] =
            blob_need_backward_[blob_id] || bottom_need_backward_[layer_id][b];
      }
      for (size_t p = 0; p < layers_[layer_id]->blobs().size(); ++p) {
        layers_[layer_id]->set_param_propagate_down(p, true);
      }
    }
  }
  // Blobs nobody consumed are the outputs, in name order (as upstream).
  for (const string& blob_name : available_blobs) {
    LOG(INFO) << "This network produces output " << blob_name;
    net_output_blobs_.push_back(blobs_[blob_name_to_idx[blob_name]].get());
    net_output_blob_indices_.push_back(blob_name_to_idx[blob_name]);
  }
  for (size_t i = 0; i < blob_names_.size(); ++i) blob_names_index_[blob_names_[i]] = i;
  for (size_t i = 0; i < layer_names_.size(); ++i) layer_names_index_[layer_names_[i]] = i;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (param_owners_[i] < 0) continue;
    params_[i]->ShareData(*params_[param_owners_[i]]);
    params_[i]->ShareDiff(*params_[param_owners_[i]]);
  }
  debug_info_ = param.debug_info();
  FuseLayers();
  LOG(INFO) << "Memory required for data: " << memory_used_ * sizeof(Dtype);
  LOG(INFO) << "Network initialization done.";
}

template <typename Dtype>
void Net<Dtype>::FilterNet(const NetParameter& param, NetParameter* filtered) {
  const NetState& state = param.state();
  filtered->CopyFrom(param);
  filtered->clear_layer();
  for (const LayerParameter& layer : param.layer()) {
    CAFFE_REQUIRE(layer.include_size() == 0 || layer.exclude_size() == 0, ConfigError,
                  "layer '", layer.name(), "' has both include and exclude rules; give one kind");
    bool included = layer.include_size() == 0;
    for (const NetStateRule& rule : layer.exclude()) {
      if (StateMeetsRule(state, rule, layer.name())) included = false;
    }
    for (const NetStateRule& rule : layer.include()) {
      if (StateMeetsRule(state, rule, layer.name())) included = true;
    }
    if (included) filtered->add_layer()->CopyFrom(layer);
  }
}

template <typename Dtype>
bool Net<Dtype>::StateMeetsRule(const NetState& state, const NetStateRule& rule,
                                const string& layer_name) {
  if (rule.has_phase() && rule.phase() != state.phase()) {
    LOG(INFO) << "The NetState phase (" << state.phase()
              << ") differed from the phase (" << rule.phase()
              << ") specified by a rule in layer " << layer_name;
    return false;
  }
  if (rule.has_min_level() && state.level() < rule.min_level()) return false;
  if (rule.has_max_level() && state.level() > rule.max_level()) return false;
  for (const string& stage : rule.stage()) {
    bool found = false;
    for (const string& have : state.stage()) found |= (have == stage);
    if (!found) return false;
  }
  for (const string& stage : rule.not_stage()) {
    for (const string& have : state.stage()) {
      if (have == stage) return false;
    }
  }
  return true;
}

template <typename Dtype>
void Net<Dtype>::AppendTop(const NetParameter& param, int layer_id, int top_id,
                           set<string>* available_blobs, map<string, int>* blob_name_to_idx) {
  const LayerParameter& layer_param = param.layer(layer_id);
  const string blob_name =
      top_id < layer_param.top_size() ? layer_param.top(top_id) : "(automatic)";
  if (blob_name_to_idx && top_id < layer_param.bottom_size() &&
      blob_name == layer_param.bottom(top_id)) {
    const int blob_id = (*blob_name_to_idx)[blob_name];
    LOG(INFO) << layer_param.name() << " -> " << blob_name << " (in-place)";
    top_vecs_[layer_id].push_back(blobs_[blob_id].get());
    top_id_vecs_[layer_id].push_back(blob_id);
  } else {
    CAFFE_REQUIRE(!blob_name_to_idx || !blob_name_to_idx->count(blob_name), ConfigError,
                  "top blob '", blob_name, "' of layer '", layer_param.name(),
                  "' is produced by more than one layer (only in-place reuse as the same-index "
                  "bottom is allowed)");
    auto blob = std::make_shared<Blob<Dtype>>();
    const int blob_id = static_cast<int>(blobs_.size());
    blobs_.push_back(blob);
    blob_names_.push_back(blob_name);
    blob_need_backward_.push_back(false);
    if (blob_name_to_idx) (*blob_name_to_idx)[blob_name] = blob_id;
    top_id_vecs_[layer_id].push_back(blob_id);
    top_vecs_[layer_id].push_back(blob.get());
  }
  if (available_blobs) available_blobs->insert(blob_name);
}

template <typename Dtype>
int Net<Dtype>::AppendBottom(const NetParameter& param, int layer_id, int bottom_id,
                             set<string>* available_blobs, map<string, int>* blob_name_to_idx) {
  const LayerParameter& layer_param = param.layer(layer_id);
  const string& blob_name = layer_param.bottom(bottom_id);
  CAFFE_REQUIRE(available_blobs->count(blob_name), ConfigError, "unknown bottom blob '",
                blob_name, "' (layer '", layer_param.name(), "', bottom index ", bottom_id,
                "): no earlier layer produces it");
  const int blob_id = (*blob_name_to_idx)[blob_name];
  bottom_vecs_[layer_id].push_back(blobs_[blob_id].get());
  bottom_id_vecs_[layer_id].push_back(blob_id);
  available_blobs->erase(blob_name);
  bool need_backward = blob_need_backward_[blob_id];
  if (layer_param.propagate_down_size() > 0) need_backward = layer_param.propagate_down(bottom_id);
  bottom_need_backward_[layer_id].push_back(need_backward);
  return blob_id;
}

template <typename Dtype>
void Net<Dtype>::AppendParam(const NetParameter& param, int layer_id, int param_id) {
  const LayerParameter& layer_param = layers_[layer_id]->layer_param();
  const ParamSpec default_spec;
  const ParamSpec& spec =
      param_id < layer_param.param_size() ? layer_param.param(param_id) : default_spec;
  const string& param_name = spec.name();
  param_display_names_.push_back(param_name.empty() ? std::to_string(param_id) : param_name);
  const int net_param_id = static_cast<int>(params_.size());
  params_.push_back(layers_[layer_id]->blobs()[param_id]);
  param_id_vecs_[layer_id].push_back(net_param_id);
  param_layer_indices_.emplace_back(layer_id, param_id);

  if (param_name.empty() || !param_names_index_.count(param_name)) {
    // This layer owns the blob: anonymous, or the first use of its name.
    param_owners_.push_back(-1);
    if (!param_name.empty()) param_names_index_[param_name] = net_param_id;
    learnable_param_ids_.push_back(static_cast<int>(learnable_params_.size()));
    learnable_params_.push_back(params_[net_param_id].get());
    has_params_lr_.push_back(spec.has_lr_mult());
    has_params_decay_.push_back(spec.has_decay_mult());
    params_lr_.push_back(spec.lr_mult());
    params_weight_decay_.push_back(spec.decay_mult());
    return;
  }
  const int owner_net_param_id = param_names_index_[param_name];
  param_owners_.push_back(owner_net_param_id);
  const auto& [owner_layer_id, owner_param_id] = param_layer_indices_[owner_net_param_id];
  LOG(INFO) << "Sharing parameters '" << param_name << "' owned by layer '"
            << layer_names_[owner_layer_id] << "', param index " << owner_param_id;
  Blob<Dtype>* this_blob = layers_[layer_id]->blobs()[param_id].get();
  Blob<Dtype>* owner_blob = layers_[owner_layer_id]->blobs()[owner_param_id].get();
  if (spec.share_mode() == ParamSpec_DimCheckMode_PERMISSIVE) {
    CAFFE_REQUIRE(this_blob->count() == owner_blob->count(), ShapeError, "cannot share param '",
                  param_name, "' owned by layer '", layer_names_[owner_layer_id],
                  "' with layer '", layer_names_[layer_id], "': count mismatch (owner shape ",
                  owner_blob->shape_string(), ", sharing layer shape ",
                  this_blob->shape_string(), ")");
  } else {
    CAFFE_REQUIRE(this_blob->shape() == owner_blob->shape(), ShapeError, "cannot share param '",
                  param_name, "' owned by layer '", layer_names_[owner_layer_id],
                  "' with layer '", layer_names_[layer_id], "': shape mismatch (owner shape ",
                  owner_blob->shape_string(), ", sharing layer shape ",
                  this_blob->shape_string(), ")");
  }
  const int learnable_id = learnable_param_ids_[owner_net_param_id];
  learnable_param_ids_.push_back(learnable_id);
  if (spec.has_lr_mult()) {
    CAFFE_REQUIRE(!has_params_lr_[learnable_id] || params_lr_[learnable_id] == spec.lr_mult(),
                  ConfigError, "shared param '", param_name, "' has mismatched lr_mult in layer '",
                  layer_names_[layer_id], "'");
    has_params_lr_[learnable_id] = true;
    params_lr_[learnable_id] = spec.lr_mult();
  }
  if (spec.has_decay_mult()) {
    CAFFE_REQUIRE(!has_params_decay_[learnable_id] ||
                      params_weight_decay_[learnable_id] == spec.decay_mult(),
                  ConfigError, "shared param '", param_name,
                  "' has mismatched decay_mult in layer '", layer_names_[layer_id], "'");
    has_params_decay_[learnable_id] = true;
    params_weight_decay_[learnable_id] = spec.decay_mult();
  }
}

template <typename Dtype>
Dtype Net<Dtype>::ForwardFromTo(int start, int end) {
  CAFFE_REQUIRE(start >= 0 && end < static_cast<int>(layers_.size()), ConfigError,
                "forward range ", start, "..", end, " is outside net '", name_, "' (",
                layers_.size(), " layers)");
  for (size_t group = fused_groups_.size(); group-- > 0;) {
    if (start <= end && CutsGroup(start, end, group)) Unfuse(group);
  }
  Dtype loss = 0;
  for (int i = start; i <= end; ++i) {
    for (const LayerHook& hook : before_forward_) hook(i);
    try {
      loss += layers_[i]->Forward(bottom_vecs_[i], top_vecs_[i]);
    } catch (const Error& error) {
      AddLayerContext(error, i);
    }
    if (debug_info_) ForwardDebugInfo(i);
    for (const LayerHook& hook : after_forward_) hook(i);
  }
  return loss;
}

template <typename Dtype>
void Net<Dtype>::AddLayerContext(const Error& error, int layer_id) const {
  const string& name = layer_names_[layer_id];
  if (string(error.what()).find("'" + name + "'") != string::npos) throw;
  RethrowWithContext(error, layers_[layer_id]->Describe() + ": ");
}

template <typename Dtype>
const vector<Blob<Dtype>*>& Net<Dtype>::Forward(Dtype* loss) {
  const Dtype total = ForwardFromTo(0, static_cast<int>(layers_.size()) - 1);
  if (loss) *loss = total;
  return net_output_blobs_;
}

template <typename Dtype>
void Net<Dtype>::BackwardFromTo(int start, int end) {
  CAFFE_REQUIRE(end >= 0 && start < static_cast<int>(layers_.size()), ConfigError,
                "backward range ", start, "..", end, " is outside net '", name_, "' (",
                layers_.size(), " layers)");
  for (size_t group = 0; group < fused_groups_.size(); ++group) {
    const vector<int>& layers = fused_groups_[group];
    CAFFE_REQUIRE(start < end || !CutsGroup(start, end, group), ConfigError, "backward range ",
                  layer_names_[start], "..", layer_names_[end], " of net '", name_,
                  "' cuts layers '", layer_names_[layers.front()], "'..'",
                  layer_names_[layers.back()], "', which the forward pass ran fused (run the "
                  "forward pass over the same range first, or build the net with CAFFE_FUSION=0)");
  }
  for (int i = start; i >= end; --i) {
    for (const LayerHook& hook : before_backward_) hook(i);
    if (layer_need_backward_[i]) {
      try {
        layers_[i]->Backward(top_vecs_[i], bottom_need_backward_[i], bottom_vecs_[i]);
      } catch (const Error& error) {
        AddLayerContext(error, i);
      }
      if (debug_info_) BackwardDebugInfo(i);
    }
    for (const LayerHook& hook : after_backward_) hook(i);
  }
}

template <typename Dtype>
void Net<Dtype>::Backward() {
  BackwardFromTo(static_cast<int>(layers_.size()) - 1, 0);
  if (!debug_info_) return;
  Dtype asum_data = 0, asum_diff = 0, sumsq_data = 0, sumsq_diff = 0;
  for (Blob<Dtype>* param : learnable_params_) {
    asum_data += param->asum_data();
    asum_diff += param->asum_diff();
    sumsq_data += param->sumsq_data();
    sumsq_diff += param->sumsq_diff();
  }
  LOG(INFO) << "    [Backward] All net params (data, diff): L1 norm = (" << asum_data << ", "
            << asum_diff << "); L2 norm = (" << std::sqrt(sumsq_data) << ", "
            << std::sqrt(sumsq_diff) << ")";
}

template <typename Dtype>
void Net<Dtype>::ForwardDebugInfo(int layer_id) {
  for (size_t t = 0; t < top_vecs_[layer_id].size(); ++t) {
    const Blob<Dtype>& blob = *top_vecs_[layer_id][t];
    LOG(INFO) << "    [Forward] Layer " << layer_names_[layer_id] << ", top blob "
              << blob_names_[top_id_vecs_[layer_id][t]]
              << " data: " << blob.asum_data() / std::max(1, blob.count());
  }
  for (size_t p = 0; p < layers_[layer_id]->blobs().size(); ++p) {
    const Blob<Dtype>& blob = *layers_[layer_id]->blobs()[p];
    LOG(INFO) << "    [Forward] Layer " << layer_names_[layer_id] << ", param blob " << p
              << " data: " << blob.asum_data() / std::max(1, blob.count());
  }
}

template <typename Dtype>
void Net<Dtype>::BackwardDebugInfo(int layer_id) {
  for (size_t b = 0; b < bottom_vecs_[layer_id].size(); ++b) {
    if (!bottom_need_backward_[layer_id][b]) continue;
    const Blob<Dtype>& blob = *bottom_vecs_[layer_id][b];
    LOG(INFO) << "    [Backward] Layer " << layer_names_[layer_id] << ", bottom blob "
              << blob_names_[bottom_id_vecs_[layer_id][b]]
              << " diff: " << blob.asum_diff() / std::max(1, blob.count());
  }
  for (size_t p = 0; p < layers_[layer_id]->blobs().size(); ++p) {
    if (!layers_[layer_id]->param_propagate_down(p)) continue;
    const Blob<Dtype>& blob = *layers_[layer_id]->blobs()[p];
    LOG(INFO) << "    [Backward] Layer " << layer_names_[layer_id] << ", param blob " << p
              << " diff: " << blob.asum_diff() / std::max(1, blob.count());
  }
}

template <typename Dtype>
void Net<Dtype>::Reshape() {
  for (size_t i = 0; i < layers_.size(); ++i) {
    try {
      layers_[i]->Reshape(bottom_vecs_[i], top_vecs_[i]);
    } catch (const Error& error) {
      AddLayerContext(error, static_cast<int>(i));
    }
  }
}

template <typename Dtype>
void Net<Dtype>::Update() {
  for (Blob<Dtype>* param : learnable_params_) param->Update();
}

template <typename Dtype>
void Net<Dtype>::ClearParamDiffs() {
  for (Blob<Dtype>* param : learnable_params_) {
    caffe_set(param->count(), Dtype(0), param->mutable_cpu_diff());
  }
}

template <typename Dtype>
void Net<Dtype>::SkipForwardPasses(int64_t passes) {
  for (auto& layer : layers_) layer->SkipForwardPasses(passes);
}

template <typename Dtype>
void Net<Dtype>::ShareTrainedLayersWith(const Net* other) {
  for (size_t i = 0; i < other->layers().size(); ++i) {
    const string& name = other->layer_names()[i];
    auto target = layer_names_index_.find(name);
    if (target == layer_names_index_.end()) continue;
    auto& source_blobs = other->layers()[i]->blobs();
    auto& target_blobs = layers_[target->second]->blobs();
    CAFFE_REQUIRE(source_blobs.size() == target_blobs.size(), ConfigError, "layer '", name,
                  "' has ", target_blobs.size(), " parameter blobs here but ",
                  source_blobs.size(), " in the net it shares weights with");
    for (size_t j = 0; j < target_blobs.size(); ++j) {
      CAFFE_REQUIRE(target_blobs[j]->shape() == source_blobs[j]->shape(), ShapeError,
                    "cannot share param ", j, " of layer '", name, "': shape ",
                    source_blobs[j]->shape_string(), " vs ", target_blobs[j]->shape_string());
      target_blobs[j]->ShareData(*source_blobs[j]);
    }
  }
}

template <typename Dtype>
void Net<Dtype>::CopyTrainedLayersFrom(const NetParameter& param) {
  int copied = 0;
  for (const LayerParameter& source : param.layer()) {
    auto target = layer_names_index_.find(source.name());
    if (target == layer_names_index_.end()) {
      LOG(INFO) << "Ignoring source layer " << source.name();
      continue;
    }
    LOG(INFO) << "Copying source layer " << source.name();
    auto& target_blobs = layers_[target->second]->blobs();
    CAFFE_REQUIRE(static_cast<int>(target_blobs.size()) == source.blobs_size(), ConfigError,
                  "cannot copy weights into layer '", source.name(), "': the model has ",
                  source.blobs_size(), " parameter blobs for it, the net expects ",
                  target_blobs.size());
    for (int j = 0; j < source.blobs_size(); ++j) {
      CAFFE_REQUIRE(target_blobs[j]->ShapeEquals(source.blobs(j)), ShapeError,
                    "cannot copy param ", j, " of layer '", source.name(),
                    "': the model's shape is ", ShapeString(BlobProtoShape(source.blobs(j))),
                    ", the net's is ", target_blobs[j]->shape_string(),
                    " (rename the layer to learn it from scratch)");
      try {
        target_blobs[j]->FromProto(source.blobs(j), false);
      } catch (const Error& error) {
        RethrowWithContext(error, internal::Concat("param ", j, " of layer '", source.name(),
                                                   "': "));
      }
    }
    ++copied;
  }
  if (copied == 0 && param.layer_size() > 0) {
    LOG(WARNING) << "none of the " << param.layer_size() << " layers of the weights matches a "
                 << "layer of net '" << name_ << "': nothing was copied";
  }
}

template <typename Dtype>
void Net<Dtype>::CopyTrainedLayersFrom(const string& trained_filename) {
  if (IsHDF5File(trained_filename)) {
    CopyTrainedLayersFromHDF5(this, trained_filename);
    return;
  }
  NetParameter param;
  ReadNetParamsFromBinaryOrTextFile(trained_filename, &param);
  // Weights files that hold no weights would leave every parameter at its
  // random initial value without a word, unless the net has none to load.
  int stored_blobs = 0;
  for (const LayerParameter& layer : param.layer()) stored_blobs += layer.blobs_size();
  CAFFE_REQUIRE(stored_blobs > 0 || learnable_params_.empty(), ParseError, trained_filename,
                ": holds ", param.layer_size() == 0 ? "no layers" : "layers but no weights",
                " (is it empty, a net definition, or another kind of file?)");
  try {
    CopyTrainedLayersFrom(param);
  } catch (const Error& error) {
    RethrowWithContext(error, trained_filename + ": ");
  }
}

template <typename Dtype>
void Net<Dtype>::ToProto(NetParameter* param, bool write_diff) const {
  param->Clear();
  param->set_name(name_);
  for (const auto& layer : layers_) layer->ToProto(param->add_layer(), write_diff);
}

template <typename Dtype>
const shared_ptr<Blob<Dtype>> Net<Dtype>::blob_by_name(const string& blob_name) const {
  auto it = blob_names_index_.find(blob_name);
  CAFFE_REQUIRE(it != blob_names_index_.end(), ConfigError, "net '", name_, "' has no blob '",
                blob_name, "'");
  return blobs_[it->second];
}

template <typename Dtype>
const shared_ptr<Layer<Dtype>> Net<Dtype>::layer_by_name(const string& layer_name) const {
  auto it = layer_names_index_.find(layer_name);
  CAFFE_REQUIRE(it != layer_names_index_.end(), ConfigError, "net '", name_, "' has no layer '",
                layer_name, "'");
  return layers_[it->second];
}

INSTANTIATE_CLASS(Net);

}  // namespace caffe
