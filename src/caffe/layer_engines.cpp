// Registers the layer types that have more than one engine, with creators
// that read the layer's `engine:` field and build the reference layer or its
// oneDNN subclass (include/caffe/engine.hpp says how the field resolves).
#include <type_traits>

#include "caffe/engine.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/batch_norm_layer.hpp"
#include "caffe/layers/conv_layer.hpp"
#include "caffe/layers/inner_product_layer.hpp"
#include "caffe/layers/lrn_layer.hpp"
#include "caffe/layers/pooling_layer.hpp"
#include "caffe/layers/relu_layer.hpp"
#include "caffe/layers/softmax_layer.hpp"
#ifdef CAFFE_HAVE_ONEDNN
#include "caffe/dnnl/dnnl_layers.hpp"
#endif

namespace caffe {

namespace {

// Every layer's Engine enum uses these numbers: upstream's DEFAULT, CAFFE and
// CUDNN, and our ONEDNN (1000, clear of upstream's and of Intel's fork's
// MKL2017 = 3 and MKLDNN = 4).
constexpr int kDefault = 0, kCaffe = 1, kCudnn = 2, kOnednn = 1000;
static_assert(ConvolutionParameter_Engine_DEFAULT == kDefault &&
              ConvolutionParameter_Engine_CAFFE == kCaffe &&
              ConvolutionParameter_Engine_CUDNN == kCudnn &&
              ConvolutionParameter_Engine_ONEDNN == kOnednn);
static_assert(PoolingParameter_Engine_DEFAULT == kDefault &&
              PoolingParameter_Engine_CAFFE == kCaffe && PoolingParameter_Engine_CUDNN == kCudnn &&
              PoolingParameter_Engine_ONEDNN == kOnednn);
static_assert(LRNParameter_Engine_DEFAULT == kDefault && LRNParameter_Engine_CAFFE == kCaffe &&
              LRNParameter_Engine_CUDNN == kCudnn && LRNParameter_Engine_ONEDNN == kOnednn);
static_assert(ReLUParameter_Engine_DEFAULT == kDefault && ReLUParameter_Engine_CAFFE == kCaffe &&
              ReLUParameter_Engine_CUDNN == kCudnn && ReLUParameter_Engine_ONEDNN == kOnednn);
static_assert(SoftmaxParameter_Engine_DEFAULT == kDefault &&
              SoftmaxParameter_Engine_CAFFE == kCaffe && SoftmaxParameter_Engine_CUDNN == kCudnn &&
              SoftmaxParameter_Engine_ONEDNN == kOnednn);
static_assert(InnerProductParameter_Engine_DEFAULT == kDefault &&
              InnerProductParameter_Engine_CAFFE == kCaffe &&
              InnerProductParameter_Engine_ONEDNN == kOnednn);
static_assert(BatchNormParameter_Engine_DEFAULT == kDefault &&
              BatchNormParameter_Engine_CAFFE == kCaffe &&
              BatchNormParameter_Engine_ONEDNN == kOnednn);

// The engine that computes a layer whose `engine:` field is `value`.
Engine Resolve(int value, const LayerParameter& param) {
  switch (value) {
    case kCaffe:
      return Engine::kCaffe;
    case kOnednn:
      CAFFE_REQUIRE(OnednnAvailable(), ConfigError, "layer '", param.name(), "' (", param.type(),
                    ") asks for engine ONEDNN, but this build has no oneDNN (configure with "
                    "-DCAFFE_USE_ONEDNN=ON and libdnnl-dev installed, or use DEFAULT or CAFFE)");
      return Engine::kOnednn;
    case kCudnn:
      // Nets written for GPUs name cuDNN; upstream's CPU-only build refuses
      // them, but the layer computes the same function on either engine.
      LOG(WARNING) << "layer '" << param.name() << "' (" << param.type()
                   << ") asks for engine CUDNN, which this CPU-only build does not have; using "
                   << EngineName(DefaultEngine());
      return DefaultEngine();
    default:
      return DefaultEngine();
  }
}

// Builds the reference layer, or its oneDNN subclass `Onednn` when the
// engine resolves to ONEDNN and the net is float (oneDNN has no double
// primitives, so double nets always run the reference path).
template <typename Dtype, template <typename> class Reference, typename Onednn>
shared_ptr<Layer<Dtype>> Create(const LayerParameter& param, int engine_value) {
  const Engine engine = Resolve(engine_value, param);
  if constexpr (std::is_same_v<Dtype, float> && !std::is_void_v<Onednn>) {
    if (engine == Engine::kOnednn) return std::make_shared<Onednn>(param);
  }
  return std::make_shared<Reference<Dtype>>(param);
}

#ifdef CAFFE_HAVE_ONEDNN
#define CAFFE_ONEDNN_LAYER(Type) Dnnl##Type##Layer
#else
#define CAFFE_ONEDNN_LAYER(Type) void
#endif

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateConvolutionLayer(const LayerParameter& param) {
  return Create<Dtype, ConvolutionLayer, CAFFE_ONEDNN_LAYER(Convolution)>(
      param, param.convolution_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateInnerProductLayer(const LayerParameter& param) {
  return Create<Dtype, InnerProductLayer, CAFFE_ONEDNN_LAYER(InnerProduct)>(
      param, param.inner_product_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreatePoolingLayer(const LayerParameter& param) {
  return Create<Dtype, PoolingLayer, CAFFE_ONEDNN_LAYER(Pooling)>(
      param, param.pooling_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateLRNLayer(const LayerParameter& param) {
  return Create<Dtype, LRNLayer, CAFFE_ONEDNN_LAYER(LRN)>(param, param.lrn_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateReLULayer(const LayerParameter& param) {
  return Create<Dtype, ReLULayer, CAFFE_ONEDNN_LAYER(ReLU)>(param, param.relu_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateBatchNormLayer(const LayerParameter& param) {
  return Create<Dtype, BatchNormLayer, CAFFE_ONEDNN_LAYER(BatchNorm)>(
      param, param.batch_norm_param().engine());
}

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreateSoftmaxLayer(const LayerParameter& param) {
  return Create<Dtype, SoftmaxLayer, CAFFE_ONEDNN_LAYER(Softmax)>(
      param, param.softmax_param().engine());
}

#undef CAFFE_ONEDNN_LAYER

}  // namespace

REGISTER_LAYER_CREATOR(Convolution, CreateConvolutionLayer);
REGISTER_LAYER_CREATOR(InnerProduct, CreateInnerProductLayer);
REGISTER_LAYER_CREATOR(Pooling, CreatePoolingLayer);
REGISTER_LAYER_CREATOR(LRN, CreateLRNLayer);
REGISTER_LAYER_CREATOR(ReLU, CreateReLULayer);
REGISTER_LAYER_CREATOR(BatchNorm, CreateBatchNormLayer);
REGISTER_LAYER_CREATOR(Softmax, CreateSoftmaxLayer);

}  // namespace caffe
