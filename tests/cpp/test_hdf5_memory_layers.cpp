// MemoryData, HDF5Data and HDF5Output layers, and nets' HDF5 weights.
// Data layers have no bottoms, so there is no gradient to check; each test
// runs over float and double.
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>

#include "caffe/layers/hdf5_output_layer.hpp"
#include "caffe/layers/memory_data_layer.hpp"
#include "caffe/net.hpp"
#include "caffe/util/hdf5.hpp"
#include "caffe/util/hdf5_io.hpp"
#include "layer_test_helpers.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {

template <typename Dtype>
class HDF5MemoryLayerTest : public ::testing::Test {
 protected:
  // Writes `rows` rows of `row_shape` to datasets "data" (values start,
  // start+1, ...) and "label" (start / 10, ...) in file `name`.
  string WriteFile(const string& name, int rows, const vector<int>& row_shape, int start) {
    const string path = dir_.Join(name);
    hdf5::Handle file = hdf5::CreateFile(path);
    vector<int> shape{rows};
    shape.insert(shape.end(), row_shape.begin(), row_shape.end());
    Blob<Dtype> data(shape), label(vector<int>{rows});
    for (int i = 0; i < data.count(); ++i) data.mutable_cpu_data()[i] = start + i;
    for (int i = 0; i < rows; ++i) label.mutable_cpu_data()[i] = (start + i * data.count(1)) / 10;
    hdf5::WriteDataset(file.get(), "data", data, false, path);
    hdf5::WriteDataset(file.get(), "label", label, false, path);
    return path;
  }
  string WriteList(const vector<string>& files) {
    const string path = dir_.Join("list.txt");
    std::ofstream list(path);
    for (const string& file : files) list << file << "\n";
    return path;
  }

  testing_data::TempDir dir_;
};
TYPED_TEST_SUITE(HDF5MemoryLayerTest, TestDtypes);

// ------------------------------------------------------------ MemoryData ---

TYPED_TEST(HDF5MemoryLayerTest, MemoryDataServesBatchesInOrderAndWraps) {
  typedef TypeParam Dtype;
  auto layer = MakeLayer<Dtype>(
      "type: 'MemoryData' memory_data_param { batch_size: 2 channels: 1 height: 2 width: 3 }");
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> tops{&data, &label};
  layer->SetUp({}, tops);
  EXPECT_EQ(data.shape(), (vector<int>{2, 1, 2, 3}));
  EXPECT_EQ(label.shape(), (vector<int>{2}));
  vector<Dtype> values(4 * 6), labels{10, 11, 12, 13};
  std::iota(values.begin(), values.end(), Dtype(0));
  auto* memory = dynamic_cast<MemoryDataLayer<Dtype>*>(layer.get());
  ASSERT_NE(memory, nullptr);
  memory->Reset(values.data(), labels.data(), 4);
  for (int pass = 0; pass < 3; ++pass) {
    layer->Forward({}, tops);
    const int first = (pass % 2) * 2;
    for (int i = 0; i < 12; ++i) EXPECT_EQ(data.cpu_data()[i], first * 6 + i);
    EXPECT_EQ(label.cpu_data()[0], 10 + first);
    EXPECT_EQ(label.cpu_data()[1], 11 + first);
  }
}

TYPED_TEST(HDF5MemoryLayerTest, MemoryDataRejectsBadUse) {
  typedef TypeParam Dtype;
  auto layer = MakeLayer<Dtype>(
      "type: 'MemoryData' memory_data_param { batch_size: 3 channels: 1 height: 1 width: 1 }");
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> tops{&data, &label};
  layer->SetUp({}, tops);
  EXPECT_THROW(layer->Forward({}, tops), ConfigError);  // no arrays yet
  vector<Dtype> values(4), labels(4);
  auto* memory = dynamic_cast<MemoryDataLayer<Dtype>*>(layer.get());
  EXPECT_THROW(memory->Reset(values.data(), labels.data(), 4), ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'MemoryData' memory_data_param { batch_size: 3 }")
                   ->SetUp({}, tops),
               ConfigError);
}

// -------------------------------------------------------------- HDF5Data ---

TYPED_TEST(HDF5MemoryLayerTest, HDF5DataReadsRowsAcrossFilesAndWraps) {
  typedef TypeParam Dtype;
  const string a = this->WriteFile("a.h5", 3, {2}, 0);     // rows 0..2: values 0..5
  const string b = this->WriteFile("b.h5", 2, {2}, 100);   // rows: 100..103
  const string list = this->WriteList({a, b});
  auto layer = MakeLayer<Dtype>("type: 'HDF5Data' top: 'data' top: 'label' "
                                "hdf5_data_param { source: '" + list + "' batch_size: 2 }");
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> tops{&data, &label};
  layer->SetUp({}, tops);
  EXPECT_EQ(data.shape(), (vector<int>{2, 2}));
  EXPECT_EQ(label.shape(), (vector<int>{2}));
  // Rows in order: a0 a1 a2 b0 b1 a0 ...
  const vector<vector<Dtype>> expected{{0, 1, 2, 3}, {4, 5, 100, 101}, {102, 103, 0, 1}};
  for (const auto& batch : expected) {
    layer->Forward({}, tops);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(data.cpu_data()[i], batch[i]);
    EXPECT_EQ(label.cpu_data()[0], std::floor(batch[0] / 10));
  }
}

TYPED_TEST(HDF5MemoryLayerTest, HDF5DataShuffleVisitsEveryRowOncePerPass) {
  typedef TypeParam Dtype;
  const string list = this->WriteList({this->WriteFile("a.h5", 6, {1}, 0)});
  Caffe::set_random_seed(5);
  auto layer = MakeLayer<Dtype>("type: 'HDF5Data' top: 'data' top: 'label' hdf5_data_param {"
                                " source: '" + list + "' batch_size: 3 shuffle: true }");
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> tops{&data, &label};
  layer->SetUp({}, tops);
  vector<Dtype> seen;
  for (int pass = 0; pass < 2; ++pass) {
    layer->Forward({}, tops);
    seen.insert(seen.end(), data.cpu_data(), data.cpu_data() + 3);
  }
  vector<Dtype> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (vector<Dtype>{0, 1, 2, 3, 4, 5}));
  EXPECT_NE(seen, sorted);  // seed 5 does not give the identity order
}

TYPED_TEST(HDF5MemoryLayerTest, HDF5DataErrorsNameTheProblem) {
  typedef TypeParam Dtype;
  Blob<Dtype> data, label;
  vector<Blob<Dtype>*> tops{&data, &label};
  const string missing_list = "type: 'HDF5Data' top: 'data' top: 'label' hdf5_data_param {"
                              " source: '" + this->dir_.Join("none.txt") + "' batch_size: 1 }";
  EXPECT_THROW(MakeLayer<Dtype>(missing_list)->SetUp({}, tops), IOError);
  const string list = this->WriteList({this->WriteFile("a.h5", 2, {1}, 0)});
  try {
    MakeLayer<Dtype>("type: 'HDF5Data' top: 'data' top: 'weights' hdf5_data_param {"
                     " source: '" + list + "' batch_size: 1 }")->SetUp({}, tops);
    FAIL() << "a missing dataset was accepted";
  } catch (const DataError& error) {
    EXPECT_NE(string(error.what()).find("weights"), string::npos) << error.what();
  }
  // Rows of a later file must have the first file's shape.
  const string mixed = this->WriteList({this->WriteFile("b.h5", 2, {1}, 0),
                                        this->WriteFile("c.h5", 2, {3}, 0)});
  auto layer = MakeLayer<Dtype>("type: 'HDF5Data' top: 'data' top: 'label' hdf5_data_param {"
                                " source: '" + mixed + "' batch_size: 2 }");
  layer->SetUp({}, tops);
  // The next file is loaded as soon as the first one's rows are used up.
  EXPECT_THROW(layer->Forward({}, tops), ShapeError);
}

// ------------------------------------------------------------ HDF5Output ---

TYPED_TEST(HDF5MemoryLayerTest, HDF5OutputAppendsEveryBatchAndRoundTrips) {
  typedef TypeParam Dtype;
  const string path = this->dir_.Join("out.h5");
  Blob<Dtype> data(vector<int>{2, 3}), label(vector<int>{2});
  {
    auto layer = MakeLayer<Dtype>("type: 'HDF5Output' bottom: 'data' bottom: 'label' "
                                  "hdf5_output_param { file_name: '" + path + "' }");
    vector<Blob<Dtype>*> bottoms{&data, &label};
    layer->SetUp(bottoms, {});
    for (int batch = 0; batch < 3; ++batch) {
      for (int i = 0; i < 6; ++i) data.mutable_cpu_data()[i] = batch * 6 + i;
      label.mutable_cpu_data()[0] = 2 * batch;
      label.mutable_cpu_data()[1] = 2 * batch + 1;
      layer->Forward(bottoms, {});
    }
    // Nothing under the final name until the layer is done.
    EXPECT_FALSE(std::ifstream(path).good());
    Blob<Dtype> wrong(vector<int>{2, 4});
    vector<Blob<Dtype>*> wrong_bottoms{&wrong, &label};
    EXPECT_THROW(layer->Forward(wrong_bottoms, {}), ShapeError);
  }
  ASSERT_TRUE(IsHDF5File(path));
  hdf5::Handle file = hdf5::OpenFile(path);
  Blob<Dtype> read_data, read_label;
  hdf5::ReadDataset(file.get(), "data", 1, 4, &read_data, path);
  hdf5::ReadDataset(file.get(), "label", 1, 4, &read_label, path);
  ASSERT_EQ(read_data.shape(), (vector<int>{6, 3}));
  ASSERT_EQ(read_label.shape(), (vector<int>{6}));
  for (int i = 0; i < 18; ++i) EXPECT_EQ(read_data.cpu_data()[i], i);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(read_label.cpu_data()[i], i);
  // What HDF5Output wrote, HDF5Data reads back.
  const string list = this->WriteList({path});
  auto reader = MakeLayer<Dtype>("type: 'HDF5Data' top: 'data' top: 'label' hdf5_data_param {"
                                 " source: '" + list + "' batch_size: 6 }");
  Blob<Dtype> top_data, top_label;
  vector<Blob<Dtype>*> tops{&top_data, &top_label};
  reader->SetUp({}, tops);
  reader->Forward({}, tops);
  for (int i = 0; i < 18; ++i) EXPECT_EQ(top_data.cpu_data()[i], i);
}

// ---------------------------------------------------------- HDF5 weights ---

TYPED_TEST(HDF5MemoryLayerTest, NetWeightsRoundTripThroughHDF5) {
  typedef TypeParam Dtype;
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "name: 'n' layer { name: 'in' type: 'Input' top: 'x' input_param { shape { dim: 2 dim: 3 } } }"
      "layer { name: 'ip' type: 'InnerProduct' bottom: 'x' top: 'y' inner_product_param {"
      "  num_output: 4 weight_filler { type: 'gaussian' } bias_filler { type: 'gaussian' } } "
      "  param { name: 'shared_w' } }"
      "layer { name: 'ip2' type: 'InnerProduct' bottom: 'x' top: 'z' inner_product_param {"
      "  num_output: 4 bias_term: false } param { name: 'shared_w' } }",
      &param));
  param.mutable_state()->set_phase(TEST);
  Net<Dtype> source(param), target(param);
  const string path = this->dir_.Join("w.h5");
  SaveNetToHDF5(source, path, true);
  hdf5::Handle file = hdf5::OpenFile(path);
  hdf5::Handle data = hdf5::OpenGroup(file.get(), "data", path);
  hdf5::Handle ip2 = hdf5::OpenGroup(data.get(), "ip2", path);
  EXPECT_FALSE(hdf5::HasLink(ip2.get(), "0"));  // shared: stored once, by 'ip'
  EXPECT_TRUE(hdf5::HasLink(file.get(), "diff"));
  target.CopyTrainedLayersFrom(path);  // recognised as HDF5 by content
  for (int b = 0; b < 2; ++b) {
    const Blob<Dtype>& want = *source.layer_by_name("ip")->blobs()[b];
    const Blob<Dtype>& got = *target.layer_by_name("ip")->blobs()[b];
    for (int i = 0; i < want.count(); ++i) EXPECT_EQ(got.cpu_data()[i], want.cpu_data()[i]);
  }
  // A net whose blob shapes differ is refused with both shapes named.
  param.mutable_layer(1)->mutable_inner_product_param()->set_num_output(5);
  param.mutable_layer(2)->mutable_inner_product_param()->set_num_output(5);
  Net<Dtype> other(param);
  try {
    CopyTrainedLayersFromHDF5(&other, path);
    FAIL() << "a shape mismatch was accepted";
  } catch (const ShapeError& error) {
    EXPECT_NE(string(error.what()).find("4 3 (12)"), string::npos) << error.what();
  }
}

}  // namespace caffe
