// The `caffe` command: train, test, time, device_query and augment_preview,
// with upstream Caffe's flags and log wording (train adds one "Progress:"
// line with an ETA after each display, which upstream's log parsers ignore).
// Every error a user can cause ends the program with one "caffe: error: ..."
// line and exit code 1.
#include <gflags/gflags.h>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "caffe/augment/preview.hpp"
#include "caffe/common.hpp"
#include "caffe/net.hpp"
#include "caffe/sgd_solvers.hpp"
#include "caffe/solver.hpp"
#include "caffe/util/benchmark.hpp"
#include "caffe/util/blas_threads.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/signal_handler.hpp"
#include "caffe/util/upgrade_proto.hpp"
#ifdef CAFFE_WITH_PYTHON
#include "caffe/layers/python_layer.hpp"
#include "caffe/util/io.hpp"
#endif

DEFINE_string(gpu, "", "Not supported: this build runs on the CPU only.");
DEFINE_string(solver, "", "The solver definition protocol buffer text file.");
DEFINE_string(model, "", "The model definition protocol buffer text file.");
DEFINE_string(phase, "", "Optional; network phase (TRAIN or TEST). Only used for 'time'.");
DEFINE_int32(level, 0, "Optional; network level.");
DEFINE_string(stage, "", "Optional; network stages (not to be confused with phase), "
              "separated by ','.");
DEFINE_string(snapshot, "", "Optional; the snapshot solver state to resume training.");
DEFINE_string(weights, "", "Optional; the pretrained weights to initialize finetuning, "
              "separated by ','. Cannot be set simultaneously with snapshot.");
DEFINE_int32(iterations, 50, "The number of iterations to run.");
DEFINE_string(sigint_effect, "stop", "Optional; action to take when a SIGINT signal is "
              "received: snapshot, stop or none.");
DEFINE_string(layer, "", "Optional; for 'augment_preview', the data layer to preview "
              "(default: the first layer with an augmentation_param).");
DEFINE_int32(records, 4, "For 'augment_preview': how many records (database records, list lines) to show "
             "(a TripletData layer shows one row per slot).");
DEFINE_int32(samples, 6, "For 'augment_preview': augmented versions per record.");
DEFINE_string(output, "augment_preview.png", "For 'augment_preview': the PNG to write.");
DEFINE_double(zoom, 1, "For 'augment_preview': magnification of every cell (e.g. 4 for "
              "28-pixel images).");
DEFINE_bool(captions, false, "For 'augment_preview': write the policy ops that fired and "
            "the sampled values under each cell.");
DEFINE_int64(max_image_pixels, caffe::MaxImagePixels(),
             "Refuse images with more pixels than this (decompression bombs)");
DEFINE_int32(blas_threads, 0, "Optional; threads for OpenBLAS matrix products and oneDNN "
             "layers (0: keep the default, CAFFE_BLAS_THREADS or half the cores, at most 4).");
DEFINE_string(sighup_effect, "snapshot", "Optional; action to take when a SIGHUP signal is "
              "received: snapshot, stop or none.");

namespace {

using caffe::ConfigError;
using caffe::Net;
using caffe::string;
using caffe::vector;

vector<string> SplitList(const string& text) {
  vector<string> items;
  std::stringstream stream(text);
  string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

void RequireCpu() {
  CAFFE_REQUIRE(FLAGS_gpu.empty(), ConfigError, "-gpu ", FLAGS_gpu,
                " was given, but this build of caffe is CPU-only");
  if (FLAGS_blas_threads != 0) caffe::SetBlasThreads(FLAGS_blas_threads);
  LOG(INFO) << "Use CPU.";
}

// Estimates the time left in `caffe train`: after each displayed iteration
// it logs how far training is and when it should end, from the average
// speed since this run started (testing and snapshots included).
class ProgressReporter {
 public:
  explicit ProgressReporter(caffe::Solver<float>* solver) : solver_(solver) {}

  // At the start of every iteration; the first one starts the clock.
  void OnStart() {
    if (started_) return;
    started_ = true;
    start_iter_ = solver_->iter();
    clock_.Start();
  }

  // After every iteration's update, once iter() has advanced.
  void OnIterationDone() {
    const caffe::SolverParameter& param = solver_->param();
    const int done_iter = solver_->iter() - 1;
    if (!param.display() || done_iter % param.display() != 0) return;
    const int done = solver_->iter() - start_iter_;
    const double seconds = clock_.Seconds();
    if (done <= 0 || seconds <= 0) return;
    const double per_second = done / seconds;
    const int remaining = std::max(0, param.max_iter() - solver_->iter());
    const double percent = param.max_iter() > 0 ? 100.0 * solver_->iter() / param.max_iter() : 0;
    LOG(INFO) << "Progress: " << solver_->iter() << "/" << param.max_iter() << " iterations ("
              << std::fixed << std::setprecision(1) << percent << "%), "
              << std::setprecision(2) << per_second << " iter/s, ETA "
              << FormatDuration(remaining / per_second) << std::defaultfloat;
  }

  // H:MM:SS, rounded to the second.
  static string FormatDuration(double seconds) {
    const long total = static_cast<long>(seconds + 0.5);
    std::ostringstream text;
    text << total / 3600 << ":" << std::setw(2) << std::setfill('0') << (total / 60) % 60 << ":"
         << std::setw(2) << std::setfill('0') << total % 60;
    return text.str();
  }

 private:
  caffe::Solver<float>* solver_;
  bool started_ = false;
  int start_iter_ = 0;
  caffe::Timer clock_;
};

// Python layer modules are found on PYTHONPATH and next to the prototxt
// files that use them; the interpreter only starts if a Python layer exists.
void AddPythonLayerDirectories(const vector<string>& files) {
#ifdef CAFFE_WITH_PYTHON
  for (const string& file : files) {
    if (!file.empty()) caffe::AddPythonModuleDirectory(caffe::DirName(file));
  }
#endif
}

caffe::Phase PhaseFromFlags(caffe::Phase default_phase) {
  if (FLAGS_phase.empty()) return default_phase;
  if (FLAGS_phase == "TRAIN") return caffe::TRAIN;
  if (FLAGS_phase == "TEST") return caffe::TEST;
  CAFFE_THROW(ConfigError, "-phase must be TRAIN or TEST, got '", FLAGS_phase, "'");
}

// Training that stops on bad data (a damaged record, a database that cannot
// be read) keeps the iterations done since the last snapshot: the weights and
// solver state are those of the last completed iteration, because a failing
// iteration stops before its update.
void SnapshotAfterDataError(caffe::Solver<float>* solver) {
  const caffe::SolverParameter& param = solver->param();
  const int iter = solver->iter();
  const bool already_saved = param.snapshot() > 0 && iter % param.snapshot() == 0;
  if (iter == 0 || already_saved) {
    LOG(ERROR) << "Training stopped on a data error at iteration " << iter
               << (iter == 0 ? "; nothing to snapshot" : "; its snapshot is already written");
    return;
  }
  LOG(ERROR) << "Training stopped on a data error at iteration " << iter
             << "; snapshotting the last completed iteration (" << iter << ") before exiting";
  try {
    solver->Snapshot();
  } catch (const std::exception& snapshot_error) {
    LOG(ERROR) << "The snapshot failed too: " << snapshot_error.what();
  }
}

int Train() {
  CAFFE_REQUIRE(!FLAGS_solver.empty(), ConfigError, "need a solver definition to train (-solver)");
  CAFFE_REQUIRE(FLAGS_snapshot.empty() || FLAGS_weights.empty(), ConfigError,
                "give -snapshot to resume training or -weights to finetune, not both");
  caffe::SolverParameter solver_param;
  caffe::ReadSolverParamsFromTextFile(FLAGS_solver, &solver_param);
  solver_param.mutable_train_state()->set_level(FLAGS_level);
  for (const string& stage : SplitList(FLAGS_stage)) {
    solver_param.mutable_train_state()->add_stage(stage);
  }
  // Weights named on the command line replace those named in the solver;
  // resuming from a snapshot uses the snapshot's weights instead.
  if (!FLAGS_snapshot.empty()) {
    solver_param.clear_weights();
  } else if (!FLAGS_weights.empty()) {
    solver_param.clear_weights();
    solver_param.add_weights(FLAGS_weights);
  }
  RequireCpu();
  vector<string> net_files = {FLAGS_solver, solver_param.net(), solver_param.train_net()};
  net_files.insert(net_files.end(), solver_param.test_net().begin(), solver_param.test_net().end());
  AddPythonLayerDirectories(net_files);

  caffe::SignalHandler signal_handler(caffe::SignalHandler::ParseEffect(FLAGS_sigint_effect),
                                      caffe::SignalHandler::ParseEffect(FLAGS_sighup_effect));
  const auto solver = caffe::SolverRegistry<float>::CreateSolver(solver_param);
  solver->SetActionFunction(signal_handler.GetActionFunction());
  ProgressReporter progress(solver.get());
  solver->add_callback([&progress] { progress.OnStart(); }, nullptr);
  solver->add_iteration_callback([&progress] { progress.OnIterationDone(); });
  LOG(INFO) << "Starting Optimization";
  try {
    if (!FLAGS_snapshot.empty()) {
      LOG(INFO) << "Resuming from " << FLAGS_snapshot;
      solver->Solve(FLAGS_snapshot);
    } else {
      solver->Solve();
    }
  } catch (const caffe::DataError&) {
    SnapshotAfterDataError(solver.get());
    throw;
  } catch (const caffe::IOError&) {
    SnapshotAfterDataError(solver.get());
    throw;
  }
  LOG(INFO) << "Optimization Done.";
  return 0;
}

int Test() {
  CAFFE_REQUIRE(!FLAGS_model.empty(), ConfigError, "need a model definition to score (-model)");
  CAFFE_REQUIRE(!FLAGS_weights.empty(), ConfigError, "need model weights to score (-weights)");
  RequireCpu();
  AddPythonLayerDirectories({FLAGS_model});
  const vector<string> stages = SplitList(FLAGS_stage);
  Net<float> net(FLAGS_model, caffe::TEST, FLAGS_level, &stages);
  for (const string& weights : SplitList(FLAGS_weights)) net.CopyTrainedLayersFrom(weights);
  LOG(INFO) << "Running for " << FLAGS_iterations << " iterations.";
  vector<int> score_output_ids;
  vector<float> scores;
  float loss = 0;
  for (int i = 0; i < FLAGS_iterations; ++i) {
    float iter_loss;
    const auto& result = net.Forward(&iter_loss);
    loss += iter_loss;
    size_t index = 0;
    for (size_t j = 0; j < result.size(); ++j) {
      const float* values = result[j]->cpu_data();
      const string& name = net.blob_names()[net.output_blob_indices()[j]];
      for (int k = 0; k < result[j]->count(); ++k, ++index) {
        if (i == 0) {
          scores.push_back(values[k]);
          score_output_ids.push_back(j);
        } else {
          scores[index] += values[k];
        }
        LOG(INFO) << "Batch " << i << ", " << name << " = " << values[k];
      }
    }
  }
  LOG(INFO) << "Loss: " << loss / FLAGS_iterations;
  for (size_t i = 0; i < scores.size(); ++i) {
    const int blob_id = net.output_blob_indices()[score_output_ids[i]];
    const float weight = net.blob_loss_weights()[blob_id];
    const float mean_score = scores[i] / FLAGS_iterations;
    std::ostringstream loss_message;
    if (weight) loss_message << " (* " << weight << " = " << weight * mean_score << " loss)";
    LOG(INFO) << net.blob_names()[blob_id] << " = " << mean_score << loss_message.str();
  }
  return 0;
}

int Time() {
  CAFFE_REQUIRE(!FLAGS_model.empty(), ConfigError, "need a model definition to time (-model)");
  RequireCpu();
  AddPythonLayerDirectories({FLAGS_model});
  const vector<string> stages = SplitList(FLAGS_stage);
  Net<float> net(FLAGS_model, PhaseFromFlags(caffe::TRAIN), FLAGS_level, &stages);
  LOG(INFO) << "Performing Forward";
  float initial_loss;
  net.Forward(&initial_loss);
  LOG(INFO) << "Initial loss: " << initial_loss;
  LOG(INFO) << "Performing Backward";
  net.Backward();

  const auto& layers = net.layers();
  const size_t num_layers = layers.size();
  vector<double> forward_ms(num_layers, 0), backward_ms(num_layers, 0);
  double forward_total = 0, backward_total = 0;
  LOG(INFO) << "*** Benchmark begins ***";
  LOG(INFO) << "Testing for " << FLAGS_iterations << " iterations.";
  caffe::Timer total_timer;
  for (int j = 0; j < FLAGS_iterations; ++j) {
    caffe::Timer iter_timer, pass_timer, layer_timer;
    for (size_t i = 0; i < num_layers; ++i) {
      layer_timer.Start();
      layers[i]->Forward(net.bottom_vecs()[i], net.top_vecs()[i]);
      forward_ms[i] += layer_timer.MilliSeconds();
    }
    forward_total += pass_timer.MilliSeconds();
    pass_timer.Start();
    for (size_t i = num_layers; i-- > 0;) {
      layer_timer.Start();
      layers[i]->Backward(net.top_vecs()[i], net.bottom_need_backward()[i], net.bottom_vecs()[i]);
      backward_ms[i] += layer_timer.MilliSeconds();
    }
    backward_total += pass_timer.MilliSeconds();
    LOG(INFO) << "Iteration: " << j + 1 << " forward-backward time: " << iter_timer.MilliSeconds()
              << " ms.";
  }
  const double total_ms = total_timer.MilliSeconds();
  LOG(INFO) << "Average time per layer: ";
  for (size_t i = 0; i < num_layers; ++i) {
    LOG(INFO) << std::setfill(' ') << std::setw(10) << net.layer_names()[i]
              << "\tforward: " << forward_ms[i] / FLAGS_iterations << " ms.";
    LOG(INFO) << std::setfill(' ') << std::setw(10) << net.layer_names()[i]
              << "\tbackward: " << backward_ms[i] / FLAGS_iterations << " ms.";
  }
  LOG(INFO) << "Average Forward pass: " << forward_total / FLAGS_iterations << " ms.";
  LOG(INFO) << "Average Backward pass: " << backward_total / FLAGS_iterations << " ms.";
  LOG(INFO) << "Average Forward-Backward: " << total_ms / FLAGS_iterations << " ms.";
  LOG(INFO) << "Total Time: " << total_ms << " ms.";
  LOG(INFO) << "*** Benchmark ends ***";
  return 0;
}

// Renders the first records of a data layer's database (Data or
// TripletData: one row per record and slot) under its augmentation_param,
// as the data threads would in TRAIN during the first epochs (one column
// per epoch).
int AugmentPreview() {
  CAFFE_REQUIRE(!FLAGS_model.empty(), ConfigError, "need a net definition (-model)");
  caffe::NetParameter net_param;
  caffe::ReadNetParamsFromTextFile(FLAGS_model, &net_param);
  caffe::augment::LayerPreviewOptions options;
  options.layer = FLAGS_layer;
  options.model = FLAGS_model;
  options.records = FLAGS_records;
  options.samples = FLAGS_samples;
  options.zoom = FLAGS_zoom;
  options.captions = FLAGS_captions;
  caffe::augment::WriteLayerPreview(net_param, options, FLAGS_output);
  LOG(INFO) << "Wrote " << FLAGS_records << " records x " << FLAGS_samples
            << " augmented samples to " << FLAGS_output;
  return 0;
}

int DeviceQuery() {
  caffe::Caffe::DeviceQuery();
  return 0;
}

const std::map<string, int (*)()> kCommands = {
    {"train", &Train},           {"test", &Test},
    {"time", &Time},             {"device_query", &DeviceQuery},
    {"augment_preview", &AugmentPreview}};

}  // namespace

int main(int argc, char** argv) {
  gflags::SetVersionString(CAFFE_VERSION);
  gflags::SetUsageMessage(
      "command line brew\n"
      "usage: caffe <command> <args>\n\n"
      "commands:\n"
      "  train           train or finetune a model\n"
      "  test            score a model\n"
      "  device_query    show device diagnostic information\n"
      "  time            benchmark model execution time\n"
      "  augment_preview write a PNG grid of a data layer's augmented records");
  FLAGS_alsologtostderr = true;
  caffe::GlobalInit(&argc, &argv);
  if (argc != 2 || !kCommands.count(argv[1])) {
    gflags::ShowUsageWithFlagsRestrict(argv[0], "tools/caffe");
    return 1;
  }
  try {
    caffe::SetMaxImagePixels(FLAGS_max_image_pixels);
    return kCommands.at(argv[1])();
  } catch (const caffe::Error& error) {
    std::cerr << "caffe: error: " << error.what() << std::endl;
  } catch (const std::bad_alloc&) {
    std::cerr << "caffe: error: out of memory" << std::endl;
  } catch (const std::exception& error) {
    std::cerr << "caffe: error: " << error.what() << std::endl;
  }
  return 1;
}
