// Whole nets on both engines: one training step (forward and backward) of
// upstream's LeNet fixture net on its digits, and of a net that runs every
// layer oneDNN computes (grouped and padded convolutions, in-place ReLU and
// BatchNorm, LRN, MAX and AVE pooling, inner products, softmax inside the
// loss), from the same weights and inputs: every blob, every gradient and
// BatchNorm's running sums agree within 1e-4 of the blob's largest value.
// (Over many steps the two engines part, see test_lenet_fixture.cpp.)
#include <gtest/gtest.h>

#include <google/protobuf/text_format.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "caffe/engine.hpp"
#include "caffe/net.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/upgrade_proto.hpp"
#include "caffe/util/math_functions.hpp"
#include "util/fixtures.hpp"

#ifdef CAFFE_HAVE_ONEDNN
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {
namespace {

class OnednnNetTest : public ::testing::Test {
 protected:
  void TearDown() override { SetDefaultEngine(Engine::kOnednn); }
};

void ExpectBlobsClose(const Blob<float>& reference, const Blob<float>& onednn, bool diff,
                      const std::string& what) {
  ASSERT_EQ(reference.shape(), onednn.shape()) << what;
  const float* a = diff ? reference.cpu_diff() : reference.cpu_data();
  const float* b = diff ? onednn.cpu_diff() : onednn.cpu_data();
  double largest = 0, worst = 0;
  for (int i = 0; i < reference.count(); ++i) {
    largest = std::max(largest, std::fabs(double(a[i])));
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  }
  EXPECT_LE(worst, 1e-4 * largest) << what << (diff ? " diff" : " data") << ": largest "
                                   << largest;
}

// Builds `param` on each engine, gives the oneDNN net the reference net's
// parameters, runs `fill` on both (to set inputs), one forward and one
// backward pass, and compares everything. Returns how many layers oneDNN ran.
int CompareOneStep(const NetParameter& param,
                   const std::function<void(Net<float>*)>& fill = nullptr) {
  SetDefaultEngine(Engine::kCaffe);
  Caffe::set_random_seed(1701);
  Net<float> reference(param);
  SetDefaultEngine(Engine::kOnednn);
  Net<float> onednn(param);
  for (size_t i = 0; i < reference.params().size(); ++i) {
    onednn.params()[i]->CopyFrom(*reference.params()[i]);
  }
  if (fill) {
    fill(&reference);
    fill(&onednn);
  }
  reference.Forward();
  onednn.Forward();
  reference.Backward();
  onednn.Backward();
  for (size_t i = 0; i < reference.blobs().size(); ++i) {
    const std::string& name = reference.blob_names()[i];
    ExpectBlobsClose(*reference.blobs()[i], *onednn.blobs()[i], false, name);
    ExpectBlobsClose(*reference.blobs()[i], *onednn.blobs()[i], true, name);
  }
  for (size_t i = 0; i < reference.params().size(); ++i) {
    const std::string what = "param " + std::to_string(i);
    ExpectBlobsClose(*reference.params()[i], *onednn.params()[i], false, what);
    ExpectBlobsClose(*reference.params()[i], *onednn.params()[i], true, what);
  }
  int active = 0;
  for (const auto& layer : onednn.layers()) {
    const auto* path = dynamic_cast<const OnednnPath*>(layer.get());
    EXPECT_EQ(dynamic_cast<const OnednnPath*>(
                  reference.layer_by_name(layer->layer_param().name()).get()),
              nullptr);
    if (path != nullptr && path->onednn_active()) ++active;
  }
  return active;
}

TEST_F(OnednnNetTest, OneLenetTrainingStepMatchesTheReference) {
  const std::string lenet = testing_data::UpstreamFixtures() + "/lenet";
  NetParameter param;
  ReadNetParamsFromTextFile(lenet + "/net.prototxt", &param);
  param.mutable_state()->set_phase(TRAIN);
  for (auto& layer : *param.mutable_layer()) {
    if (layer.has_data_param()) {
      layer.mutable_data_param()->set_source(testing_data::UpstreamFixtures() +
                                             "/digits/train_lmdb");
    }
  }
  NetParameter weights;
  ReadProtoFromBinaryFile(lenet + "/init.caffemodel", &weights);
  for (auto& layer : *param.mutable_layer()) {
    for (const auto& trained : weights.layer()) {
      if (trained.name() == layer.name()) *layer.mutable_blobs() = trained.blobs();
    }
  }
  // conv1, conv2, ip1, relu1 and ip2 (and the loss's own softmax); the MAX
  // poolings run the reference path.
  EXPECT_EQ(CompareOneStep(param), 5);
}

TEST_F(OnednnNetTest, EveryEngineLayerInOneNetMatchesTheReference) {
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    name: "engines" force_backward: true
    layer { name: "in" type: "Input" top: "data" top: "label"
            input_param { shape { dim: 4 dim: 3 dim: 19 dim: 19 } shape { dim: 4 } } }
    layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
            convolution_param { num_output: 16 kernel_size: 5 stride: 2 pad: 1
                                weight_filler { type: "gaussian" std: 0.2 }
                                bias_filler { type: "constant" value: 0.1 } } }
    layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
    layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1"
            lrn_param { local_size: 5 alpha: 0.01 beta: 0.75 } }
    layer { name: "pool1" type: "Pooling" bottom: "norm1" top: "pool1"
            pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
    layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"
            convolution_param { num_output: 32 kernel_size: 3 pad: 1 group: 2 bias_term: false
                                weight_filler { type: "gaussian" std: 0.1 } } }
    layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2" }
    layer { name: "scale2" type: "Scale" bottom: "conv2" top: "conv2"
            scale_param { bias_term: true } }
    layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2"
            relu_param { negative_slope: 0.1 } }
    layer { name: "norm2" type: "LRN" bottom: "conv2" top: "norm2"
            lrn_param { local_size: 3 alpha: 0.1 beta: 0.75 norm_region: WITHIN_CHANNEL } }
    layer { name: "pool2" type: "Pooling" bottom: "norm2" top: "pool2"
            pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
    layer { name: "ip1" type: "InnerProduct" bottom: "pool2" top: "ip1"
            inner_product_param { num_output: 20 weight_filler { type: "gaussian" std: 0.1 } } }
    layer { name: "relu3" type: "ReLU" bottom: "ip1" top: "ip1" }
    layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2"
            inner_product_param { num_output: 5 transpose: true
                                  weight_filler { type: "gaussian" std: 0.1 } } }
    layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip2" bottom: "label" top: "loss" }
  )", &param));
  param.mutable_state()->set_phase(TRAIN);
  const auto fill = [](Net<float>* net) {
    Blob<float>* data = net->blob_by_name("data").get();
    Caffe::set_random_seed(3);
    caffe_rng_gaussian<float>(data->count(), 0, 1, data->mutable_cpu_data());
    float* label = net->blob_by_name("label")->mutable_cpu_data();
    for (int i = 0; i < 4; ++i) label[i] = i;
  };
  // Every layer but the Input, Scale, the MAX pooling (on the reference path)
  // and the loss (whose softmax is oneDNN's too).
  EXPECT_EQ(CompareOneStep(param, fill), 11);
}

}  // namespace
}  // namespace caffe

#else  // no oneDNN in this build

namespace caffe {
namespace {

TEST(OnednnNetTest, TheDefaultEngineIsTheReference) {
  EXPECT_FALSE(OnednnAvailable());
  EXPECT_EQ(DefaultEngine(), Engine::kCaffe);
  EXPECT_THROW(SetDefaultEngine(Engine::kOnednn), ConfigError);
}

}  // namespace
}  // namespace caffe

#endif
