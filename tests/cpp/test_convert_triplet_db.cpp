// ConvertTriplets and the convert_triplet_db tool: images -> database ->
// TripletData layer -> the source pixels again (raw and encoded, list file
// and folder sampling), and the converter's errors.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <memory>

#include "caffe/layers/triplet_data_layer.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/triplet_convert.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::ReadDB;
using testing_data::TempDir;
namespace fs = std::filesystem;

// Writes a colour PNG whose pixels depend on `seed`.
cv::Mat WriteImage(const string& path, int seed, int height = 6, int width = 5) {
  cv::Mat image(height, width, CV_8UC3);
  for (int i = 0; i < height * width * 3; ++i) image.data[i] = (seed * 37 + i * 11) % 256;
  fs::create_directories(fs::path(path).parent_path());
  CHECK(cv::imwrite(path, image));
  return image;
}

void WriteText(const string& path, const string& text) {
  std::ofstream out(path);
  out << text;
}

// Reads `count` triplets through the layer (STACKED, label top) and returns
// each record's three images as H x W x C uint8 and its labels.
struct LoadedTriplet {
  cv::Mat images[3];
  vector<float> labels;
};
vector<LoadedTriplet> LoadThroughLayer(const string& db, int count, bool gray = false,
                                       DataParameter::DB backend = DataParameter::LMDB) {
  LayerParameter param;
  param.set_name("triplets");
  param.set_type("TripletData");
  param.mutable_triplet_data_param()->set_source(db);
  param.mutable_triplet_data_param()->set_backend(backend);
  param.mutable_triplet_data_param()->set_batch_size(count);
  param.mutable_triplet_data_param()->set_num_threads(2);
  Blob<float> data, label;
  vector<Blob<float>*> top{&data, &label};
  TripletDataLayer<float> layer(param);
  layer.SetUp({}, top);
  layer.Forward({}, top);
  const int channels = data.channels(), height = data.height(), width = data.width();
  EXPECT_EQ(channels, gray ? 1 : 3);
  vector<LoadedTriplet> triplets(count);
  for (int item = 0; item < count; ++item) {
    for (int slot = 0; slot < 3; ++slot) {
      cv::Mat image(height, width, CV_8UC(channels));
      for (int h = 0; h < height; ++h) {
        for (int w = 0; w < width; ++w) {
          for (int c = 0; c < channels; ++c) {
            image.ptr<uchar>(h)[w * channels + c] =
                static_cast<uchar>(data.data_at(slot * count + item, c, h, w));
          }
        }
      }
      triplets[item].images[slot] = image;
    }
    for (int l = 0; l < label.shape(1); ++l) {
      triplets[item].labels.push_back(label.cpu_data()[item * label.shape(1) + l]);
    }
  }
  return triplets;
}

bool SamePixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a.reshape(1) != b.reshape(1)) == 0;
}

class ConvertTripletTest : public ::testing::Test {
 protected:
  ConvertTripletTest() {
    for (int i = 0; i < 4; ++i) images_.push_back(WriteImage(dir_.Join("img/" + std::to_string(i) + ".png"), i));
    WriteText(dir_.Join("list.txt"),
              "img/0.png img/1.png img/2.png 0 1.5\n"
              "\n"
              "img/3.png img/0.png img/1.png 3 -2\n"
              "img/2.png img/3.png img/0.png 2 7\n");
  }
  string root() const { return dir_.path() + "/"; }

  TempDir dir_;
  vector<cv::Mat> images_;
};

TEST_F(ConvertTripletTest, RawAndEncodedListRoundTrip) {
  const int expected_sources[3][3] = {{0, 1, 2}, {3, 0, 1}, {2, 3, 0}};
  const float expected_labels[3][2] = {{0, 1.5f}, {3, -2}, {2, 7}};
  for (bool encoded : {false, true}) {
    SCOPED_TRACE(encoded ? "encoded" : "raw");
    const string db = dir_.Join(encoded ? "encoded_db" : "raw_db");
    TripletConvertOptions options;
    options.encoded = encoded;
    vector<TripletConvertProgress> reports;
    const TripletConvertProgress result =
        ConvertTriplets(root(), ReadTripletList(dir_.Join("list.txt")), db, options,
                        [&](const TripletConvertProgress& p) { reports.push_back(p); });
    EXPECT_EQ(result.written, 3);
    EXPECT_EQ(result.skipped, 0);
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.back().done, 3);
    EXPECT_EQ(reports.back().total, 3);
    const auto records = ReadDB("lmdb", db);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].first, "00000000_img/0.png");
    EXPECT_EQ(records[1].first, "00000001_img/3.png");
    TripletDatum datum;
    ASSERT_TRUE(datum.ParseFromString(records[0].second));
    EXPECT_EQ(datum.encoded(), encoded);
    const vector<LoadedTriplet> loaded = LoadThroughLayer(db, 3);
    for (int t = 0; t < 3; ++t) {
      for (int slot = 0; slot < 3; ++slot) {
        EXPECT_TRUE(SamePixels(loaded[t].images[slot], images_[expected_sources[t][slot]]))
            << "triplet " << t << " slot " << slot;
      }
      EXPECT_EQ(loaded[t].labels, (vector<float>{expected_labels[t][0], expected_labels[t][1]}));
    }
  }
}

TEST_F(ConvertTripletTest, GrayAndResize) {
  TripletConvertOptions options;
  options.gray = true;
  options.resize_height = 4;
  options.resize_width = 3;
  ConvertTriplets(root(), ReadTripletList(dir_.Join("list.txt")), dir_.Join("db"), options);
  const vector<LoadedTriplet> loaded = LoadThroughLayer(dir_.Join("db"), 3, true);
  cv::Mat expected = ReadImageToCVMat(dir_.Join("img/3.png"), 4, 3, false);
  EXPECT_TRUE(SamePixels(loaded[1].images[0], expected));
}

TEST_F(ConvertTripletTest, FolderSamplingRoundTrip) {
  TempDir tree;
  std::map<string, cv::Mat> sources;
  const char* classes[3] = {"cat", "dog", "eel"};
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 3 + c; ++i) {
      const string relative = string(classes[c]) + "/" + std::to_string(i) + ".png";
      sources[relative] = WriteImage(tree.Join(relative), c * 10 + i);
    }
  }
  const vector<TripletEntry> entries = SampleTripletsFromFolders(tree.path(), 2, 5);
  ASSERT_EQ(entries.size(), 2u * (3 + 4 + 5));
  for (const TripletEntry& entry : entries) {
    const string anchor_class = entry.anchor.substr(0, 3);
    EXPECT_EQ(entry.positive.substr(0, 3), anchor_class);
    EXPECT_NE(entry.positive, entry.anchor);
    EXPECT_NE(entry.negative.substr(0, 3), anchor_class);
    ASSERT_EQ(entry.labels.size(), 2u);
    EXPECT_EQ(classes[static_cast<int>(entry.labels[0])], anchor_class);
    EXPECT_EQ(classes[static_cast<int>(entry.labels[1])], entry.negative.substr(0, 3));
  }
  // The same seed samples the same triplets.
  const vector<TripletEntry> again = SampleTripletsFromFolders(tree.path(), 2, 5);
  for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(again[i].negative, entries[i].negative);

  for (bool encoded : {false, true}) {
    const string db = dir_.Join(encoded ? "folder_png" : "folder_raw");
    TripletConvertOptions options;
    options.encoded = encoded;
    ConvertTriplets(tree.path() + "/", entries, db, options);
    const vector<LoadedTriplet> loaded = LoadThroughLayer(db, static_cast<int>(entries.size()));
    for (size_t t = 0; t < entries.size(); ++t) {
      const string* paths[3] = {&entries[t].anchor, &entries[t].positive, &entries[t].negative};
      for (int slot = 0; slot < 3; ++slot) {
        EXPECT_TRUE(SamePixels(loaded[t].images[slot], sources[*paths[slot]]))
            << "triplet " << t << " slot " << slot;
      }
    }
  }
}

TEST_F(ConvertTripletTest, MissingImageStopsNamingLineAndFile) {
  WriteText(dir_.Join("missing.txt"), "img/0.png img/1.png img/2.png\nimg/0.png img/9.png img/1.png\n");
  const string db = dir_.Join("db");
  try {
    ConvertTriplets(root(), ReadTripletList(dir_.Join("missing.txt")), db, {});
    ADD_FAILURE() << "a missing image was not reported";
  } catch (const IOError& e) {
    const string message = e.what();
    EXPECT_NE(message.find("missing.txt:2"), string::npos) << message;
    EXPECT_NE(message.find("img/9.png"), string::npos) << message;
  }
  // Nothing half-written is left, under either name.
  EXPECT_FALSE(fs::exists(db));
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), string::npos);
  }
  TripletConvertOptions options;
  options.skip_missing = true;
  const TripletConvertProgress result =
      ConvertTriplets(root(), ReadTripletList(dir_.Join("missing.txt")), db, options);
  EXPECT_EQ(result.written, 1);
  EXPECT_EQ(result.skipped, 1);
  EXPECT_EQ(ReadDB("lmdb", db).size(), 1u);
}

TEST_F(ConvertTripletTest, ExistingOutputIsKeptUnlessOverwrite) {
  const string db = dir_.Join("db");
  WriteText(dir_.Join("one.txt"), "img/0.png img/1.png img/2.png\n");
  ConvertTriplets(root(), ReadTripletList(dir_.Join("one.txt")), db, {});
  EXPECT_THROW(ConvertTriplets(root(), ReadTripletList(dir_.Join("list.txt")), db, {}), IOError);
  EXPECT_EQ(ReadDB("lmdb", db).size(), 1u);
  TripletConvertOptions options;
  options.overwrite = true;
  ConvertTriplets(root(), ReadTripletList(dir_.Join("list.txt")), db, options);
  EXPECT_EQ(ReadDB("lmdb", db).size(), 3u);
}

TEST_F(ConvertTripletTest, InputErrors) {
  WriteText(dir_.Join("short.txt"), "img/0.png img/1.png\n");
  EXPECT_THROW(ReadTripletList(dir_.Join("short.txt")), ParseError);
  WriteText(dir_.Join("label.txt"), "img/0.png img/1.png img/2.png cat\n");
  EXPECT_THROW(ReadTripletList(dir_.Join("label.txt")), ParseError);
  EXPECT_THROW(ReadTripletList(dir_.Join("absent.txt")), IOError);
  // Raw images of one triplet must share a shape.
  WriteImage(dir_.Join("img/big.png"), 9, 8, 8);
  WriteText(dir_.Join("sizes.txt"), "img/0.png img/big.png img/1.png\n");
  EXPECT_THROW(ConvertTriplets(root(), ReadTripletList(dir_.Join("sizes.txt")), dir_.Join("db"), {}),
               DataError);
  // check_size: every raw triplet like the first.
  WriteText(dir_.Join("check.txt"), "img/0.png img/1.png img/2.png\nimg/big.png img/big.png img/big.png\n");
  TripletConvertOptions options;
  options.check_size = true;
  EXPECT_THROW(ConvertTriplets(root(), ReadTripletList(dir_.Join("check.txt")), dir_.Join("db"), options),
               DataError);
  options.check_size = false;
  EXPECT_NO_THROW(ConvertTriplets(root(), ReadTripletList(dir_.Join("check.txt")), dir_.Join("db"), options));
  // Folder sampling needs two classes.
  TempDir tree;
  WriteImage(tree.Join("only/0.png"), 0);
  WriteImage(tree.Join("only/1.png"), 1);
  EXPECT_THROW(SampleTripletsFromFolders(tree.path(), 1, 0), DataError);
  EXPECT_THROW(SampleTripletsFromFolders(tree.Join("absent"), 1, 0), IOError);
}

struct ToolRun {
  int exit_code;
  string stderr_text;
};

ToolRun RunTool(const TempDir& dir, const string& arguments) {
  const string command = "cd '" + dir.path() + "' && '" + CAFFE_TOOLS_DIR +
                         "/convert_triplet_db' " + arguments + " 2> stderr.txt";
  const int status = std::system(command.c_str());
  std::ifstream in(dir.Join("stderr.txt"));
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

TEST_F(ConvertTripletTest, ToolWritesAndReportsErrors) {
  ToolRun run = RunTool(dir_, "-backend leveldb ./ list.txt tool_db");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("Processed 3 of 3 triplets"), string::npos) << run.stderr_text;
  EXPECT_EQ(ReadDB("leveldb", dir_.Join("tool_db")).size(), 3u);
  const vector<LoadedTriplet> loaded =
      LoadThroughLayer(dir_.Join("tool_db"), 3, false, DataParameter::LEVELDB);
  EXPECT_TRUE(SamePixels(loaded[2].images[1], images_[3]));
  EXPECT_EQ(loaded[2].labels, (vector<float>{2, 7}));
  run = RunTool(dir_, "-backend leveldb ./ list.txt tool_db");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.stderr_text.find("convert_triplet_db: error: output database tool_db already exists"),
            string::npos)
      << run.stderr_text;
  fs::create_directories(dir_.Join("tree/a"));
  fs::create_directories(dir_.Join("tree/b"));
  WriteImage(dir_.Join("tree/a/0.png"), 0);
  WriteImage(dir_.Join("tree/a/1.png"), 1);
  WriteImage(dir_.Join("tree/b/0.png"), 2);
  run = RunTool(dir_, "-folders -triplets_per_anchor 3 -seed 4 tree folder_db");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(ReadDB("lmdb", dir_.Join("folder_db")).size(), 6u);
}

}  // namespace
}  // namespace caffe
