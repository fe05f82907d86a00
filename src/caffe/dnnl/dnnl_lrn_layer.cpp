// LRN through oneDNN's LRN primitives, both norm regions; see dnnl_layers.hpp.
// oneDNN divides alpha by the number of cells in the neighbourhood (n across
// channels, n^2 within a channel), as Caffe does. Within a channel Caffe adds
// 1, not k, so that mode is given k = 1.
#include <unordered_map>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlLRNLayer::Primitives {
  Dims key;  // bottom shape and thread count the primitives were made for
  dnnl::algorithm algorithm;
  float k = 1;
  memory::desc data_desc;
  dnnl::lrn_forward::primitive_desc forward_pd;
  dnnl::lrn_forward forward;
  memory workspace;
  bool backward_ready = false;
  dnnl::lrn_backward backward;
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
  p.data_desc = PlainDesc({this->num_, this->channels_, this->height_, this->width_});
  p.forward_pd = dnnl::lrn_forward::primitive_desc(
      dnnl::lrn_forward::desc(dnnl::prop_kind::forward_training, p.algorithm, p.data_desc,
                              this->size_, this->alpha_, this->beta_, p.k),
      CpuEngine());
  p.forward = dnnl::lrn_forward(p.forward_pd);
  const memory::desc workspace_desc = p.forward_pd.workspace_desc();
  p.workspace = workspace_desc.get_size() > 0 ? memory(workspace_desc, CpuEngine()) : memory();
}

void DnnlLRNLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                               const vector<Blob<float>*>& top) {
  Primitives& p = *primitives_;
  UseBlasThreads();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, Wrap(p.data_desc, bottom[0]->cpu_data())},
      {DNNL_ARG_DST, Wrap(p.data_desc, top[0]->mutable_cpu_data())}};
  if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.forward.execute(ThreadStream(), args);
}

void DnnlLRNLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                const vector<bool>& propagate_down,
                                const vector<Blob<float>*>& bottom) {
  if (!propagate_down[0]) return;
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    p.backward = dnnl::lrn_backward(dnnl::lrn_backward::primitive_desc(
        dnnl::lrn_backward::desc(p.algorithm, p.data_desc, p.data_desc, this->size_,
                                 this->alpha_, this->beta_, p.k),
        CpuEngine(), p.forward_pd));
    p.backward_ready = true;
  }
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, Wrap(p.data_desc, bottom[0]->cpu_data())},
      {DNNL_ARG_DIFF_DST, Wrap(p.data_desc, top[0]->cpu_diff())},
      {DNNL_ARG_DIFF_SRC, Wrap(p.data_desc, bottom[0]->mutable_cpu_diff())}};
  if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
  p.backward.execute(ThreadStream(), args);
}

}  // namespace caffe
