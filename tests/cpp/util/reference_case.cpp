#include "util/reference_case.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "caffe/layer_factory.hpp"
#include "caffe/util/io.hpp"
#include "util/fixtures.hpp"

namespace caffe {

std::string ReferenceDir() { return testing_data::UpstreamFixtures(); }

namespace {

template <typename Dtype>
void ExpectBlobNear(const BlobProto& expected, const Dtype* actual, int count,
                    const std::string& what) {
  Blob<Dtype> reference;
  reference.FromProto(expected);
  ASSERT_EQ(reference.count(), count) << what << ": element count differs";
  const Dtype* values = reference.cpu_data();
  int failures = 0;
  for (int i = 0; i < count && failures < 5; ++i) {
    const double tolerance = 1e-4 * std::max(1.0, std::fabs(double(values[i])));
    if (std::fabs(double(actual[i]) - double(values[i])) > tolerance) {
      ADD_FAILURE() << what << "[" << i << "]: ours " << actual[i] << ", upstream "
                    << values[i];
      ++failures;
    }
  }
}

}  // namespace

template <typename Dtype>
void CheckReferenceLayerCase(const std::string& case_name) {
  const std::string dir = ReferenceDir() + "/layers/" + case_name;
  NetParameter net;
  ReadProtoFromTextFile(dir + "/net.prototxt", &net);
  BlobProtoVector blobs;
  ReadProtoFromBinaryFile(dir + "/blobs.binaryproto", &blobs);

  std::ifstream manifest(dir + "/manifest.txt");
  ASSERT_TRUE(manifest.good()) << dir;
  std::string header;
  std::getline(manifest, header);
  const Phase phase = header.find("phase TEST") != std::string::npos ? TEST : TRAIN;
  std::vector<std::pair<std::string, std::string>> roles;
  std::string role, name;
  while (manifest >> role >> name) roles.emplace_back(role, name);
  ASSERT_EQ(static_cast<int>(roles.size()), blobs.blobs_size()) << dir;

  LayerParameter param;
  for (const auto& layer : net.layer()) {
    if (layer.name() == "under_test") param = layer;
  }
  ASSERT_EQ(param.name(), "under_test") << dir;
  param.set_phase(phase);

  std::map<std::string, const BlobProto*> inputs;
  for (size_t i = 0; i < roles.size(); ++i) {
    if (roles[i].first == "input") inputs[roles[i].second] = &blobs.blobs(i);
  }
  std::vector<std::shared_ptr<Blob<Dtype>>> bottom_storage, top_storage;
  std::vector<Blob<Dtype>*> bottom, top;
  for (const auto& bottom_name : param.bottom()) {
    ASSERT_TRUE(inputs.count(bottom_name)) << "no input for bottom " << bottom_name;
    bottom_storage.push_back(std::make_shared<Blob<Dtype>>());
    bottom_storage.back()->FromProto(*inputs[bottom_name]);
    bottom.push_back(bottom_storage.back().get());
  }
  std::map<std::string, int> top_index, bottom_index;
  for (int i = 0; i < param.top_size(); ++i) {
    top_storage.push_back(std::make_shared<Blob<Dtype>>());
    top.push_back(top_storage.back().get());
    top_index[param.top(i)] = i;
  }
  for (int i = 0; i < param.bottom_size(); ++i) bottom_index[param.bottom(i)] = i;

  auto layer = LayerRegistry<Dtype>::CreateLayer(param);
  layer->SetUp(bottom, top);
  for (size_t i = 0; i < roles.size(); ++i) {
    if (roles[i].first == "param") {
      const int id = std::stoi(roles[i].second);
      ASSERT_LT(id, static_cast<int>(layer->blobs().size()));
      layer->blobs()[id]->FromProto(blobs.blobs(i), false);
    }
  }
  layer->Forward(bottom, top);
  bool has_backward = false;
  for (size_t i = 0; i < roles.size(); ++i) {
    const auto& [r, n] = roles[i];
    if (r == "top") {
      Blob<Dtype>* t = top[top_index.at(n)];
      ExpectBlobNear(blobs.blobs(i), t->cpu_data(), t->count(), case_name + " top " + n);
    }
    if (r == "bottom_diff" || r == "param_diff") has_backward = true;
  }
  if (!has_backward) return;

  std::vector<bool> propagate_down(bottom.size(), false);
  for (size_t i = 0; i < roles.size(); ++i) {
    const auto& [r, n] = roles[i];
    if (r == "top_diff") {
      Blob<Dtype>* t = top[top_index.at(n)];
      Blob<Dtype> diff;
      diff.FromProto(blobs.blobs(i));
      ASSERT_EQ(diff.count(), t->count());
      caffe_copy(t->count(), diff.cpu_data(), t->mutable_cpu_diff());
    }
    if (r == "bottom_diff") propagate_down[bottom_index.at(n)] = true;
  }
  for (auto& blob : layer->blobs()) {
    caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_diff());
  }
  layer->Backward(top, propagate_down, bottom);
  for (size_t i = 0; i < roles.size(); ++i) {
    const auto& [r, n] = roles[i];
    if (r == "bottom_diff") {
      Blob<Dtype>* b = bottom[bottom_index.at(n)];
      ExpectBlobNear(blobs.blobs(i), b->cpu_diff(), b->count(), case_name + " bottom_diff " + n);
    } else if (r == "param_diff") {
      Blob<Dtype>* p = layer->blobs()[std::stoi(n)].get();
      ExpectBlobNear(blobs.blobs(i), p->cpu_diff(), p->count(), case_name + " param_diff " + n);
    }
  }
}

template void CheckReferenceLayerCase<float>(const std::string&);
template void CheckReferenceLayerCase<double>(const std::string&);

}  // namespace caffe
