// Net<Dtype>: a directed acyclic graph of layers built from a NetParameter.
//
// Construction filters layers by the NetState (phase, level, stages), inserts
// Split layers where one blob feeds several layers, creates and sets up every
// layer, wires parameter sharing (`param { name }`) and decides which layers
// need a backward pass. The Net owns its layers and all intermediate blobs;
// shared parameter blobs are owned by the layer that declares them first.
// Not thread-safe; data layers run their own threads internally.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/layer.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

template <typename Dtype>
class Net {
 public:
  explicit Net(const NetParameter& param);
  // Reads a text prototxt (upgrading legacy formats) and sets phase, level
  // and stages on its state.
  Net(const string& param_file, Phase phase, int level = 0,
      const vector<string>* stages = nullptr);
  DISABLE_COPY_AND_ASSIGN(Net);

  void Init(const NetParameter& param);

  const vector<Blob<Dtype>*>& Forward(Dtype* loss = nullptr);
  Dtype ForwardFromTo(int start, int end);
  Dtype ForwardFrom(int start) { return ForwardFromTo(start, static_cast<int>(layers_.size()) - 1); }
  Dtype ForwardTo(int end) { return ForwardFromTo(0, end); }
  void Backward();
  void BackwardFromTo(int start, int end);
  void BackwardFrom(int start) { BackwardFromTo(start, 0); }
  void BackwardTo(int end) { BackwardFromTo(static_cast<int>(layers_.size()) - 1, end); }
  Dtype ForwardBackward() {
    Dtype loss;
    Forward(&loss);
    Backward();
    return loss;
  }
  // Re-runs every layer's Reshape (after input shapes changed).
  void Reshape();
  // Applies the accumulated diffs to the parameters they own.
  void Update();
  void ClearParamDiffs();

  // Tells every layer that `passes` forward passes already happened (resume).
  void SkipForwardPasses(int64_t passes);

  // Makes this net's layers use `other`'s parameter blobs (matched by layer name).
  void ShareTrainedLayersWith(const Net* other);
  // Copies parameters from layers with matching names; other layers are left
  // alone. Throws ConfigError/ShapeError naming layer, blob and both shapes.
  void CopyTrainedLayersFrom(const NetParameter& param);
  // Binary or text .caffemodel (legacy V1 models are upgraded), or HDF5
  // weights (recognised by content; see caffe/util/hdf5.hpp).
  void CopyTrainedLayersFrom(const string& trained_filename);
  void ToProto(NetParameter* param, bool write_diff = false) const;

  const string& name() const { return name_; }
  Phase phase() const { return phase_; }
  const vector<string>& layer_names() const { return layer_names_; }
  const vector<string>& blob_names() const { return blob_names_; }
  const vector<shared_ptr<Blob<Dtype>>>& blobs() const { return blobs_; }
  const vector<shared_ptr<Layer<Dtype>>>& layers() const { return layers_; }
  const vector<vector<Blob<Dtype>*>>& bottom_vecs() const { return bottom_vecs_; }
  const vector<vector<Blob<Dtype>*>>& top_vecs() const { return top_vecs_; }
  const vector<vector<int>>& bottom_ids() const { return bottom_id_vecs_; }
  const vector<vector<int>>& top_ids() const { return top_id_vecs_; }
  const vector<vector<bool>>& bottom_need_backward() const { return bottom_need_backward_; }
  const vector<bool>& layer_need_backward() const { return layer_need_backward_; }
  const vector<Dtype>& blob_loss_weights() const { return blob_loss_weights_; }
  const vector<shared_ptr<Blob<Dtype>>>& params() const { return params_; }
  const vector<Blob<Dtype>*>& learnable_params() const { return learnable_params_; }
  const vector<float>& params_lr() const { return params_lr_; }
  const vector<bool>& has_params_lr() const { return has_params_lr_; }
  const vector<float>& params_weight_decay() const { return params_weight_decay_; }
  const vector<bool>& has_params_decay() const { return has_params_decay_; }
  const vector<int>& param_owners() const { return param_owners_; }
  const vector<string>& param_display_names() const { return param_display_names_; }
  // (layer index, index among the layer's blobs) of every param.
  const vector<pair<int, int>>& param_layer_indices() const { return param_layer_indices_; }
  int num_inputs() const { return static_cast<int>(net_input_blobs_.size()); }
  int num_outputs() const { return static_cast<int>(net_output_blobs_.size()); }
  const vector<Blob<Dtype>*>& input_blobs() const { return net_input_blobs_; }
  const vector<Blob<Dtype>*>& output_blobs() const { return net_output_blobs_; }
  const vector<int>& input_blob_indices() const { return net_input_blob_indices_; }
  const vector<int>& output_blob_indices() const { return net_output_blob_indices_; }
  bool has_blob(const string& blob_name) const { return blob_names_index_.count(blob_name) > 0; }
  // Throw ConfigError for unknown names.
  const shared_ptr<Blob<Dtype>> blob_by_name(const string& blob_name) const;
  bool has_layer(const string& layer_name) const { return layer_names_index_.count(layer_name) > 0; }
  const shared_ptr<Layer<Dtype>> layer_by_name(const string& layer_name) const;
  // With debug info on, every layer's top is logged, so fused groups (below)
  // are split back into their layers, for good. Call between passes.
  void set_debug_info(bool value);

  // Fusion (float nets on the oneDNN engine; src/caffe/net_fusion.cpp,
  // docs/engine.md): an in-place BatchNorm directly followed by a per-channel
  // Scale in place on the same blob, and optionally an in-place ReLU with
  // negative_slope 0, run as one computation in the BatchNorm layer; the
  // absorbed layers' Forward and Backward do nothing (Layer::fused_into())
  // and their parameters stay theirs. Each group lists its layer indices,
  // head first. Forward ranges that cut a group split it back (for good);
  // backward ranges that cut one throw ConfigError. CAFFE_FUSION=0 in the
  // environment turns it off for nets built afterwards.
  const vector<vector<int>>& fused_groups() const { return fused_groups_; }

  // Hooks called with the layer index around every layer's Forward and
  // Backward (in ForwardFromTo/BackwardFromTo, so also during solver steps).
  // An exception thrown by a hook stops the pass and propagates.
  typedef std::function<void(int layer_id)> LayerHook;
  void add_before_forward(LayerHook hook) { before_forward_.push_back(std::move(hook)); }
  void add_after_forward(LayerHook hook) { after_forward_.push_back(std::move(hook)); }
  void add_before_backward(LayerHook hook) { before_backward_.push_back(std::move(hook)); }
  void add_after_backward(LayerHook hook) { after_backward_.push_back(std::move(hook)); }

  // Keeps the layers whose include/exclude rules accept param.state().
  static void FilterNet(const NetParameter& param, NetParameter* filtered);
  static bool StateMeetsRule(const NetState& state, const NetStateRule& rule,
                             const string& layer_name);

 private:
  void AppendTop(const NetParameter& param, int layer_id, int top_id,
                 set<string>* available_blobs, map<string, int>* blob_name_to_idx);
  int AppendBottom(const NetParameter& param, int layer_id, int bottom_id,
                   set<string>* available_blobs, map<string, int>* blob_name_to_idx);
  void AppendParam(const NetParameter& param, int layer_id, int param_id);
  void ForwardDebugInfo(int layer_id);
  // Rethrows `error` (being handled) with the layer's name and type in front,
  // unless its message already names the layer.
  [[noreturn]] void AddLayerContext(const Error& error, int layer_id) const;
  void BackwardDebugInfo(int layer_id);
  void FuseLayers();
  bool CanAbsorb(int head, int layer_id) const;
  // Whether the layers from..to (in either order) cut fused group `group`.
  bool CutsGroup(int from, int to, size_t group) const;
  void Unfuse(size_t group);

  string name_;
  Phase phase_;
  vector<shared_ptr<Layer<Dtype>>> layers_;
  vector<string> layer_names_;
  map<string, int> layer_names_index_;
  vector<bool> layer_need_backward_;
  vector<shared_ptr<Blob<Dtype>>> blobs_;
  vector<string> blob_names_;
  map<string, int> blob_names_index_;
  vector<bool> blob_need_backward_;
  vector<vector<Blob<Dtype>*>> bottom_vecs_;
  vector<vector<int>> bottom_id_vecs_;
  vector<vector<bool>> bottom_need_backward_;
  vector<vector<Blob<Dtype>*>> top_vecs_;
  vector<vector<int>> top_id_vecs_;
  vector<Dtype> blob_loss_weights_;
  vector<vector<int>> param_id_vecs_;
  vector<int> param_owners_;
  vector<string> param_display_names_;
  vector<pair<int, int>> param_layer_indices_;
  map<string, int> param_names_index_;
  vector<int> net_input_blob_indices_;
  vector<int> net_output_blob_indices_;
  vector<Blob<Dtype>*> net_input_blobs_;
  vector<Blob<Dtype>*> net_output_blobs_;
  vector<shared_ptr<Blob<Dtype>>> params_;
  vector<Blob<Dtype>*> learnable_params_;
  // learnable_param_ids_[i] indexes learnable_params_ for params_[i].
  vector<int> learnable_param_ids_;
  vector<float> params_lr_;
  vector<bool> has_params_lr_;
  vector<float> params_weight_decay_;
  vector<bool> has_params_decay_;
  size_t memory_used_ = 0;
  bool debug_info_ = false;
  vector<vector<int>> fused_groups_;
  vector<LayerHook> before_forward_, after_forward_, before_backward_, after_backward_;
};

// Inserts a Split layer after every blob consumed by more than one layer (or
// consumed by a layer and also a loss), renaming the consumers' bottoms.
void InsertSplits(const NetParameter& param, NetParameter* param_split);

}  // namespace caffe
