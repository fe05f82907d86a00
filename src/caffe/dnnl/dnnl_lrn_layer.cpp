// LRN through oneDNN's LRN primitives, both norm regions; see dnnl_layers.hpp.
// oneDNN divides alpha by the number of cells in the neighbourhood (n across
// channels, n^2 within a channel), as Caffe does. Within a channel Caffe adds
// 1, not k, so that mode is given k = 1.
//
// The primitives run on the channel-blocked layout (BlockedDesc): on the
// plain one oneDNN's backward pass is generic code, a hundred times slower
// than the reorders. The blocked bottom is kept for the backward pass.
#include <unordered_map>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlLRNLayer::Primitives {
  Dims key;  // bottom shape and thread count the primitives were made for
  dnnl::algorithm algorithm;
  float k = 1;
  memory::desc plain, blocked;
  dnnl::lrn_forward::primitive_desc forward_pd;
  dnnl::lrn_forward forward;
  Operand src, dst;
  memory x;  // the last forward pass's bottom, blocked
  memory workspace;
  bool backward_ready = false;
  dnnl::lrn_backward backward;
  Operand diff_dst, diff_src;
};

DnnlLRNLayer::DnnlLRNLayer(const LayerParameter& param)
    : LRNLayer<float>(param), primitives_(new Primitives) {}

DnnlLRNLayer::~DnnlLRNLayer() = default;

void DnnlLRNLayer::Reshape(const vector<Blob<float>*>& bottom, const vector<Blob<float>*>& top) {
  LRNLayer<float>::Reshape(bottom, top);
  active_ = true;
  Primitives& p = *primitives_;
  Dims key(bottom[0]->shape().begin(), bottom[0]->shape().end());
  key.push_back(UseBlasThreads());
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  p.algorithm = this->across_channels_ ? dnnl::algorithm::lrn_across_channels
                                       : dnnl::algorithm::lrn_within_channel;
  p.k = this->across_channels_ ? this->k_ : 1.0f;
  const Dims dims{this->num_, this->channels_, this->height_, this->width_};
  p.plain = PlainDesc(dims);
  p.blocked = BlockedDesc(dims);
  p.forward_pd = dnnl::lrn_forward::primitive_desc(
      dnnl::lrn_forward::desc(dnnl::prop_kind::forward_training, p.algorithm, p.blocked,
                              this->size_, this->alpha_, this->beta_, p.k),
      CpuEngine());
  p.forward = dnnl::lrn_forward(p.forward_pd);
  p.src.Init(p.plain, p.blocked);
  p.dst.Init(p.plain, p.forward_pd.dst_desc());
  const memory::desc workspace_desc = p.forward_pd.workspace_desc();
  p.workspace = workspace_desc.get_size() > 0 ? memory(workspace_desc, CpuEngine()) : memory();
}

void DnnlLRNLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                               const vector<Blob<float>*>& top) {
  Primitives& p = *primitives_;
  UseBlasThreads();
  // Not in place (the reference refuses that), so x stays valid even when
  // the layouts coincide and In() passes the bottom itself.
  p.x = p.src.In(bottom[0]->cpu_data());
  float* top_data = top[0]->mutable_cpu_data();
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p.x},
                                       {DNNL_ARG_DST, p.dst.Out(top_data)}};
  if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.forward.execute(ThreadStream(), args);
  p.dst.WriteBack(top_data);
}

void DnnlLRNLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                const vector<bool>& propagate_down,
                                const vector<Blob<float>*>& bottom) {
  if (!propagate_down[0]) return;
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    const dnnl::lrn_backward::primitive_desc backward_pd(
        dnnl::lrn_backward::desc(p.algorithm, p.blocked, p.blocked, this->size_, this->alpha_,
                                 this->beta_, p.k),
        CpuEngine(), p.forward_pd);
    p.backward = dnnl::lrn_backward(backward_pd);
    p.diff_dst.Init(p.plain, backward_pd.diff_dst_desc());
    p.diff_src.Init(p.plain, backward_pd.diff_src_desc());
    p.backward_ready = true;
  }
  float* bottom_diff = bottom[0]->mutable_cpu_diff();
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p.x},
                                       {DNNL_ARG_DIFF_DST, p.diff_dst.In(top[0]->cpu_diff())},
                                       {DNNL_ARG_DIFF_SRC, p.diff_src.Out(bottom_diff)}};
  if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.backward.execute(ThreadStream(), args);
  p.diff_src.WriteBack(bottom_diff);
}

}  // namespace caffe
