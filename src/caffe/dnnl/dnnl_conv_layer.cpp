// Convolution through oneDNN's direct convolution primitives (forward,
// backward data, backward weights with the bias gradient); see
// dnnl_layers.hpp. The weights go in the layout oneDNN picks for this CPU;
// so do the data (channel blocks of 16 with AVX-512), but:
// - pointwise convolutions (1x1 kernel, unit stride, no padding) keep the
//   plain layout: each image is then one matrix product, which oneDNN's GEMM
//   runs faster than its blocked kernels run with the two reorders around
//   them (measured on a ResNet bottleneck's 1x1 layers);
// - where blocks of 16 would pad the channels a lot (ChannelsLastPays), the
//   data go channels last, where oneDNN's brgemm kernels pad nothing: LeNet's
//   20 -> 50 channel layer ran forward and backward 1.3-1.5x faster so.
#include <unordered_map>

#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlConvolutionLayer::Primitives {
  Dims key;  // bottom shape and thread count the primitives were made for
  Dims src_dims, weight_dims, dst_dims, strides, dilates, padding;
  enum class DataLayout { kChosen, kPlain, kChannelsLast } data_layout = DataLayout::kChosen;
  memory::desc bias_desc;
  dnnl::convolution_forward::primitive_desc forward_pd;
  dnnl::convolution_forward forward;
  Operand src, weights, dst;

  // Made on the first Backward: a net that only runs forward never pays for them.
  bool backward_ready = false;
  dnnl::convolution_backward_data backward_data;
  dnnl::convolution_backward_weights backward_weights;
  Operand data_diff_dst, data_weights, diff_src;
  Operand weights_diff_dst, weights_src, diff_weights, diff_bias;

  void MakeBackward(bool bias_term);
  memory::desc Data(const Dims& dims) const;
};

namespace {

memory::desc Any(const Dims& dims) {
  return memory::desc(dims, memory::data_type::f32, memory::format_tag::any);
}

int RoundUp16(int channels) { return (channels + 15) / 16 * 16; }

// Measured on one AVX-512 core, forward + backward, channels last against
// blocks of 16 (docs/benchmarks.md, "LeNet, 1 thread"): faster from a
// padding factor of about 1.5 up (20 -> 50 channels: 2.05, 24 -> 24: 1.78,
// 8 -> 32: 2.0, 20 -> 64: 1.6), slower below (96 -> 40: 1.2, 48 -> 48: 1).
// A first layer's few input channels (up to 4) have kernels of their own on
// the plain source, faster than channels last (LeNet's 1 -> 20). Without
// AVX-512, oneDNN 2.6 has no brgemm kernels and blocks of 8 pad less: not
// measured there, so blocked.
bool ChannelsLastPays(int input_channels, int output_channels, int group) {
  if (group != 1 || input_channels <= 4 || !OnednnUsesAvx512()) return false;
  const double padded = static_cast<double>(RoundUp16(input_channels)) *
                        RoundUp16(output_channels);
  return padded >= 1.5 * input_channels * output_channels;
}

}  // namespace

memory::desc DnnlConvolutionLayer::Primitives::Data(const Dims& dims) const {
  switch (data_layout) {
    case DataLayout::kPlain:
      return PlainDesc(dims);
    case DataLayout::kChannelsLast:
      return PackedDesc(dims, Packing::kChannelsLast);
    case DataLayout::kChosen:
      break;
  }
  return Any(dims);
}

void DnnlConvolutionLayer::Primitives::MakeBackward(bool bias_term) {
  const auto algorithm = dnnl::algorithm::convolution_direct;
  dnnl::convolution_backward_data::primitive_desc data_pd(
      dnnl::convolution_backward_data::desc(algorithm, Data(src_dims), Any(weight_dims),
                                            Data(dst_dims), strides, dilates, padding, padding),
      CpuEngine(), forward_pd);
  backward_data = dnnl::convolution_backward_data(data_pd);
  data_diff_dst.Init(PlainDesc(dst_dims), data_pd.diff_dst_desc());
  data_weights.Init(PlainDesc(weight_dims), data_pd.weights_desc());
  diff_src.Init(PlainDesc(src_dims), data_pd.diff_src_desc());

  const auto weights_desc =
      bias_term ? dnnl::convolution_backward_weights::desc(
                      algorithm, Data(src_dims), Any(weight_dims), bias_desc, Data(dst_dims),
                      strides, dilates, padding, padding)
                : dnnl::convolution_backward_weights::desc(algorithm, Data(src_dims),
                                                           Any(weight_dims), Data(dst_dims),
                                                           strides, dilates, padding, padding);
  dnnl::convolution_backward_weights::primitive_desc weights_pd(weights_desc, CpuEngine(),
                                                                forward_pd);
  backward_weights = dnnl::convolution_backward_weights(weights_pd);
  weights_diff_dst.Init(PlainDesc(dst_dims), weights_pd.diff_dst_desc());
  weights_src.Init(PlainDesc(src_dims), weights_pd.src_desc());
  diff_weights.Init(PlainDesc(weight_dims), weights_pd.diff_weights_desc(), true);
  if (bias_term) diff_bias.Init(bias_desc, weights_pd.diff_bias_desc(), true);
  backward_ready = true;
}

DnnlConvolutionLayer::DnnlConvolutionLayer(const LayerParameter& param)
    : ConvolutionLayer<float>(param), primitives_(new Primitives) {}

DnnlConvolutionLayer::~DnnlConvolutionLayer() = default;

void DnnlConvolutionLayer::Reshape(const vector<Blob<float>*>& bottom,
                                   const vector<Blob<float>*>& top) {
  ConvolutionLayer<float>::Reshape(bottom, top);
  // oneDNN convolves 1 to 3 spatial axes that follow the channel axis 1.
  active_ = this->channel_axis_ == 1 && this->num_spatial_axes_ >= 1 &&
            this->num_spatial_axes_ <= 3;
  if (!active_) return;
  Primitives& p = *primitives_;
  Dims key(bottom[0]->shape().begin(), bottom[0]->shape().end());
  key.push_back(UseBlasThreads());
  if (key == p.key) return;
  p.key = key;
  p.backward_ready = false;
  using DataLayout = Primitives::DataLayout;
  p.data_layout = this->is_1x1_ ? DataLayout::kPlain
                  : ChannelsLastPays(this->channels_, this->num_output_, this->group_)
                      ? DataLayout::kChannelsLast
                      : DataLayout::kChosen;
  p.src_dims = {this->num_, this->channels_};
  p.dst_dims = {this->num_, this->num_output_};
  p.weight_dims.clear();
  if (this->group_ > 1) p.weight_dims.push_back(this->group_);
  p.weight_dims.push_back(this->num_output_ / this->group_);
  p.weight_dims.push_back(this->channels_ / this->group_);
  p.strides.clear();
  p.dilates.clear();
  p.padding.clear();
  for (int i = 0; i < this->num_spatial_axes_; ++i) {
    p.src_dims.push_back(this->input_shape(i + 1));
    p.dst_dims.push_back(this->output_shape_[i]);
    p.weight_dims.push_back(this->kernel_shape_[i]);
    p.strides.push_back(this->stride_[i]);
    // oneDNN counts the cells inserted between kernel taps: Caffe's minus one.
    p.dilates.push_back(this->dilation_[i] - 1);
    // With the same padding on both sides oneDNN's output extent,
    // (in + 2 * pad - extent) / stride + 1 rounded down, is Caffe's.
    p.padding.push_back(this->pad_[i]);
  }
  p.bias_desc = PlainDesc({this->num_output_});
  const auto algorithm = dnnl::algorithm::convolution_direct;
  const auto training = dnnl::prop_kind::forward_training;
  const auto forward_desc =
      this->bias_term_
          ? dnnl::convolution_forward::desc(training, algorithm, p.Data(p.src_dims),
                                            Any(p.weight_dims), p.bias_desc, p.Data(p.dst_dims),
                                            p.strides, p.dilates, p.padding, p.padding)
          : dnnl::convolution_forward::desc(training, algorithm, p.Data(p.src_dims),
                                            Any(p.weight_dims), p.Data(p.dst_dims), p.strides,
                                            p.dilates, p.padding, p.padding);
  p.forward_pd = dnnl::convolution_forward::primitive_desc(forward_desc, CpuEngine());
  p.forward = dnnl::convolution_forward(p.forward_pd);
  p.src.Init(PlainDesc(p.src_dims), p.forward_pd.src_desc());
  p.weights.Init(PlainDesc(p.weight_dims), p.forward_pd.weights_desc());
  p.dst.Init(PlainDesc(p.dst_dims), p.forward_pd.dst_desc());
}

void DnnlConvolutionLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                       const vector<Blob<float>*>& top) {
  if (!active_) return ConvolutionLayer<float>::Forward_cpu(bottom, top);
  Primitives& p = *primitives_;
  UseBlasThreads();
  std::unordered_map<int, memory> args;
  args[DNNL_ARG_WEIGHTS] = p.weights.In(this->blobs_[0]->cpu_data());
  if (this->bias_term_) args[DNNL_ARG_BIAS] = Wrap(p.bias_desc, this->blobs_[1]->cpu_data());
  for (size_t i = 0; i < bottom.size(); ++i) {
    float* top_data = top[i]->mutable_cpu_data();
    args[DNNL_ARG_SRC] = p.src.In(bottom[i]->cpu_data());
    args[DNNL_ARG_DST] = p.dst.Out(top_data);
    p.forward.execute(ThreadStream(), args);
    p.dst.WriteBack(top_data);
  }
}

void DnnlConvolutionLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                        const vector<bool>& propagate_down,
                                        const vector<Blob<float>*>& bottom) {
  if (!active_) return ConvolutionLayer<float>::Backward_cpu(top, propagate_down, bottom);
  Primitives& p = *primitives_;
  UseBlasThreads();
  if (!p.backward_ready) p.MakeBackward(this->bias_term_);
  const bool weight_grad = this->param_propagate_down(0);
  const bool bias_grad = this->bias_term_ && this->param_propagate_down(1);
  memory data_weights;
  for (size_t i = 0; i < top.size(); ++i) {
    const float* top_diff = top[i]->cpu_diff();
    if (bias_grad && !weight_grad) {
      // The weights primitive computes both; the bias alone is a sum.
      float* bias_diff = this->blobs_[1]->mutable_cpu_diff();
      const int spatial = this->out_spatial_dim_;
      for (int n = 0; n < this->num_; ++n) {
        for (int c = 0; c < this->num_output_; ++c) {
          const float* plane = top_diff + (n * this->num_output_ + c) * spatial;
          float sum = 0;
          for (int s = 0; s < spatial; ++s) sum += plane[s];
          bias_diff[c] += sum;
        }
      }
    }
    memory weights_diff_dst;
    if (weight_grad) {
      float* weight_diff = this->blobs_[0]->mutable_cpu_diff();
      weights_diff_dst = p.weights_diff_dst.In(top_diff);
      std::unordered_map<int, memory> args{
          {DNNL_ARG_SRC, p.weights_src.In(bottom[i]->cpu_data())},
          {DNNL_ARG_DIFF_DST, weights_diff_dst},
          {DNNL_ARG_DIFF_WEIGHTS, p.diff_weights.Out(weight_diff)}};
      // The primitive always computes the bias gradient when the layer has a bias.
      float* bias_diff = this->bias_term_ ? this->blobs_[1]->mutable_cpu_diff() : nullptr;
      if (bias_diff) args[DNNL_ARG_DIFF_BIAS] = p.diff_bias.Out(bias_diff);
      p.backward_weights.execute(ThreadStream(), args);
      p.diff_weights.WriteBack(weight_diff);
      if (bias_grad) p.diff_bias.WriteBack(bias_diff);
    }
    if (propagate_down[i]) {
      float* bottom_diff = bottom[i]->mutable_cpu_diff();
      if (!data_weights) data_weights = p.data_weights.In(this->blobs_[0]->cpu_data());
      // The weights pass has usually put the top diff in the layout this pass wants.
      const memory diff_dst = weight_grad && p.data_diff_dst.wanted() ==
                                                 p.weights_diff_dst.wanted()
                                  ? weights_diff_dst
                                  : p.data_diff_dst.In(top_diff);
      p.backward_data.execute(ThreadStream(), {{DNNL_ARG_DIFF_DST, diff_dst},
                                               {DNNL_ARG_WEIGHTS, data_weights},
                                               {DNNL_ARG_DIFF_SRC, p.diff_src.Out(bottom_diff)}});
      p.diff_src.WriteBack(bottom_diff);
    }
  }
}

}  // namespace caffe
