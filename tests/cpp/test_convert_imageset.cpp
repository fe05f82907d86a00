// The built convert_imageset and compute_image_mean tools against upstream's
// outputs for the digits set, and their failure behaviour.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::CopyFixture;
using testing_data::DigitsDir;
using testing_data::ReadDB;
using testing_data::TempDir;

struct ToolRun {
  int exit_code;
  string stderr_text;
};

// Runs a tool from tools/ inside `dir`.
ToolRun RunTool(const TempDir& dir, const string& tool, const string& arguments) {
  const string command = "cd '" + dir.path() + "' && '" + CAFFE_TOOLS_DIR + "/" + tool + "' " +
                         arguments + " 2> stderr.txt";
  const int status = std::system(command.c_str());
  ToolRun run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFileToString(dir.Join("stderr.txt"))};
  std::filesystem::remove(dir.Join("stderr.txt"));
  return run;
}

vector<string> ErrorLines(const string& text) {
  vector<string> lines;
  std::istringstream in(text);
  string line;
  while (std::getline(in, line)) {
    if (line.find("error:") != string::npos) lines.push_back(line);
  }
  return lines;
}

vector<string> DirectoryEntries(const TempDir& dir) {
  vector<string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The tool arguments for the upstream digits root and its training list.
string DigitsArguments() { return "'" + DigitsDir() + "/' '" + DigitsDir() + "/train.txt'"; }

TEST(ConvertImagesetTest, RawLMDBEqualsUpstreamRecordByRecord) {
  TempDir dir;
  const ToolRun run = RunTool(dir, "convert_imageset", "-gray " + DigitsArguments() + " train_lmdb");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(DirectoryEntries(dir), vector<string>{"train_lmdb"});
  const auto ours = ReadDB("lmdb", dir.Join("train_lmdb"));
  const auto upstream = ReadDB("lmdb", DigitsDir() + "/train_lmdb");
  ASSERT_EQ(ours.size(), upstream.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(ours[i].first, upstream[i].first) << i;
    ASSERT_EQ(ours[i].second, upstream[i].second) << ours[i].first;
  }
}

TEST(ConvertImagesetTest, EncodedPNGLMDBEqualsUpstream) {
  TempDir dir;
  ToolRun run = RunTool(dir, "convert_imageset", "-gray -encoded -encode_type png " + DigitsArguments() + " png_lmdb");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto upstream = ReadDB("lmdb", DigitsDir() + "/train_png_lmdb");
  EXPECT_TRUE(ReadDB("lmdb", dir.Join("png_lmdb")) == upstream);
  // Without -encode_type the encoding is guessed from the extension.
  run = RunTool(dir, "convert_imageset", "-gray -encoded " + DigitsArguments() + " guessed_lmdb");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_TRUE(ReadDB("lmdb", dir.Join("guessed_lmdb")) == upstream);
}

TEST(ConvertImagesetTest, LevelDBEqualsUpstream) {
  TempDir dir;
  const ToolRun run = RunTool(dir, "convert_imageset", "-gray -backend leveldb " + DigitsArguments() + " out_leveldb");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto upstream = ReadDB("leveldb", CopyFixture("train_leveldb", dir));
  EXPECT_TRUE(ReadDB("leveldb", dir.Join("out_leveldb")) == upstream);
}

TEST(ComputeImageMeanTest, EqualsUpstreamMeanFileByteForByte) {
  TempDir dir;
  ToolRun run = RunTool(dir, "compute_image_mean", "'" + DigitsDir() + "/train_lmdb' mean.binaryproto");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const string upstream = ReadFileToString(DigitsDir() + "/mean.binaryproto");
  EXPECT_EQ(ReadFileToString(dir.Join("mean.binaryproto")), upstream);
  // Encoded records are decoded first; LevelDB gives the same mean.
  run = RunTool(dir, "compute_image_mean", "'" + DigitsDir() + "/train_png_lmdb' png_mean.binaryproto");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(ReadFileToString(dir.Join("png_mean.binaryproto")), upstream);
  const string leveldb = CopyFixture("train_leveldb", dir);
  run = RunTool(dir, "compute_image_mean", "-backend leveldb '" + leveldb + "' level_mean.binaryproto");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(ReadFileToString(dir.Join("level_mean.binaryproto")), upstream);
}

TEST(ComputeImageMeanTest, MissingDatabaseIsOneErrorLine) {
  TempDir dir;
  const ToolRun run = RunTool(dir, "compute_image_mean", "/nonexistent/db mean.binaryproto");
  EXPECT_EQ(run.exit_code, 1);
  const auto errors = ErrorLines(run.stderr_text);
  ASSERT_EQ(errors.size(), 1u) << run.stderr_text;
  EXPECT_NE(errors[0].find("/nonexistent/db"), string::npos);
  EXPECT_TRUE(DirectoryEntries(dir).empty());
}

// A list of the first `count` training digits, written into `dir`; throws when
// the training list is missing or shorter.
string ShortList(const TempDir& dir, int count) {
  const auto lines = testing_data::ReadDigitsList("train.txt");
  if (static_cast<int>(lines.size()) < count) {
    throw std::runtime_error("the digits training list has " + std::to_string(lines.size()) +
                             " lines, not " + std::to_string(count));
  }
  std::ofstream out(dir.Join("short.txt"));
  for (int i = 0; i < count; ++i) out << lines[i].first << " " << lines[i].second << "\n";
  return "'" + DigitsDir() + "/' '" + dir.Join("short.txt") + "'";
}

// A missing or short fixture list used to be indexed past its end and crash the
// whole test binary; it must fail the one test with a message instead.
TEST(ConvertImagesetTest, MissingOrShortListFailsTheTestWithAMessage) {
  TempDir dir;
  EXPECT_THROW(testing_data::ReadListFile(dir.Join("missing.txt")), std::runtime_error);
  EXPECT_THROW(ShortList(dir, 1000000), std::runtime_error);
  EXPECT_THROW(testing_data::CopyTreeToTemporary(dir.Join("missing")), std::runtime_error);
}

TEST(ConvertImagesetTest, ResizeStoresResizedPixels) {
  TempDir dir;
  const ToolRun run = RunTool(dir, "convert_imageset",
                              "-gray -resize_width 10 -resize_height 14 -check_size " +
                                  ShortList(dir, 12) + " small_lmdb");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto records = ReadDB("lmdb", dir.Join("small_lmdb"));
  const auto lines = testing_data::ReadDigitsList("train.txt");
  ASSERT_EQ(records.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(records[i].second));
    EXPECT_EQ(datum.height(), 14);
    EXPECT_EQ(datum.width(), 10);
    EXPECT_EQ(datum.label(), lines[i].second);
    cv::Mat resized;
    cv::resize(testing_data::ReadDigit(lines[i].first), resized, cv::Size(10, 14));
    EXPECT_EQ(datum.data(), string(reinterpret_cast<const char*>(resized.data), 140));
  }
}

TEST(ConvertImagesetTest, ShuffleKeepsEveryImageWithItsLabel) {
  TempDir dir;
  const ToolRun run = RunTool(dir, "convert_imageset", "-gray -shuffle " + ShortList(dir, 40) + " shuffled");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto records = ReadDB("lmdb", dir.Join("shuffled"));
  const auto lines = testing_data::ReadDigitsList("train.txt");
  std::map<string, int> labels(lines.begin(), lines.begin() + 40);
  ASSERT_EQ(records.size(), 40u);
  std::set<string> paths;
  bool reordered = false;
  for (int i = 0; i < 40; ++i) {
    const string path = records[i].first.substr(9);
    paths.insert(path);
    reordered = reordered || path != lines[i].first;
    Datum datum;
    ASSERT_TRUE(datum.ParseFromString(records[i].second));
    EXPECT_EQ(datum.label(), labels.at(path));
  }
  EXPECT_EQ(paths.size(), 40u);
  EXPECT_TRUE(reordered);
}

TEST(ConvertImagesetTest, UnreadableImagesAreSkipped) {
  TempDir dir;
  {
    std::ofstream out(dir.Join("list.txt"));
    out << "img/0000.png 0\nimg/missing.png 1\nimg/0002.png 2\n";
  }
  const ToolRun run = RunTool(dir, "convert_imageset",
                              "-gray '" + DigitsDir() + "/' list.txt out");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto records = ReadDB("lmdb", dir.Join("out"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].first, "00000000_img/0000.png");
  EXPECT_EQ(records[1].first, "00000002_img/0002.png");
}

TEST(ConvertImagesetTest, FailuresLeaveNoDatabaseBehind) {
  TempDir dir;
  // -check_size with images of two sizes fails part-way through.
  cv::imwrite(dir.Join("a.png"), cv::Mat(4, 4, CV_8UC1, cv::Scalar(1)));
  cv::imwrite(dir.Join("b.png"), cv::Mat(5, 4, CV_8UC1, cv::Scalar(2)));
  {
    std::ofstream out(dir.Join("list.txt"));
    out << "a.png 0\nb.png 1\n";
  }
  ToolRun run = RunTool(dir, "convert_imageset", "-gray -check_size ./ list.txt out_lmdb");
  EXPECT_EQ(run.exit_code, 1);
  auto errors = ErrorLines(run.stderr_text);
  ASSERT_EQ(errors.size(), 1u) << run.stderr_text;
  EXPECT_NE(errors[0].find("b.png"), string::npos) << errors[0];
  EXPECT_EQ(DirectoryEntries(dir), (vector<string>{"a.png", "b.png", "list.txt"}));

  run = RunTool(dir, "convert_imageset", "-gray ./ missing_list.txt out_lmdb");
  EXPECT_EQ(run.exit_code, 1);
  errors = ErrorLines(run.stderr_text);
  ASSERT_EQ(errors.size(), 1u) << run.stderr_text;
  EXPECT_NE(errors[0].find("missing_list.txt"), string::npos) << errors[0];

  run = RunTool(dir, "convert_imageset", "-backend nosuchdb ./ list.txt out_lmdb");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(ErrorLines(run.stderr_text).size(), 1u) << run.stderr_text;
  EXPECT_EQ(DirectoryEntries(dir), (vector<string>{"a.png", "b.png", "list.txt"}));

  EXPECT_EQ(RunTool(dir, "convert_imageset", "").exit_code, 1);
}

TEST(ConvertImagesetTest, AnExistingOutputIsLeftAlone) {
  TempDir dir;
  std::filesystem::create_directory(dir.Join("out_lmdb"));
  std::ofstream(dir.Join("out_lmdb/keep.txt")) << "precious";
  const ToolRun run = RunTool(dir, "convert_imageset", "-gray " + ShortList(dir, 3) + " out_lmdb");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(ErrorLines(run.stderr_text).size(), 1u) << run.stderr_text;
  EXPECT_EQ(ReadFileToString(dir.Join("out_lmdb/keep.txt")), "precious");
}

}  // namespace
}  // namespace caffe
