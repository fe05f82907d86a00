// Net-level fusion of BatchNorm + Scale (+ ReLU) on the oneDNN engine.
//
// A ResNet-style net follows every convolution with BatchNorm, a learned
// per-channel Scale and often a ReLU, all in place: three memory-bound passes
// over the same blob, forward and backward, each with more passes inside. The
// BatchNorm layer computes the three in two passes each way
// (src/caffe/dnnl/fused_batch_norm.hpp) and the others become no-ops. Fused
// and unfused nets compute the same function within float rounding;
// tests/cpp/test_net_fusion.cpp holds them to 1e-4.
//
// A group fuses only where nothing can observe the blobs between its
// layers: the layers are adjacent and all in place on one blob (so no other
// layer reads the intermediate values: a second consumer would have been
// given a Split layer), none has a loss weight, the net does not log
// debug info, and their backward needs agree (so the BatchNorm's backward
// pass, which now also yields the Scale's gradients, runs whenever any of
// them must). Anything else runs the layers one by one.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "caffe/net.hpp"
#ifdef CAFFE_HAVE_ONEDNN
#include "caffe/dnnl/dnnl_layers.hpp"
#endif

namespace caffe {

namespace {

bool FusionEnabled() {
  const char* value = std::getenv("CAFFE_FUSION");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

}  // namespace

template <typename Dtype>
bool Net<Dtype>::CanAbsorb(int head, int layer_id) const {
  // In place on the head's top, with no loss weight and the head's backward needs.
  const int blob_id = top_id_vecs_[head][0];
  const bool need_backward = layer_need_backward_[head];
  return bottom_id_vecs_[layer_id] == vector<int>{blob_id} &&
         top_id_vecs_[layer_id] == vector<int>{blob_id} && layers_[layer_id]->loss(0) == 0 &&
         layer_need_backward_[layer_id] == need_backward &&
         bottom_need_backward_[layer_id][0] == need_backward;
}

template <typename Dtype>
void Net<Dtype>::FuseLayers() {
#ifdef CAFFE_HAVE_ONEDNN
  if constexpr (std::is_same_v<Dtype, float>) {
    if (debug_info_ || !FusionEnabled()) return;
    const int num_layers = static_cast<int>(layers_.size());
    for (int head = 0; head + 1 < num_layers; ++head) {
      auto* batch_norm = dynamic_cast<DnnlBatchNormLayer*>(layers_[head].get());
      // In place too: otherwise the BatchNorm's top would keep the Scale's
      // bottom diff, which the fused backward pass never writes.
      if (batch_norm == nullptr || batch_norm->loss(0) != 0 ||
          bottom_id_vecs_[head] != top_id_vecs_[head] ||
          bottom_need_backward_[head][0] != layer_need_backward_[head]) {
        continue;
      }
      const Blob<float>& top = *top_vecs_[head][0];
      const int scale_id = head + 1;
      Layer<float>& scale = *layers_[scale_id];
      const ScaleParameter& scale_param = scale.layer_param().scale_param();
      const int axis = scale_param.axis() < 0 ? scale_param.axis() + top.num_axes()
                                              : scale_param.axis();
      const size_t num_blobs = scale_param.bias_term() ? 2 : 1;
      bool per_channel = string(scale.type()) == "Scale" && axis == 1 &&
                         scale_param.num_axes() == 1 && scale.blobs().size() == num_blobs;
      for (size_t i = 0; per_channel && i < num_blobs; ++i) {
        per_channel = scale.blobs()[i]->shape() == vector<int>{top.shape(1)};
      }
      if (!per_channel || !CanAbsorb(head, scale_id)) continue;
      vector<int> group{head, scale_id};
      const int relu_id = head + 2;
      if (relu_id < num_layers && dynamic_cast<DnnlReLULayer*>(layers_[relu_id].get()) &&
          layers_[relu_id]->layer_param().relu_param().negative_slope() == 0 &&
          CanAbsorb(head, relu_id)) {
        group.push_back(relu_id);
      }
      batch_norm->FuseScale(&scale, group.size() == 3, layer_need_backward_[head]);
      for (size_t i = 1; i < group.size(); ++i) {
        layers_[group[i]]->set_fused_into(layer_names_[head]);
        LOG(INFO) << layer_names_[group[i]] << " fused into " << layer_names_[head];
      }
      fused_groups_.push_back(group);
      head = group.back();
    }
  }
#endif
}

template <typename Dtype>
bool Net<Dtype>::CutsGroup(int from, int to, size_t group) const {
  const int low = std::min(from, to), high = std::max(from, to);
  int inside = 0;
  for (int layer_id : fused_groups_[group]) inside += layer_id >= low && layer_id <= high;
  return inside > 0 && inside < static_cast<int>(fused_groups_[group].size());
}

template <typename Dtype>
void Net<Dtype>::Unfuse(size_t group) {
#ifdef CAFFE_HAVE_ONEDNN
  if constexpr (std::is_same_v<Dtype, float>) {
    const vector<int>& layers = fused_groups_[group];
    static_cast<DnnlBatchNormLayer*>(layers_[layers.front()].get())->Unfuse();
    for (size_t i = 1; i < layers.size(); ++i) layers_[layers[i]]->set_fused_into("");
    LOG(INFO) << "Layers " << layer_names_[layers.front()] << ".." << layer_names_[layers.back()]
              << " run unfused from now on";
  }
#endif
  fused_groups_.erase(fused_groups_.begin() + group);
}

template <typename Dtype>
void Net<Dtype>::set_debug_info(bool value) {
  debug_info_ = value;
  while (value && !fused_groups_.empty()) Unfuse(fused_groups_.size() - 1);
}

// The rest of Net is instantiated in net.cpp.
#define CAFFE_INSTANTIATE_FUSION(Dtype)                                      \
  template bool Net<Dtype>::CanAbsorb(int head, int layer_id) const;         \
  template void Net<Dtype>::FuseLayers();                                    \
  template bool Net<Dtype>::CutsGroup(int from, int to, size_t group) const; \
  template void Net<Dtype>::Unfuse(size_t group);                            \
  template void Net<Dtype>::set_debug_info(bool value)
CAFFE_INSTANTIATE_FUSION(float);
CAFFE_INSTANTIATE_FUSION(double);
#undef CAFFE_INSTANTIATE_FUSION

}  // namespace caffe
