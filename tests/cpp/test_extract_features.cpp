// extract_features: one Datum of float_data per input item, keyed "%010d",
// for each requested blob; errors exit 1 with one message.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::ReadDB;
using testing_data::SerializedDatum;
using testing_data::TempDir;
using testing_data::WriteDB;

int RunExtract(const TempDir& dir, const string& arguments, string* errors) {
  const string command = "cd '" + dir.path() + "' && '" + CAFFE_TOOLS_DIR +
                         "/extract_features' " + arguments + " 2> stderr.txt";
  const int status = std::system(command.c_str());
  *errors = ReadFileToString(dir.Join("stderr.txt"));
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ExtractFeatures, WritesOneDatumPerItemAndBlob) {
  TempDir dir;
  vector<pair<string, string>> images;
  for (int i = 0; i < 5; ++i) {
    string pixels(6, '\0');
    for (int p = 0; p < 6; ++p) pixels[p] = static_cast<char>(i * 10 + p);
    char key[16];
    std::snprintf(key, sizeof(key), "%03d", i);
    images.emplace_back(key, SerializedDatum(1, 2, 3, pixels, i));
  }
  WriteDB("lmdb", dir.Join("images"), images);
  std::ofstream(dir.Join("net.prototxt")) << R"(
layer { name: "data" type: "Data" top: "data" top: "label"
        data_param { source: "images" backend: LMDB batch_size: 2 } }
layer { name: "double" type: "Power" bottom: "data" top: "doubled" power_param { scale: 2 } }
)";
  WriteProtoToBinaryFile(NetParameter(), dir.Join("empty.caffemodel"));
  string errors;
  ASSERT_EQ(RunExtract(dir, "empty.caffemodel net.prototxt doubled,label doubled_db,label_db 3 lmdb",
                       &errors),
            0)
      << errors;
  const auto doubled = ReadDB("lmdb", dir.Join("doubled_db"));
  const auto labels = ReadDB("lmdb", dir.Join("label_db"));
  ASSERT_EQ(doubled.size(), 6u);  // 3 batches of 2; the sixth wraps to image 0
  ASSERT_EQ(labels.size(), 6u);
  for (int n = 0; n < 6; ++n) {
    char key[16];
    std::snprintf(key, sizeof(key), "%010d", n);
    EXPECT_EQ(doubled[n].first, key);
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(doubled[n].second));
    EXPECT_EQ(datum.channels(), 1);
    EXPECT_EQ(datum.height(), 2);
    EXPECT_EQ(datum.width(), 3);
    ASSERT_EQ(datum.float_data_size(), 6);
    for (int p = 0; p < 6; ++p) EXPECT_EQ(datum.float_data(p), 2 * ((n % 5) * 10 + p));
    ASSERT_TRUE(datum.ParseFromString(labels[n].second));
    ASSERT_EQ(datum.float_data_size(), 1);
    EXPECT_EQ(datum.float_data(0), n % 5);
  }
  EXPECT_EQ(RunExtract(dir, "empty.caffemodel net.prototxt nosuch out 1 lmdb", &errors), 1);
  EXPECT_NE(errors.find("extract_features: error: net net.prototxt has no blob named 'nosuch'"),
            string::npos)
      << errors;
  EXPECT_EQ(RunExtract(dir, "empty.caffemodel net.prototxt doubled a,b 1 lmdb", &errors), 1);
  EXPECT_EQ(RunExtract(dir, "empty.caffemodel net.prototxt doubled c 1 lmdb GPU", &errors), 1);
  EXPECT_NE(errors.find("CPU-only"), string::npos) << errors;
}

// With views_param, a record's views are consecutive items, so they are
// consecutive features: record r, view v is feature r * V + v.
TEST(ExtractFeatures, WritesTheViewsOfARecordAsConsecutiveFeatures) {
  TempDir dir;
  WriteDB("lmdb", dir.Join("images"),
          {{"0", SerializedDatum(1, 2, 2, string("\x01\x02\x03\x04", 4), 0)},
           {"1", SerializedDatum(1, 2, 2, string("\x05\x06\x07\x08", 4), 1)}});
  std::ofstream(dir.Join("net.prototxt")) << R"(
layer { name: "data" type: "Data" top: "data"
        data_param { source: "images" backend: LMDB batch_size: 2 }
        views_param { preset: FLIPS view: ROTATE_180 } }
)";
  WriteProtoToBinaryFile(NetParameter(), dir.Join("empty.caffemodel"));
  string errors;
  ASSERT_EQ(RunExtract(dir, "empty.caffemodel net.prototxt data views_db 1 lmdb", &errors), 0)
      << errors;
  const auto features = ReadDB("lmdb", dir.Join("views_db"));
  // Identity, horizontal flip, half turn of [[1 2] [3 4]], then of [[5 6] [7 8]].
  const float expected[6][4] = {{1, 2, 3, 4}, {2, 1, 4, 3}, {4, 3, 2, 1},
                                {5, 6, 7, 8}, {6, 5, 8, 7}, {8, 7, 6, 5}};
  ASSERT_EQ(features.size(), 6u);
  for (int n = 0; n < 6; ++n) {
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(features[n].second));
    ASSERT_EQ(datum.float_data_size(), 4);
    for (int p = 0; p < 4; ++p) EXPECT_EQ(datum.float_data(p), expected[n][p]) << n << "," << p;
  }
}

}  // namespace
}  // namespace caffe
