// The `caffe` binary as a user meets it: errors are one line and exit code 1,
// and SIGHUP/SIGINT during training snapshot and stop as the flags say.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "caffe/common.hpp"
#include "caffe/util/io.hpp"
#include "util/fixtures.hpp"
#include "util/reference_case.hpp"

namespace caffe {

namespace {

class ToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/caffe_tool_test_XXXXXX";
    dir_ = mkdtemp(pattern);
    // The fixture's net reads ../digits/*_lmdb relative to the working directory.
    Run("mkdir -p " + dir_ + "/run/out && ln -s " + testing_data::UpstreamDigits() + " " + dir_ +
        "/digits && cp " + ReferenceDir() + "/lenet/net.prototxt " + dir_ + "/run/");
  }
  void TearDown() override { Run("rm -rf " + dir_); }

  static int Run(const string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // Runs `caffe <args>` in run/; returns the exit code, output in *output.
  int Caffe(const string& args, string* output) {
    const int code = Run("cd " + dir_ + "/run && " + CAFFE_TOOLS_DIR + "/caffe " + args +
                         " > tool.log 2>&1");
    *output = ReadFileToString(dir_ + "/run/tool.log");
    return code;
  }
  void Write(const string& name, const string& text) {
    std::ofstream(dir_ + "/run/" + name) << text;
  }
  static int CountLines(const string& text, const string& needle) {
    int count = 0;
    for (size_t at = text.find(needle); at != string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }

  string dir_;
};

}  // namespace

TEST_F(ToolTest, UserErrorsAreOneLineAndExitOne) {
  string out;
  EXPECT_EQ(Caffe("train", &out), 1);
  EXPECT_EQ(CountLines(out, "caffe: error:"), 1) << out;
  EXPECT_NE(out.find("-solver"), string::npos) << out;

  Write("broken.prototxt", "net: \"net.prototxt\"\nbase_lr: 0.01\nmax_itr: 10\n");
  EXPECT_EQ(Caffe("train -solver broken.prototxt", &out), 1);
  EXPECT_NE(out.find("broken.prototxt:3:"), string::npos) << out;
  EXPECT_NE(out.find("max_itr"), string::npos) << out;

  Write("unknown_layer.prototxt",
        "layer { name: \"mystery\" type: \"Frobnicate\" top: \"x\" }\n");
  EXPECT_EQ(Caffe("time -model unknown_layer.prototxt", &out), 1);
  EXPECT_NE(out.find("Frobnicate"), string::npos) << out;
  EXPECT_NE(out.find("mystery"), string::npos) << out;

  Write("solver.prototxt", "net: \"net.prototxt\"\nbase_lr: 0.01\nlr_policy: \"fixed\"\n"
                           "max_iter: 2\nsolver_mode: CPU\n");
  EXPECT_EQ(Caffe("train -solver solver.prototxt -weights missing.caffemodel", &out), 1);
  EXPECT_NE(out.find("missing.caffemodel"), string::npos) << out;
  EXPECT_EQ(Caffe("train -solver solver.prototxt -gpu 0", &out), 1);
  EXPECT_NE(out.find("CPU-only"), string::npos) << out;
  EXPECT_EQ(Caffe("nonsense", &out), 1);
  EXPECT_EQ(out.find("Segmentation"), string::npos);

  Write("missing_db.prototxt",
        "layer { name: \"d\" type: \"Data\" top: \"x\" top: \"y\"\n"
        "  data_param { source: \"no_such_lmdb\" batch_size: 2 backend: LMDB } }\n");
  EXPECT_EQ(Caffe("time -model missing_db.prototxt -iterations 1", &out), 1);
  EXPECT_NE(out.find("no_such_lmdb"), string::npos) << out;
  EXPECT_EQ(CountLines(out, "caffe: error:"), 1) << out;
}

TEST_F(ToolTest, TestAndTimeCommandsReport) {
  string out;
  Write("solver.prototxt", "net: \"net.prototxt\"\nbase_lr: 0.01\nlr_policy: \"fixed\"\n"
                           "max_iter: 3\nsnapshot_prefix: \"out/t\"\nsolver_mode: CPU\n"
                           "random_seed: 1\n");
  ASSERT_EQ(Caffe("train -solver solver.prototxt", &out), 0) << out;
  ASSERT_EQ(Caffe("test -model net.prototxt -weights out/t_iter_3.caffemodel -iterations 2",
                  &out), 0) << out;
  EXPECT_NE(out.find("Batch 1, accuracy = "), string::npos) << out;
  EXPECT_NE(out.find("] accuracy = "), string::npos) << out;
  ASSERT_EQ(Caffe("time -model net.prototxt -iterations 2", &out), 0) << out;
  EXPECT_NE(out.find("conv1\tforward: "), string::npos) << out;
  EXPECT_NE(out.find("conv1\tbackward: "), string::npos) << out;
  EXPECT_NE(out.find("Average Forward-Backward: "), string::npos) << out;
}

TEST_F(ToolTest, SighupSnapshotsAndSigintStops) {
  Write("solver.prototxt", "net: \"net.prototxt\"\nbase_lr: 0.001\nlr_policy: \"fixed\"\n"
                           "max_iter: 1000000\ndisplay: 1\nsnapshot_prefix: \"out/sig\"\n"
                           "solver_mode: CPU\n");
  const string log = dir_ + "/run/train.log";
  const string pid_file = dir_ + "/run/pid";
  ASSERT_EQ(Run("cd " + dir_ + "/run && (" + CAFFE_TOOLS_DIR +
                "/caffe train -solver solver.prototxt > train.log 2>&1; echo $? > exit_code) "
                "& echo $! > " + pid_file), 0);
  auto wait_for = [&](const string& needle) {
    for (int i = 0; i < 600; ++i) {
      if (FileExists(log) && ReadFileToString(log).find(needle) != string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  ASSERT_TRUE(wait_for("Iteration 2 (")) << ReadFileToString(log);
  // The subshell's child is the caffe process.
  const string pid_of_caffe = "$(pgrep -P $(cat " + pid_file + ") caffe)";
  ASSERT_EQ(Run("kill -HUP " + pid_of_caffe), 0);
  ASSERT_TRUE(wait_for("Snapshotting solver state")) << ReadFileToString(log);
  ASSERT_EQ(Run("kill -INT " + pid_of_caffe), 0);
  ASSERT_TRUE(wait_for("Optimization stopped early")) << ReadFileToString(log);
  for (int i = 0; i < 200 && !FileExists(dir_ + "/run/exit_code"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(ReadFileToString(dir_ + "/run/exit_code"), "0\n");
  // One snapshot for SIGHUP, one more when training stops (snapshot_after_train).
  EXPECT_EQ(Run("test $(ls " + dir_ + "/run/out/sig_iter_*.caffemodel | wc -l) -eq 2"), 0);
  EXPECT_EQ(Run("ls " + dir_ + "/run/out/*.tmp-* 2>/dev/null | grep -q ."), 1);
}

TEST_F(ToolTest, AugmentPreviewWritesTheGrid) {
  Write("augmented.prototxt",
        "layer { name: \"d\" type: \"Data\" top: \"x\" top: \"y\"\n"
        "  data_param { source: \"../digits/train_png_lmdb\" batch_size: 2 backend: LMDB }\n"
        "  augmentation_param { rotation: 30 hflip_prob: 0.5 } }\n");
  string out;
  ASSERT_EQ(Caffe("augment_preview -model augmented.prototxt -records 3 -samples 4 "
                  "-output grid.png", &out), 0) << out;
  const cv::Mat grid = cv::imread(dir_ + "/run/grid.png");
  ASSERT_FALSE(grid.empty());
  // 3 rows and 5 columns (input + 4 samples) of 28x28 cells with gaps.
  EXPECT_GT(grid.rows, 3 * 28);
  EXPECT_GT(grid.cols, 5 * 28);
  EXPECT_EQ(Caffe("augment_preview -model net.prototxt", &out), 1);
  EXPECT_NE(out.find("augmentation_param"), string::npos) << out;
}

}  // namespace caffe
