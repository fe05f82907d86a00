// Regression tests for issue 11's writers: list files whose bad lines used to
// be accepted silently, conversions that wrote nothing yet succeeded,
// replacing an output atomically, stale temporaries of dead runs, and
// resuming a conversion that was killed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "caffe/util/convert_imageset.hpp"
#include "caffe/util/db_output.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/triplet_convert.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::DigitsDir;
using testing_data::ReadDB;
using testing_data::TempDir;

template <typename E, typename Body>
void ExpectError(Body body, std::initializer_list<string> needles) {
  try {
    body();
    ADD_FAILURE() << "no error was thrown";
  } catch (const E& error) {
    for (const string& needle : needles) {
      EXPECT_NE(string(error.what()).find(needle), string::npos)
          << "'" << needle << "' missing from: " << error.what();
    }
  } catch (const std::exception& error) {
    ADD_FAILURE() << "wrong error type: " << error.what();
  }
}

void WriteText(const string& path, const string& text) { std::ofstream(path) << text; }

// The first `count` lines of the digits training list.
string DigitsList(int count) {
  std::ifstream in(DigitsDir() + "/train.txt");
  string line, text;
  for (int i = 0; i < count && std::getline(in, line); ++i) text += line + "\n";
  return text;
}

// A pid that belonged to a process which has exited.
long DeadPid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

bool Exists(const string& path) { return std::filesystem::exists(path); }

TEST(BadInputWriters, LabelsMustBeIntegers) {
  TempDir dir;
  const string root = DigitsDir() + "/";
  for (const char* label : {"abc", "1.5", "99999999999999", ""}) {
    WriteText(dir.Join("list.txt"), DigitsList(2) + "img/1369.png " + label + "\n");
    ExpectError<ParseError>([&] {
      ConvertImageset(root, dir.Join("list.txt"), dir.Join("out"), {});
    }, {dir.Join("list.txt") + ":3"});
    EXPECT_FALSE(Exists(dir.Join("out")));
  }
}

TEST(BadInputWriters, TripletLabelsMustBeFinite) {
  TempDir dir;
  WriteText(dir.Join("t.txt"), "a.png b.png c.png 1 nan\n");
  ExpectError<ParseError>([&] { ReadTripletList(dir.Join("t.txt")); },
                          {dir.Join("t.txt") + ":1", "nan", "finite"});
}

TEST(BadInputWriters, NothingToWriteIsAnErrorAndLeavesNoDatabase) {
  TempDir dir;
  WriteText(dir.Join("empty.txt"), "\n");
  ExpectError<DataError>([&] {
    ConvertImageset(DigitsDir() + "/", dir.Join("empty.txt"), dir.Join("out"), {});
  }, {"empty.txt", "nothing to convert"});
  WriteText(dir.Join("missing.txt"), "nope/1.png 1\nnope/2.png 2\n");
  ExpectError<DataError>([&] {
    ConvertImageset(DigitsDir() + "/", dir.Join("missing.txt"), dir.Join("out"), {});
  }, {"none of the 2 images", "missing.txt"});
  EXPECT_FALSE(Exists(dir.Join("out")));
  ConvertImagesetOptions negative;
  negative.resize_height = -5;
  negative.resize_width = 10;
  ExpectError<ConfigError>([&] {
    ConvertImageset(DigitsDir() + "/", dir.Join("missing.txt"), dir.Join("out"), negative);
  }, {"-5"});
  ExpectError<DataError>([&] {
    ConvertTriplets(DigitsDir() + "/", {}, dir.Join("triplets"), TripletConvertOptions());
  }, {"no triplets"});
}

TEST(BadInputWriters, SamplingAnImpossibleNumberOfTripletsSaysWhy) {
  TempDir dir;
  for (const char* folder : {"a", "b"}) {
    std::filesystem::create_directory(dir.Join(folder));
    for (const char* image : {"1.png", "2.png"}) WriteText(dir.Join(folder) + "/" + image, "x");
  }
  ExpectError<OutOfMemoryError>([&] { SampleTripletsFromFolders(dir.path(), 2000000000, 1); },
                                {"2000000000 triplets per anchor", "4 anchor images"});
}

TEST(BadInputWriters, PublishingOverAnExistingOutputNeverLeavesTheNameMissing) {
  TempDir dir;
  const string output = dir.Join("out");
  std::filesystem::create_directory(output);
  WriteText(output + "/version", "0");
  std::atomic<bool> done(false);
  std::atomic<int> missing(0);
  std::thread watcher([&] {
    while (!done) {
      if (!Exists(output)) ++missing;
    }
  });
  for (int version = 1; version <= 300; ++version) {
    const string temporary = TemporaryOutputName(output);
    std::filesystem::create_directory(temporary);
    WriteText(temporary + "/version", std::to_string(version));
    PublishOutput(temporary, output);
    EXPECT_FALSE(Exists(temporary));
  }
  done = true;
  watcher.join();
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(ReadFileToString(output + "/version"), "300");
}

TEST(BadInputWriters, StaleTemporariesOfDeadRunsAreRemovedLiveOnesRefused) {
  TempDir dir;
  const string output = dir.Join("out");
  const string stale = output + ".tmp-" + std::to_string(DeadPid());
  std::filesystem::create_directory(stale);
  const OutputPlan plan = PrepareOutput(output, false, false);
  ASSERT_EQ(plan.stale.size(), 1u);
  EXPECT_FALSE(Exists(stale));
  const string live = output + ".tmp-" + std::to_string(getppid());
  std::filesystem::create_directory(live);
  ExpectError<IOError>([&] { PrepareOutput(output, false, false); },
                       {"process " + std::to_string(getppid()), live});
  std::filesystem::remove(live);
  std::filesystem::create_directory(output);
  ExpectError<IOError>([&] { PrepareOutput(output, false, false); }, {output, "-overwrite"});
}

TEST(BadInputWriters, ResumeContinuesAKilledConversionWithoutLossOrDuplicates) {
  TempDir dir;
  const string root = DigitsDir() + "/";
  WriteText(dir.Join("full.txt"), DigitsList(60));
  WriteText(dir.Join("part.txt"), DigitsList(23));
  ConvertImageset(root, dir.Join("full.txt"), dir.Join("reference"), {});
  // What a run killed after committing 23 records leaves behind.
  ConvertImageset(root, dir.Join("part.txt"), dir.Join("killed"), {});
  const string output = dir.Join("out");
  std::filesystem::rename(dir.Join("killed"), output + ".tmp-" + std::to_string(DeadPid()));
  ConvertImagesetOptions options;
  options.resume = true;
  EXPECT_EQ(ConvertImageset(root, dir.Join("full.txt"), output, options), 60 - 23);
  EXPECT_EQ(ReadDB("lmdb", output), ReadDB("lmdb", dir.Join("reference")));
  // Resuming a complete output changes nothing.
  EXPECT_EQ(ConvertImageset(root, dir.Join("full.txt"), output, options), 0);
  // A leftover of another list is refused, not mixed in.
  ConvertImageset(root, dir.Join("part.txt"), dir.Join("other"), {});
  std::filesystem::rename(dir.Join("other"), dir.Join("out2.tmp-") + std::to_string(DeadPid()));
  WriteText(dir.Join("shifted.txt"), DigitsList(60).substr(DigitsList(1).size()));
  ExpectError<ConfigError>([&] {
    ConvertImageset(root, dir.Join("shifted.txt"), dir.Join("out2"), options);
  }, {"cannot resume", "shifted.txt"});
}

TEST(BadInputWriters, InterruptedConversionRemovesItsTemporary) {
  TempDir dir;
  WriteText(dir.Join("list.txt"), DigitsList(40));
  ConvertImagesetOptions options;
  int seen = 0;
  options.check_interrupt = [&] {
    if (++seen == 20) CAFFE_THROW(InterruptedError, "interrupted by test");
  };
  EXPECT_THROW(ConvertImageset(DigitsDir() + "/", dir.Join("list.txt"), dir.Join("out"), options),
               InterruptedError);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()) ||
              !Exists(TemporaryOutputName(dir.Join("out"))));
  EXPECT_FALSE(Exists(dir.Join("out")));
}

}  // namespace
}  // namespace caffe
