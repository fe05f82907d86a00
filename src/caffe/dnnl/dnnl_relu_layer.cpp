// ReLU (with negative_slope) through oneDNN's element-wise primitives, over
// the blob seen as one flat vector; see dnnl_layers.hpp. Both compute
// y = x > 0 ? x : slope * x and dy/dx = x > 0 ? 1 : slope.
#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlReLULayer::Primitives {
  Dims key;  // element count and thread count the primitives were made for
  memory::desc data_desc;
  dnnl::eltwise_forward::primitive_desc forward_pd;
  dnnl::eltwise_forward forward;
  bool backward_ready = false;
  dnnl::eltwise_backward backward;
};

DnnlReLULayer::DnnlReLULayer(const LayerParameter& param)
    : ReLULayer<float>(param), primitives_(new Primitives) {}

DnnlReLULayer::~DnnlReLULayer() = default;

void DnnlReLULayer::Reshape(const vector<Blob<float>*>& bottom,
                            const vector<Blob<float>*>& top) {
  ReLULayer<float>::Reshape(bottom, top);
  active_ = bottom[0]->count() > 0;
  if (!active_) return;
  Primitives& p = *primitives_;
  const Dims key{bottom[0]->count(), UseBlasThreads()};
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  p.data_desc = PlainDesc({bottom[0]->count()});
  p.forward_pd = dnnl::eltwise_forward::primitive_desc(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training,
                                  dnnl::algorithm::eltwise_relu, p.data_desc,
                                  this->layer_param_.relu_param().negative_slope()),
      CpuEngine());
  p.forward = dnnl::eltwise_forward(p.forward_pd);
}

void DnnlReLULayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                const vector<Blob<float>*>& top) {
  if (!active_) return ReLULayer<float>::Forward_cpu(bottom, top);
  // As in the reference: with a negative slope the output's sign no longer
  // tells the input's, so an in-place run keeps x for the backward pass.
  if (this->layer_param_.relu_param().negative_slope() < 0) this->SaveInputIfInPlace(bottom, top);
  Primitives& p = *primitives_;
  UseBlasThreads();
  p.forward.execute(ThreadStream(), {{DNNL_ARG_SRC, Wrap(p.data_desc, bottom[0]->cpu_data())},
                                     {DNNL_ARG_DST, Wrap(p.data_desc, top[0]->mutable_cpu_data())}});
}

void DnnlReLULayer::Backward_cpu(const vector<Blob<float>*>& top,
                                 const vector<bool>& propagate_down,
                                 const vector<Blob<float>*>& bottom) {
  if (!active_) return ReLULayer<float>::Backward_cpu(top, propagate_down, bottom);
  if (!propagate_down[0]) return;
  Primitives& p = *primitives_;
  UseBlasThreads();
  const float slope = this->layer_param_.relu_param().negative_slope();
  if (!p.backward_ready) {
    p.backward = dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(
        dnnl::eltwise_backward::desc(dnnl::algorithm::eltwise_relu, p.data_desc, p.data_desc,
                                     slope),
        CpuEngine(), p.forward_pd));
    p.backward_ready = true;
  }
  // In place with a slope >= 0 the output has the input's sign, which is all
  // the gradient needs.
  const float* x = slope < 0 ? this->ForwardInput(bottom, top) : bottom[0]->cpu_data();
  p.backward.execute(ThreadStream(),
                     {{DNNL_ARG_SRC, Wrap(p.data_desc, x)},
                      {DNNL_ARG_DIFF_DST, Wrap(p.data_desc, top[0]->cpu_diff())},
                      {DNNL_ARG_DIFF_SRC, Wrap(p.data_desc, bottom[0]->mutable_cpu_diff())}});
}

}  // namespace caffe
