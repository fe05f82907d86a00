// The oneDNN engine against the reference path (engine CAFFE), layer by
// layer: the same parameters and inputs go through both; tops, bottom
// gradients, parameter gradients (accumulated onto non-zero diffs, as Caffe
// sums them) and parameter data (BatchNorm's running sums) must agree within
// 1e-4 * max(1, |reference|), over many shapes and parameters, and again
// after a reshape to another batch size. Each case also says whether oneDNN
// must compute it or must hand it to the reference path (a case it cannot
// express exactly), and the test checks that it did.
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "caffe/engine.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/util/math_functions.hpp"

#ifdef CAFFE_HAVE_ONEDNN
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {
namespace {

enum class Path { kOnednn, kReference };

struct Options {
  bool in_place = false;
  Phase phase = TRAIN;
  // Inputs drawn as small integers (many exact ties) instead of uniform reals.
  bool integer_inputs = false;
  // Parameter blobs drawn uniform in [0.5, 1.5] (BatchNorm's stored statistics).
  bool positive_params = false;
};

LayerParameter Parse(const std::string& text, const std::string& engine, Phase phase) {
  std::string filled = text;
  const std::string placeholder = "ENGINE";
  const size_t at = filled.find(placeholder);
  EXPECT_NE(at, std::string::npos) << "the case must say where the engine goes: " << text;
  filled.replace(at, placeholder.size(), engine);
  LayerParameter param;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(filled, &param)) << filled;
  param.set_phase(phase);
  return param;
}

void FillInput(Blob<float>* blob, unsigned seed, bool integers) {
  Caffe::set_random_seed(seed);
  float* data = blob->mutable_cpu_data();
  caffe_rng_uniform<float>(blob->count(), -1, 1, data);
  if (integers) {
    for (int i = 0; i < blob->count(); ++i) data[i] = std::round(data[i] * 2);
  }
}

void ExpectClose(const float* reference, const float* onednn, int count, const std::string& what) {
  int failures = 0;
  for (int i = 0; i < count && failures < 5; ++i) {
    const double tolerance = 1e-4 * std::max(1.0, std::fabs(double(reference[i])));
    if (!(std::fabs(double(onednn[i]) - double(reference[i])) <= tolerance)) {
      ADD_FAILURE() << what << "[" << i << "]: reference " << reference[i] << ", oneDNN "
                    << onednn[i];
      ++failures;
    }
  }
}

// One engine's layer with its own copies of the bottoms and tops.
struct Side {
  shared_ptr<Layer<float>> layer;
  vector<std::unique_ptr<Blob<float>>> bottom_storage, top_storage;
  vector<Blob<float>*> bottom, top;

  void MakeBlobs(const vector<vector<int>>& shapes, int num_tops, bool in_place) {
    for (const auto& shape : shapes) {
      bottom_storage.push_back(std::make_unique<Blob<float>>(shape));
      bottom.push_back(bottom_storage.back().get());
    }
    for (int i = 0; i < num_tops; ++i) {
      if (in_place) {
        top.push_back(bottom[i]);
      } else {
        top_storage.push_back(std::make_unique<Blob<float>>());
        top.push_back(top_storage.back().get());
      }
    }
  }
};

// Runs `text` (a layer whose engine field reads ENGINE) on both engines with
// bottoms of `shapes`, then once more with every first axis one larger.
void CompareEngines(const std::string& text, vector<vector<int>> shapes, Path expected,
                    const Options& options = {}) {
  SCOPED_TRACE(text);
  Side reference, onednn;
  reference.layer = LayerRegistry<float>::CreateLayer(Parse(text, "CAFFE", options.phase));
  onednn.layer = LayerRegistry<float>::CreateLayer(Parse(text, "ONEDNN", options.phase));
  ASSERT_EQ(dynamic_cast<OnednnPath*>(reference.layer.get()), nullptr);
  auto* path = dynamic_cast<OnednnPath*>(onednn.layer.get());
  ASSERT_NE(path, nullptr) << "engine ONEDNN did not build a oneDNN layer";
  const int num_tops = reference.layer->layer_param().top_size();
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "first shapes" : "after a reshape");
    if (round == 1) {
      for (auto& shape : shapes) ++shape[0];
    }
    for (Side* side : {&reference, &onednn}) {
      side->bottom_storage.clear();
      side->top_storage.clear();
      side->bottom.clear();
      side->top.clear();
      side->MakeBlobs(shapes, num_tops, options.in_place);
      for (size_t i = 0; i < shapes.size(); ++i) {
        FillInput(side->bottom[i], 100 + 10 * round + i, options.integer_inputs);
      }
    }
    if (round == 0) {
      reference.layer->SetUp(reference.bottom, reference.top);
      onednn.layer->SetUp(onednn.bottom, onednn.top);
      auto& ref_blobs = reference.layer->blobs();
      auto& dnn_blobs = onednn.layer->blobs();
      ASSERT_EQ(ref_blobs.size(), dnn_blobs.size());
      for (size_t b = 0; b < ref_blobs.size(); ++b) {
        Blob<float>& blob = *ref_blobs[b];
        Caffe::set_random_seed(50 + b);
        if (options.positive_params) {
          caffe_rng_uniform<float>(blob.count(), 0.5, 1.5, blob.mutable_cpu_data());
        } else if (blob.count() > 0 && blob.asum_data() == 0) {
          caffe_rng_uniform<float>(blob.count(), -1, 1, blob.mutable_cpu_data());  // zero bias
        }
        // Gradients accumulate onto what is already there.
        caffe_rng_uniform<float>(blob.count(), -1, 1, blob.mutable_cpu_diff());
        dnn_blobs[b]->CopyFrom(blob, false, true);
        dnn_blobs[b]->CopyFrom(blob, true, false);
      }
    }
    reference.layer->Forward(reference.bottom, reference.top);
    onednn.layer->Forward(onednn.bottom, onednn.top);
    EXPECT_EQ(path->onednn_active(), expected == Path::kOnednn)
        << (expected == Path::kOnednn ? "oneDNN handed this case to the reference path"
                                      : "oneDNN computed a case it should leave to the reference");
    for (int t = 0; t < num_tops; ++t) {
      ASSERT_EQ(reference.top[t]->shape(), onednn.top[t]->shape());
      ExpectClose(reference.top[t]->cpu_data(), onednn.top[t]->cpu_data(),
                  reference.top[t]->count(), "top " + std::to_string(t));
    }
    for (int t = 0; t < num_tops; ++t) {
      Blob<float>* ref_top = reference.top[t];
      Caffe::set_random_seed(200 + t);
      caffe_rng_uniform<float>(ref_top->count(), -1, 1, ref_top->mutable_cpu_diff());
      caffe_copy(ref_top->count(), ref_top->cpu_diff(), onednn.top[t]->mutable_cpu_diff());
    }
    const vector<bool> propagate_down(shapes.size(), true);
    reference.layer->Backward(reference.top, propagate_down, reference.bottom);
    onednn.layer->Backward(onednn.top, propagate_down, onednn.bottom);
    for (size_t i = 0; i < shapes.size(); ++i) {
      ExpectClose(reference.bottom[i]->cpu_diff(), onednn.bottom[i]->cpu_diff(),
                  reference.bottom[i]->count(), "bottom diff " + std::to_string(i));
    }
    for (size_t b = 0; b < reference.layer->blobs().size(); ++b) {
      const Blob<float>& ref_blob = *reference.layer->blobs()[b];
      const Blob<float>& dnn_blob = *onednn.layer->blobs()[b];
      ExpectClose(ref_blob.cpu_data(), dnn_blob.cpu_data(), ref_blob.count(),
                  "param data " + std::to_string(b));
      ExpectClose(ref_blob.cpu_diff(), dnn_blob.cpu_diff(), ref_blob.count(),
                  "param diff " + std::to_string(b));
    }
  }
}

std::string Conv(const std::string& conv_param, int bottoms = 1) {
  std::string text = "name: 'conv' type: 'Convolution' ";
  for (int i = 0; i < bottoms; ++i) {
    text += "bottom: 'b" + std::to_string(i) + "' top: 't" + std::to_string(i) + "' ";
  }
  return text + "convolution_param { engine: ENGINE weight_filler { type: 'gaussian' std: 0.3 } " +
         conv_param + " }";
}

TEST(OnednnConvolution, MatchesTheReference) {
  CompareEngines(Conv("num_output: 8 kernel_size: 3 pad: 1"), {{2, 3, 9, 9}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 5 kernel_size: 5"), {{3, 1, 14, 14}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 32 kernel_size: 5 pad: 2"), {{2, 16, 10, 10}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 20 kernel_size: 3 stride: 2 pad: 1"), {{2, 17, 11, 12}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 24 kernel_size: 1"), {{2, 32, 7, 7}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 16 kernel_size: 1 stride: 2 bias_term: false"),
                 {{2, 16, 8, 8}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 6 kernel_size: 3 pad: 1 bias_term: false"), {{2, 4, 6, 6}},
                 Path::kOnednn);
}

TEST(OnednnConvolution, GroupsDilationAndUnevenGeometry) {
  CompareEngines(Conv("num_output: 6 kernel_size: 3 stride: 2 pad: 1 group: 2"),
                 {{2, 4, 9, 9}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 16 kernel_size: 3 pad: 1 group: 16"), {{2, 16, 8, 8}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 32 kernel_size: 3 pad: 1 group: 4"), {{2, 32, 6, 6}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 4 kernel_size: 3 dilation: 2 pad: 2"), {{2, 3, 10, 9}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 16 kernel_size: 3 dilation: 3 stride: 2"), {{2, 16, 13, 13}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 5 kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 1 pad_h: 1 "
                      "pad_w: 0"),
                 {{2, 3, 9, 8}}, Path::kOnednn);
  // The stride does not divide the extent: the last rows are never read.
  CompareEngines(Conv("num_output: 4 kernel_size: 5 stride: 2"), {{2, 2, 28, 27}},
                 Path::kOnednn);
}

TEST(OnednnConvolution, SharedWeightsOverSeveralBottoms) {
  CompareEngines(Conv("num_output: 8 kernel_size: 3 pad: 1", 2), {{2, 4, 7, 7}, {2, 4, 7, 7}},
                 Path::kOnednn);
}

TEST(OnednnConvolution, OtherSpatialRanks) {
  CompareEngines(Conv("num_output: 4 kernel_size: 3 pad: 1 stride: 2"), {{2, 3, 5, 6, 7}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 4 kernel_size: 3"), {{2, 3, 11}}, Path::kOnednn);
  // The channel axis elsewhere than 1 stays with the reference.
  CompareEngines(Conv("num_output: 4 kernel_size: 3 axis: 2"), {{2, 2, 3, 7, 7}},
                 Path::kReference);
}

// Channel counts that blocks of 16 would pad by half or more (past a first
// layer's few input channels) run channels last (dnnl_conv_layer.cpp's
// ChannelsLastPays), in every spatial rank, over several bottoms, with and
// without bias, and with spatial sizes that leave partial 16-pixel tiles.
TEST(OnednnConvolution, ChannelsLastWhereBlocksWouldPadMuch) {
  CompareEngines(Conv("num_output: 50 kernel_size: 5"), {{3, 20, 12, 12}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 20 kernel_size: 3 pad: 1 stride: 2 bias_term: false"),
                 {{2, 50, 9, 7}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 24 kernel_size: 3 pad: 1", 2), {{2, 24, 6, 5}, {2, 24, 6, 5}},
                 Path::kOnednn);
  CompareEngines(Conv("num_output: 20 kernel_size: 3 pad: 1"), {{2, 6, 5, 6, 7}}, Path::kOnednn);
  CompareEngines(Conv("num_output: 10 kernel_size: 3"), {{2, 12, 19}}, Path::kOnednn);
}

std::string InnerProduct(const std::string& ip_param) {
  return "name: 'ip' type: 'InnerProduct' bottom: 'b' top: 't' inner_product_param { engine: "
         "ENGINE weight_filler { type: 'gaussian' std: 0.2 } " +
         ip_param + " }";
}

TEST(OnednnInnerProduct, MatchesTheReference) {
  CompareEngines(InnerProduct("num_output: 10"), {{4, 3, 5, 5}}, Path::kOnednn);
  CompareEngines(InnerProduct("num_output: 33 transpose: true"), {{5, 20}}, Path::kOnednn);
  CompareEngines(InnerProduct("num_output: 7 bias_term: false"), {{3, 64}}, Path::kOnednn);
  CompareEngines(InnerProduct("num_output: 6 transpose: true bias_term: false"), {{3, 17}},
                 Path::kOnednn);
  CompareEngines(InnerProduct("num_output: 9 axis: 2"), {{2, 3, 4, 5}}, Path::kOnednn);
  CompareEngines(InnerProduct("num_output: 500"), {{8, 800}}, Path::kOnednn);
}

std::string Pool(const std::string& pool_param, int tops = 1) {
  std::string text = "name: 'pool' type: 'Pooling' bottom: 'b' top: 't' ";
  if (tops == 2) text += "top: 'mask' ";
  return text + "pooling_param { engine: ENGINE " + pool_param + " }";
}

TEST(OnednnPooling, MaxRunsTheReferencePath) {
  // Faster than oneDNN's MAX primitives on the plain layout (docs/engine.md).
  CompareEngines(Pool("pool: MAX kernel_size: 2 stride: 2"), {{2, 3, 8, 8}}, Path::kReference);
  CompareEngines(Pool("pool: MAX kernel_size: 3 stride: 2 pad: 1"), {{2, 16, 9, 9}},
                 Path::kReference, {.integer_inputs = true});
}

TEST(OnednnPooling, AverageMatchesTheReference) {
  CompareEngines(Pool("pool: AVE kernel_size: 2 stride: 2"), {{2, 3, 8, 8}}, Path::kOnednn);
  // No padding: windows cut by the ceil rounding divide by the cells inside.
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 2"), {{2, 4, 10, 9}}, Path::kOnednn);
  // Padding that the last window does not pass: every divisor is the whole kernel.
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 2 pad: 1"), {{2, 3, 9, 9}},
                 Path::kOnednn);
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 1 pad: 1"), {{2, 3, 6, 7}},
                 Path::kOnednn);
  CompareEngines(Pool("pool: AVE global_pooling: true"), {{2, 5, 6, 7}}, Path::kOnednn);
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 2 round_mode: FLOOR"), {{2, 3, 10, 10}},
                 Path::kOnednn);
}

TEST(OnednnPooling, CasesOneDnnCannotExpressRunTheReference) {
  // The last window passes the padding (10 + 2 - 3 = 9, odd): Caffe's divisor
  // counts the padding but not the cells past it.
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 2 pad: 1"), {{2, 3, 10, 10}},
                 Path::kReference);
  CompareEngines(Pool("pool: AVE kernel_size: 3 stride: 2 pad_h: 1 pad_w: 0"), {{2, 3, 9, 10}},
                 Path::kReference);
  // A window that holds no cell of the image (stride past kernel and image).
  CompareEngines(Pool("pool: AVE kernel_size: 1 stride: 3"), {{2, 3, 5, 5}}, Path::kReference);
  CompareEngines(Pool("pool: STOCHASTIC kernel_size: 2 stride: 2"), {{2, 3, 6, 6}},
                 Path::kReference, {.phase = TEST});
}

std::string LRN(const std::string& lrn_param) {
  return "name: 'lrn' type: 'LRN' bottom: 'b' top: 't' lrn_param { engine: ENGINE " + lrn_param +
         " }";
}

TEST(OnednnLRN, BothRegionsMatchTheReference) {
  CompareEngines(LRN("local_size: 5 alpha: 0.0001 beta: 0.75"), {{2, 7, 5, 5}}, Path::kOnednn);
  CompareEngines(LRN("local_size: 3 alpha: 0.5 beta: 0.6 k: 2"), {{2, 16, 4, 6}}, Path::kOnednn);
  CompareEngines(LRN("local_size: 5 alpha: 1 beta: 0.75"), {{2, 32, 6, 6}}, Path::kOnednn);
  CompareEngines(LRN("local_size: 3 alpha: 0.5 beta: 0.75 norm_region: WITHIN_CHANNEL"),
                 {{2, 3, 7, 6}}, Path::kOnednn);
  // k is not used within a channel, by either engine.
  CompareEngines(LRN("local_size: 5 alpha: 2 beta: 0.8 k: 3 norm_region: WITHIN_CHANNEL"),
                 {{2, 16, 8, 8}}, Path::kOnednn);
}

std::string ReLU(const std::string& relu_param) {
  return "name: 'relu' type: 'ReLU' bottom: 'b' top: 't' relu_param { engine: ENGINE " +
         relu_param + " }";
}

TEST(OnednnReLU, MatchesTheReferenceInAndOutOfPlace) {
  for (bool in_place : {false, true}) {
    CompareEngines(ReLU(""), {{2, 3, 4, 5}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(ReLU("negative_slope: 0.1"), {{3, 17}}, Path::kOnednn,
                   {.in_place = in_place});
    CompareEngines(ReLU("negative_slope: -0.5"), {{2, 8, 3, 3}}, Path::kOnednn,
                   {.in_place = in_place});
    // Exact zeros: the gradient there is the slope's, in both.
    CompareEngines(ReLU("negative_slope: 0.25"), {{2, 3, 5, 5}}, Path::kOnednn,
                   {.in_place = in_place, .integer_inputs = true});
  }
}

std::string BatchNorm(const std::string& bn_param) {
  return "name: 'bn' type: 'BatchNorm' bottom: 'b' top: 't' batch_norm_param { engine: ENGINE " +
         bn_param + " }";
}

TEST(OnednnBatchNorm, BatchStatisticsMatchTheReference) {
  for (bool in_place : {false, true}) {
    CompareEngines(BatchNorm(""), {{4, 3, 5, 5}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(BatchNorm("moving_average_fraction: 0.9 eps: 0.001"), {{8, 16, 3, 3}},
                   Path::kOnednn, {.in_place = in_place});
    CompareEngines(BatchNorm(""), {{6, 5}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(BatchNorm(""), {{2, 4, 3, 2, 2}}, Path::kOnednn, {.in_place = in_place});
  }
}

TEST(OnednnBatchNorm, GlobalStatisticsMatchTheReference) {
  for (bool in_place : {false, true}) {
    CompareEngines(BatchNorm("use_global_stats: true"), {{4, 3, 5, 5}}, Path::kOnednn,
                   {.in_place = in_place, .positive_params = true});
    CompareEngines(BatchNorm(""), {{2, 16, 4, 4}}, Path::kOnednn,
                   {.in_place = in_place, .phase = TEST, .positive_params = true});
  }
}

std::string Softmax(const std::string& softmax_param) {
  return "name: 'softmax' type: 'Softmax' bottom: 'b' top: 't' softmax_param { engine: ENGINE " +
         softmax_param + " }";
}

TEST(OnednnSoftmax, MatchesTheReferenceOnAnyAxis) {
  for (bool in_place : {false, true}) {
    CompareEngines(Softmax(""), {{4, 10}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(Softmax(""), {{2, 5, 3, 4}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(Softmax("axis: 2"), {{2, 3, 6, 4}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(Softmax("axis: -1"), {{3, 2, 33}}, Path::kOnednn, {.in_place = in_place});
    CompareEngines(Softmax("axis: 0"), {{7, 3}}, Path::kOnednn, {.in_place = in_place});
  }
}

}  // namespace
}  // namespace caffe

#else  // no oneDNN in this build

namespace caffe {
namespace {

TEST(OnednnLayers, EngineOnednnIsRefusedWithoutOnednn) {
  EXPECT_FALSE(OnednnAvailable());
  EXPECT_EQ(DefaultEngine(), Engine::kCaffe);
  LayerParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "name: 'relu' type: 'ReLU' relu_param { engine: ONEDNN }", &param));
  try {
    LayerRegistry<float>::CreateLayer(param);
    FAIL() << "engine ONEDNN was accepted by a build without oneDNN";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("layer 'relu' (ReLU) asks for engine ONEDNN"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace caffe

#endif
