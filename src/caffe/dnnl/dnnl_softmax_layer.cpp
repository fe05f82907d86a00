// Softmax through oneDNN's softmax primitives, over the bottom seen as
// (outer, channels, inner) with the softmax along the middle axis; see
// dnnl_layers.hpp.
#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlSoftmaxLayer::Primitives {
  Dims key;  // (outer, channels, inner) and thread count the primitives were made for
  memory::desc data_desc;
  dnnl::softmax_forward::primitive_desc forward_pd;
  dnnl::softmax_forward forward;
  bool backward_ready = false;
  dnnl::softmax_backward backward;
};

DnnlSoftmaxLayer::DnnlSoftmaxLayer(const LayerParameter& param)
    : SoftmaxLayer<float>(param), primitives_(new Primitives) {}

DnnlSoftmaxLayer::~DnnlSoftmaxLayer() = default;

void DnnlSoftmaxLayer::Reshape(const vector<Blob<float>*>& bottom,
                               const vector<Blob<float>*>& top) {
  SoftmaxLayer<float>::Reshape(bottom, top);
  active_ = bottom[0]->count() > 0;
  if (!active_) return;
  Primitives& p = *primitives_;
  const Dims key{this->outer_num_, this->channels_, this->inner_num_, UseBlasThreads()};
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  p.data_desc = PlainDesc({this->outer_num_, this->channels_, this->inner_num_});
  p.forward_pd = dnnl::softmax_forward::primitive_desc(
      dnnl::softmax_forward::desc(dnnl::prop_kind::forward_training, p.data_desc, 1),
      CpuEngine());
  p.forward = dnnl::softmax_forward(p.forward_pd);
}

void DnnlSoftmaxLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                   const vector<Blob<float>*>& top) {
  if (!active_) return SoftmaxLayer<float>::Forward_cpu(bottom, top);
  Primitives& p = *primitives_;
  UseBlasThreads();
  p.forward.execute(ThreadStream(), {{DNNL_ARG_SRC, Wrap(p.data_desc, bottom[0]->cpu_data())},
                                     {DNNL_ARG_DST, Wrap(p.data_desc, top[0]->mutable_cpu_data())}});
}

void DnnlSoftmaxLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                    const vector<bool>& propagate_down,
                                    const vector<Blob<float>*>& bottom) {
  if (!active_) return SoftmaxLayer<float>::Backward_cpu(top, propagate_down, bottom);
  if (!propagate_down[0]) return;
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) {
    p.backward = dnnl::softmax_backward(dnnl::softmax_backward::primitive_desc(
        dnnl::softmax_backward::desc(p.data_desc, p.data_desc, 1), CpuEngine(), p.forward_pd));
    p.backward_ready = true;
  }
  // The gradient needs only the output, so in place works as in the reference.
  p.backward.execute(ThreadStream(),
                     {{DNNL_ARG_DST, Wrap(p.data_desc, top[0]->cpu_data())},
                      {DNNL_ARG_DIFF_DST, Wrap(p.data_desc, top[0]->cpu_diff())},
                      {DNNL_ARG_DIFF_SRC, Wrap(p.data_desc, bottom[0]->mutable_cpu_diff())}});
}

}  // namespace caffe
