// Regression tests for issue 11 at the library level: each input here used to
// crash the process (SIGFPE, SIGBUS, a glog CHECK, undefined behaviour) or be
// accepted silently; each must now be a caffe::Error of the right type whose
// message names the culprit.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "caffe/filler.hpp"
#include "caffe/net.hpp"
#include "caffe/sgd_solvers.hpp"
#include "caffe/syncedmem.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/io.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::SerializedDatum;
using testing_data::TempDir;
using testing_data::WriteDB;

NetParameter NetFromText(const string& text) {
  NetParameter param;
  ReadProtoFromTextString(text, "test net", &param);
  param.mutable_state()->set_phase(TRAIN);
  return param;
}

// Runs `body`, expecting an error of type E whose message holds every needle.
template <typename E, typename Body>
void ExpectError(Body body, std::initializer_list<const char*> needles) {
  try {
    body();
    ADD_FAILURE() << "no error was thrown";
  } catch (const E& error) {
    for (const char* needle : needles) {
      EXPECT_NE(string(error.what()).find(needle), string::npos)
          << "'" << needle << "' missing from: " << error.what();
    }
  } catch (const std::exception& error) {
    ADD_FAILURE() << "wrong error type: " << error.what();
  }
}

const char* kIpNet = R"(
  layer { name: "in" type: "Input" top: "x" top: "label"
          input_param { shape { dim: 2 dim: 4 } shape { dim: 2 } } }
  layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"
          inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "loss" }
)";

TEST(BadInputLibrary, ZeroInputDimensionIsAConfigErrorNamingTheLayer) {
  ExpectError<ConfigError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "data" type: "Input" top: "x" input_param { shape { dim: 2 dim: 0 } } })"));
  }, {"'data'", "dimension 1 = 0"});
}

TEST(BadInputLibrary, EmptyBatchThroughSoftmaxLossIsAShapeErrorNotSigfpe) {
  Net<float> net(NetFromText(kIpNet));
  net.blob_by_name("x")->Reshape(vector<int>{0, 4});
  net.blob_by_name("label")->Reshape(vector<int>{0});
  ExpectError<ShapeError>([&] { net.Forward(); }, {"'loss'", "empty"});
}

// Found by fuzz_net_prototxt: reading a top that no layer ever shaped was a
// CHECK failure (abort) inside Blob.
TEST(BadInputLibrary, UnshapedInputBlobIsAShapeErrorNamingTheLayer) {
  Net<float> net(NetFromText(R"(
    layer { name: "in" type: "Input" top: "x" }
    layer { name: "power" type: "Power" bottom: "x" top: "y" })"));
  ExpectError<ShapeError>([&] { net.Forward(); }, {"'power'", "never given a shape"});
}

TEST(BadInputLibrary, FillersLeaveEmptyBlobsAlone) {
  for (const char* type : {"xavier", "msra", "positive_unitball", "gaussian"}) {
    FillerParameter param;
    param.set_type(type);
    param.set_sparse(1);
    Blob<float> blob(vector<int>{0, 5});
    GetFiller<float>(param)->Fill(&blob);
    Blob<float> other(vector<int>{5, 0});
    GetFiller<float>(param)->Fill(&other);
  }
}

TEST(BadInputLibrary, GaussianSparseOverTheFanIsAConfigErrorNotACheck) {
  ExpectError<ConfigError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 2 dim: 4 } } }
      layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"
              inner_product_param { num_output: 3
                weight_filler { type: "gaussian" sparse: 10 } } })"));
  }, {"'ip'", "sparse 10", "3"});
}

TEST(BadInputLibrary, SppPyramidTooHighIsRefusedWithoutUndefinedShift) {
  ExpectError<ConfigError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 1 dim: 8 dim: 8 } } }
      layer { name: "spp" type: "SPP" bottom: "x" top: "y" spp_param { pyramid_height: 40 } })"));
  }, {"'spp'", "pyramid_height"});
  ExpectError<ShapeError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 1 dim: 8 dim: 8 } } }
      layer { name: "spp" type: "SPP" bottom: "x" top: "y" spp_param { pyramid_height: 6 } })"));
  }, {"'spp'", "32 bins", "8 x 8"});
}

TEST(BadInputLibrary, ShapeStringOfAHugeShapeDoesNotOverflow) {
  const string text = ShapeString({INT_MAX, INT_MAX, INT_MAX});
  EXPECT_NE(text.find("e+"), string::npos) << text;
  ExpectError<ShapeError>([] { Blob<float> blob(vector<int>{INT_MAX, INT_MAX, 4}); },
                          {"more than INT_MAX"});
}

TEST(BadInputLibrary, AllocationLargerThanTheMachineSaysWhatAndHowLarge) {
  SyncedMemory memory(size_t(1) << 60);
  ExpectError<OutOfMemoryError>([&] { memory.cpu_data(); }, {"cannot allocate", "EiB"});
}

TEST(BadInputLibrary, NonFiniteFieldsAreConfigErrorsNamingLayerAndField) {
  ExpectError<ConfigError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 2 dim: 4 } } }
      layer { name: "pow" type: "Power" bottom: "x" top: "y" power_param { scale: nan } })"));
  }, {"'pow'", "power_param.scale", "nan"});
  ExpectError<ConfigError>([] {
    Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" top: "t"
              input_param { shape { dim: 2 dim: 4 } } }
      layer { name: "loss" type: "EuclideanLoss" bottom: "x" bottom: "t" top: "l"
              loss_weight: inf })"));
  }, {"'loss'", "loss_weight[0]", "inf"});
  // Clipping to an infinite bound is meaningful.
  Net<float> net(NetFromText(R"(
      layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 2 dim: 4 } } }
      layer { name: "clip" type: "Clip" bottom: "x" top: "y" clip_param { min: -inf max: 1 } })"));
}

SolverParameter LinearSolver() {
  SolverParameter param;
  *param.mutable_net_param() = NetFromText(kIpNet);
  param.set_base_lr(0.1);
  param.set_lr_policy("fixed");
  param.set_max_iter(10);
  param.set_display(0);
  param.set_snapshot_after_train(false);
  return param;
}

TEST(BadInputLibrary, InconsistentSolverSettingsAreRefused) {
  SolverParameter param = LinearSolver();
  param.set_max_iter(-5);
  ExpectError<ConfigError>([&] { SGDSolver<float> solver(param); }, {"max_iter", "-5"});
  param = LinearSolver();
  param.set_lr_policy("multistep");
  param.add_stepvalue(100);
  param.add_stepvalue(50);
  ExpectError<ConfigError>([&] { SGDSolver<float> solver(param); }, {"stepvalue[1] = 50"});
  param = LinearSolver();
  param.set_type("Adam");
  param.set_momentum(0.9);
  param.set_momentum2(1.0);
  ExpectError<ConfigError>([&] { AdamSolver<float> solver(param); }, {"momentum2"});
  param = LinearSolver();
  param.set_base_lr(std::nan(""));
  ExpectError<ConfigError>([&] { SGDSolver<float> solver(param); }, {"base_lr", "nan"});
}

// Each solver class checks the settings it reads whatever param.type()
// says, and before it builds a net: a missing net file is not what the user
// hears about first.
TEST(BadInputLibrary, SolverTypeSettingsAreCheckedByTheClassBeforeAnyNet) {
  SolverParameter param = LinearSolver();
  param.clear_net_param();
  param.set_net("/nonexistent/net.prototxt");
  param.set_momentum(0.9);
  param.set_momentum2(1.0);
  ExpectError<ConfigError>([&] { AdamSolver<float> solver(param); }, {"Adam", "momentum2"});
  param.set_momentum2(0.999);
  param.set_delta(0);
  ExpectError<ConfigError>([&] { AdamSolver<double> solver(param); }, {"Adam", "delta > 0"});
  ExpectError<ConfigError>([&] { AdaDeltaSolver<float> solver(param); },
                           {"AdaDelta", "delta > 0"});
  ExpectError<ConfigError>([&] { AdaGradSolver<float> solver(param); },
                           {"momentum cannot be used with AdaGrad"});
  param.set_momentum(0);
  param.set_rms_decay(1);
  ExpectError<ConfigError>([&] { RMSPropSolver<float> solver(param); }, {"rms_decay"});
}

TEST(BadInputLibrary, StepAfterAStopRequestRunsItsIterations) {
  SolverParameter param = LinearSolver();
  param.set_test_interval(2);
  param.set_test_initialization(false);
  param.add_test_iter(1);
  SGDSolver<float> solver(param);
  solver.SetActionFunction([&] { return solver.iter() == 2 ? SolverAction::STOP : SolverAction::NONE; });
  solver.Step(5);
  EXPECT_EQ(solver.iter(), 2);
  solver.SetActionFunction(nullptr);
  solver.Step(3);
  EXPECT_EQ(solver.iter(), 5);
}

void WriteFile(const string& path, const string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(BadInputLibrary, WeightsThatAreNotACaffemodelSaySo) {
  TempDir dir;
  Net<float> net(NetFromText(kIpNet));
  WriteFile(dir.Join("empty.caffemodel"), "");
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("empty.caffemodel")); },
                          {"empty.caffemodel", "empty"});
  ExpectError<IOError>([&] { net.CopyTrainedLayersFrom(dir.path()); }, {"is a directory"});
  WriteFile(dir.Join("model.h5"), string("\x89HDF\r\n\x1a\n", 8) + string(100, '\0'));
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("model.h5")); },
                          {"model.h5", "HDF5"});
  string random(4096, '\0');
  for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<char>((i * 2654435761u) >> 13);
  WriteFile(dir.Join("random.caffemodel"), random);
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("random.caffemodel")); },
                          {"random.caffemodel", "not a valid binary caffe.NetParameter",
                           "stopped at byte"});
  // A real model, cut short inside the weights of layer 'ip', or in the
  // last layer.
  NetParameter trained;
  net.ToProto(&trained);
  const string bytes = trained.SerializeAsString();
  const size_t weights_at = bytes.find(string("\x0a\x02ip", 4));
  ASSERT_NE(weights_at, string::npos);
  WriteFile(dir.Join("truncated.caffemodel"), bytes.substr(0, weights_at + 40));
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("truncated.caffemodel")); },
                          {"truncated.caffemodel", "layer[1] ('ip').blobs[0]", "truncated"});
  WriteFile(dir.Join("cut.caffemodel"), bytes.substr(0, bytes.size() - 3));
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("cut.caffemodel")); },
                          {"cut.caffemodel", "layer[2] ('loss')", "truncated"});
  // A net definition given as weights holds no layer blobs.
  WriteFile(dir.Join("net.prototxt"), "name: \"x\"\n");
  ExpectError<ParseError>([&] { net.CopyTrainedLayersFrom(dir.Join("net.prototxt")); },
                          {"net.prototxt", "no layers"});
}

TEST(BadInputLibrary, StoredBlobWithTheWrongValueCountNamesFileLayerAndParam) {
  TempDir dir;
  Net<float> net(NetFromText(kIpNet));
  NetParameter trained;
  net.ToProto(&trained);
  for (auto& layer : *trained.mutable_layer()) {
    if (layer.name() == "ip") layer.mutable_blobs(1)->mutable_data()->RemoveLast();
  }
  WriteProtoToBinaryFile(trained, dir.Join("short.caffemodel"));
  ExpectError<ShapeError>([&] { net.CopyTrainedLayersFrom(dir.Join("short.caffemodel")); },
                          {"short.caffemodel", "param 1 of layer 'ip'", "stored blob has 2"});
}

TEST(BadInputLibrary, SolverstateHistoryMismatchNamesFileAndBlob) {
  TempDir dir;
  SolverParameter param = LinearSolver();
  param.set_snapshot_prefix(dir.Join("run"));
  SGDSolver<float> solver(param);
  solver.Step(1);
  solver.Snapshot();
  SolverState state;
  ReadProtoFromBinaryFile(dir.Join("run_iter_1.solverstate"), &state);
  state.mutable_history(0)->mutable_data()->RemoveLast();
  WriteProtoToBinaryFile(state, dir.Join("bad.solverstate"));
  ExpectError<ShapeError>([&] { solver.Restore(dir.Join("bad.solverstate").c_str()); },
                          {"bad.solverstate", "history blob 0", "layer 'ip'"});
}

// A PNG header that claims 30000 x 30000 pixels: refused before decoding.
string PngBombHeader() {
  string png("\x89PNG\r\n\x1a\n", 8);
  png += string("\0\0\0\x0dIHDR", 8);
  const uint32_t side = 30000;
  for (int repeat = 0; repeat < 2; ++repeat) {
    for (int shift = 24; shift >= 0; shift -= 8) png += static_cast<char>((side >> shift) & 0xFF);
  }
  png += string("\x08\x00\x00\x00\x00", 5);
  return png + string(64, '\0');
}

TEST(BadInputLibrary, DecompressionBombsAreRefusedBeforeDecoding) {
  Datum datum;
  datum.set_encoded(true);
  datum.set_data(PngBombHeader());
  ExpectError<DataError>([&] { DecodeDatumToCVMat(datum, true); },
                         {"30000 x 30000", "900000000 pixels", "limit"});
  TempDir dir;
  WriteFile(dir.Join("bomb.png"), PngBombHeader());
  ExpectError<DataError>([&] { ReadImageToCVMat(dir.Join("bomb.png"), true); },
                         {"bomb.png", "30000 x 30000"});
  ExpectError<ConfigError>([&] { ReadImageToCVMat(dir.Join("bomb.png"), 100000, 100000, true); },
                           {"100000 x 100000"});
}

TEST(BadInputLibrary, PixelLimitIsConfigurableAndReadsCommonHeaders) {
  const int64_t saved = MaxImagePixels();
  for (const char* extension : {".png", ".jpg", ".bmp", ".pgm", ".tiff", ".webp"}) {
    std::vector<uchar> bytes;
    ASSERT_TRUE(cv::imencode(extension, cv::Mat(30, 40, CV_8UC1, cv::Scalar(7)), bytes))
        << extension;
    int64_t width = 0, height = 0;
    ASSERT_TRUE(ImageDimensions(string(bytes.begin(), bytes.end()), &width, &height))
        << extension;
    EXPECT_EQ(width, 40) << extension;
    EXPECT_EQ(height, 30) << extension;
    Datum datum;
    datum.set_encoded(true);
    datum.set_data(string(bytes.begin(), bytes.end()));
    SetMaxImagePixels(1199);
    EXPECT_THROW(DecodeDatumToCVMat(datum, false), DataError) << extension;
    SetMaxImagePixels(1200);
    EXPECT_EQ(DecodeDatumToCVMat(datum, false).rows, 30) << extension;
  }
  EXPECT_THROW(SetMaxImagePixels(0), ConfigError);
  SetMaxImagePixels(saved);
}

string MakeLMDB(const TempDir& dir, int records) {
  vector<pair<string, string>> content;
  for (int i = 0; i < records; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "%08d", i);
    content.emplace_back(key, SerializedDatum(1, 4, 5, string(20 + i, static_cast<char>(i)), i));
  }
  const string path = dir.Join("db");
  WriteDB("lmdb", path, content);
  return path;
}

int CountRecords(const string& path) {
  std::unique_ptr<db::DB> database(db::GetDB("lmdb"));
  database->Open(path, db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  int count = 0;
  for (; cursor->valid(); cursor->Next()) {
    cursor->value();
    ++count;
  }
  return count;
}

TEST(BadInputLibrary, TruncatedLMDBIsADataErrorAtOpen) {
  TempDir dir;
  const string path = MakeLMDB(dir, 300);
  const auto size = std::filesystem::file_size(path + "/data.mdb");
  std::filesystem::resize_file(path + "/data.mdb", size / 2);
  ExpectError<DataError>([&] { CountRecords(path); }, {path.c_str(), "damaged", "meta page"});
  std::filesystem::resize_file(path + "/data.mdb", 100);
  ExpectError<DataError>([&] { CountRecords(path); }, {path.c_str()});
  std::filesystem::remove(path + "/data.mdb");
  ExpectError<IOError>([&] { CountRecords(path); }, {"no data.mdb"});
}

// Flips bytes all over data.mdb: every damaged copy either still reads or
// is a DataError/IOError; none may crash this process.
TEST(BadInputLibrary, BitFlippedLMDBNeverCrashes) {
  TempDir dir;
  const string path = MakeLMDB(dir, 200);
  const string original = ReadFileToString(path + "/data.mdb");
  int refused = 0;
  for (size_t at = 0; at < original.size(); at += 97) {
    string damaged = original;
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (at % 8)));
    WriteFile(path + "/data.mdb", damaged);
    try {
      CountRecords(path);
    } catch (const DataError&) {
      ++refused;
    } catch (const IOError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace caffe
