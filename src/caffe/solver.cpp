#include "caffe/solver.hpp"

#include <fstream>
#include <sstream>

#include "caffe/util/benchmark.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/upgrade_proto.hpp"

namespace caffe {

template <typename Dtype>
Solver<Dtype>::Solver(const SolverParameter& param, SettingsCheck type_settings_check)
    : type_settings_check_(type_settings_check) {
  Init(param);
}

template <typename Dtype>
Solver<Dtype>::Solver(const string& param_file) {
  SolverParameter param;
  ReadSolverParamsFromTextFile(param_file, &param);
  Init(param);
}

template <typename Dtype>
void Solver<Dtype>::Init(const SolverParameter& param) {
  LOG(INFO) << "Initializing solver from parameters: " << std::endl << param.DebugString();
  param_ = param;
  UpgradeSolverAsNeeded("solver parameters", &param_);
  CAFFE_REQUIRE(param_.average_loss() >= 1, ConfigError, "average_loss must be >= 1, got ",
                param_.average_loss());
  CAFFE_REQUIRE(param_.iter_size() >= 1, ConfigError, "iter_size must be >= 1, got ",
                param_.iter_size());
  CheckSettings();
  CAFFE_REQUIRE(param_.snapshot_format() == SolverParameter_SnapshotFormat_BINARYPROTO,
                ConfigError, "snapshot_format HDF5 is not supported by this build; use BINARYPROTO");
  if (param_.snapshot() > 0) {
    const string probe = SnapshotFilename(".tempfile");
    std::ofstream out(probe);
    CAFFE_REQUIRE(out.good(), IOError, "cannot write to snapshot prefix '",
                  param_.snapshot_prefix(), "': make sure the directory exists and is writable");
    out.close();
    std::remove(probe.c_str());
  }
  if (param_.random_seed() >= 0) Caffe::set_random_seed(param_.random_seed());
  InitTrainNet();
  InitTestNets();
  iter_ = 0;
  current_step_ = 0;
}

// Settings that upstream accepts and then trains wrongly (or divides by zero
// with) are refused here, before any net is built.
template <typename Dtype>
void Solver<Dtype>::CheckSettings() const {
  CheckFiniteFields(param_, "solver parameters");
  CAFFE_REQUIRE(param_.max_iter() >= 0, ConfigError, "max_iter must not be negative, got ",
                param_.max_iter());
  CAFFE_REQUIRE(param_.lr_policy() != "poly" || param_.max_iter() > 0, ConfigError,
                "lr_policy 'poly' divides by max_iter, which must then be positive");
  CAFFE_REQUIRE(param_.display() >= 0 && param_.snapshot() >= 0 && param_.test_interval() >= 0,
                ConfigError, "display, snapshot and test_interval must not be negative (got ",
                param_.display(), ", ", param_.snapshot(), ", ", param_.test_interval(), ")");
  for (int i = 0; i < param_.test_iter_size(); ++i) {
    CAFFE_REQUIRE(param_.test_iter(i) > 0, ConfigError, "test_iter[", i,
                  "] must be positive, got ", param_.test_iter(i));
  }
  for (int i = 1; i < param_.stepvalue_size(); ++i) {
    CAFFE_REQUIRE(param_.stepvalue(i) > param_.stepvalue(i - 1), ConfigError,
                  "stepvalue must increase: stepvalue[", i, "] = ", param_.stepvalue(i),
                  " follows ", param_.stepvalue(i - 1),
                  " (lr_policy 'multistep' steps through them in order)");
  }
  CAFFE_REQUIRE(param_.lr_policy() != "multistep" || param_.stepvalue_size() > 0, ConfigError,
                "lr_policy 'multistep' needs at least one stepvalue");
  if (type_settings_check_) type_settings_check_(param_);
  const int num_test_nets = param_.test_net_size() + param_.test_net_param_size();
  const bool generic_net = param_.has_net() || param_.has_net_param();
  if (param_.test_interval() > 0 && num_test_nets == 0 && param_.test_iter_size() == 0) {
    LOG(WARNING) << "test_interval is " << param_.test_interval()
                 << " but the solver has no test_iter: no test will run";
  }
  if (generic_net && param_.test_iter_size() > num_test_nets + 1 &&
      param_.test_state_size() == 0) {
    LOG(WARNING) << param_.test_iter_size() << " test_iter values make "
                 << param_.test_iter_size() - num_test_nets
                 << " identical test instances of the net (give a test_state for each to "
                    "make them differ)";
  }
}

template <typename Dtype>
void Solver<Dtype>::InitTrainNet() {
  const int num_train_nets = param_.has_net() + param_.has_net_param() +
                             param_.has_train_net() + param_.has_train_net_param();
  CAFFE_REQUIRE(num_train_nets == 1, ConfigError,
                "the solver must name exactly one train net with one of net, net_param, "
                "train_net, train_net_param (it names ", num_train_nets, ")");
  NetParameter net_param;
  if (param_.has_train_net_param()) {
    LOG(INFO) << "Creating training net specified in train_net_param.";
    net_param.CopyFrom(param_.train_net_param());
    UpgradeNetAsNeeded("train_net_param", &net_param);
  } else if (param_.has_train_net()) {
    LOG(INFO) << "Creating training net from train_net file: " << param_.train_net();
    ReadNetParamsFromTextFile(param_.train_net(), &net_param);
  } else if (param_.has_net_param()) {
    LOG(INFO) << "Creating training net specified in net_param.";
    net_param.CopyFrom(param_.net_param());
    UpgradeNetAsNeeded("net_param", &net_param);
  } else {
    LOG(INFO) << "Creating training net from net file: " << param_.net();
    ReadNetParamsFromTextFile(param_.net(), &net_param);
  }
  // Precedence: solver defaults, then the net's own state, then train_state.
  NetState state;
  state.set_phase(TRAIN);
  state.MergeFrom(net_param.state());
  state.MergeFrom(param_.train_state());
  net_param.mutable_state()->CopyFrom(state);
  net_.reset(new Net<Dtype>(net_param));
  net_->set_debug_info(param_.debug_info());
  LoadWeights(net_.get());
}

template <typename Dtype>
void Solver<Dtype>::LoadWeights(Net<Dtype>* net) const {
  for (const string& entry : param_.weights()) {
    std::stringstream files(entry);
    string file;
    while (std::getline(files, file, ',')) {
      if (file.empty()) continue;
      LOG(INFO) << "Finetuning from " << file;
      net->CopyTrainedLayersFrom(file);
    }
  }
}

template <typename Dtype>
void Solver<Dtype>::InitTestNets() {
  const int num_generic = param_.has_net() + param_.has_net_param();
  const int num_test_nets = param_.test_net_param_size() + param_.test_net_size();
  if (num_generic) {
    CAFFE_REQUIRE(param_.test_iter_size() >= num_test_nets, ConfigError,
                  "test_iter must be given for each test net");
  } else {
    CAFFE_REQUIRE(param_.test_iter_size() == num_test_nets, ConfigError,
                  "test_iter must be given for each test net (", num_test_nets,
                  " test nets, ", param_.test_iter_size(), " test_iter values)");
  }
  // With a generic net, every extra test_iter adds one more test instance of it.
  const int num_instances = num_test_nets + (num_generic ? param_.test_iter_size() - num_test_nets : 0);
  CAFFE_REQUIRE(param_.test_state_size() == 0 || param_.test_state_size() == num_instances,
                ConfigError, "test_state must be unspecified or given once per test net");
  if (num_instances) {
    CAFFE_REQUIRE(param_.test_interval() > 0, ConfigError,
                  "test_interval must be > 0 when the solver has test nets");
  }
  vector<string> sources;
  vector<NetParameter> params;
  for (const auto& p : param_.test_net_param()) {
    sources.push_back("test_net_param");
    params.push_back(p);
    UpgradeNetAsNeeded("test_net_param", &params.back());
  }
  for (const auto& file : param_.test_net()) {
    sources.push_back("test_net file: " + file);
    params.emplace_back();
    ReadNetParamsFromTextFile(file, &params.back());
  }
  while (static_cast<int>(params.size()) < num_instances) {
    params.emplace_back();
    if (param_.has_net_param()) {
      sources.push_back("net_param");
      params.back().CopyFrom(param_.net_param());
      UpgradeNetAsNeeded("net_param", &params.back());
    } else {
      sources.push_back("net file: " + param_.net());
      ReadNetParamsFromTextFile(param_.net(), &params.back());
    }
  }
  for (int i = 0; i < num_instances; ++i) {
    NetState state;
    state.set_phase(TEST);
    state.MergeFrom(params[i].state());
    if (param_.test_state_size()) state.MergeFrom(param_.test_state(i));
    params[i].mutable_state()->CopyFrom(state);
    LOG(INFO) << "Creating test net (#" << i << ") specified by " << sources[i];
    test_nets_.push_back(std::make_shared<Net<Dtype>>(params[i]));
    test_nets_.back()->set_debug_info(param_.debug_info());
    LoadWeights(test_nets_.back().get());
  }
}

template <typename Dtype>
void Solver<Dtype>::UpdateParam(const SolverParameter& param) {
  // Each of these was read once, when the nets and the solver were built.
  const auto fixed_field = [&](const google::protobuf::FieldDescriptor* field) {
    static const set<string> fixed = {
        "net", "net_param", "train_net", "test_net", "train_net_param", "test_net_param",
        "train_state", "test_state", "type", "solver_type", "solver_mode", "device_id",
        "random_seed", "weights"};
    return fixed.count(field->name()) > 0;
  };
  const google::protobuf::Descriptor* descriptor = SolverParameter::descriptor();
  const google::protobuf::Reflection* reflection = SolverParameter::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (!fixed_field(field)) continue;
    SolverParameter before, after;
    before.CopyFrom(param_);
    after.CopyFrom(param);
    // Compares this one field: clear everything else.
    for (int j = 0; j < descriptor->field_count(); ++j) {
      if (j == i) continue;
      reflection->ClearField(&before, descriptor->field(j));
      reflection->ClearField(&after, descriptor->field(j));
    }
    CAFFE_REQUIRE(before.SerializeAsString() == after.SerializeAsString(), ConfigError,
                  "solver parameter '", field->name(), "' cannot change once the solver is "
                  "built; make a new solver instead");
  }
  CAFFE_REQUIRE(param.test_iter_size() == param_.test_iter_size(), ConfigError,
                "solver parameter 'test_iter' must keep one entry per test net (",
                param_.test_iter_size(), ")");
  CAFFE_REQUIRE(param.iter_size() > 0, ConfigError, "solver parameter 'iter_size' must be "
                "positive, got ", param.iter_size());
  param_ = param;
}

template <typename Dtype>
SolverAction::Enum Solver<Dtype>::GetRequestedAction() {
  return action_request_function_ ? action_request_function_() : SolverAction::NONE;
}

template <typename Dtype>
void Solver<Dtype>::Step(int iters) {
  const int start_iter = iter_;
  const int stop_iter = iter_ + iters;
  const int average_loss = param_.average_loss();
  // A stop request belongs to the call it interrupted.
  requested_early_exit_ = false;
  losses_.clear();
  smoothed_loss_ = 0;
  Timer iteration_timer;
  int iterations_last = iter_;

  while (iter_ < stop_iter) {
    net_->ClearParamDiffs();
    if (param_.test_interval() && iter_ % param_.test_interval() == 0 &&
        (iter_ > 0 || param_.test_initialization())) {
      TestAll();
      if (requested_early_exit_) break;
    }
    for (auto& callback : start_callbacks_) {
      if (callback) callback();
    }
    const bool display = param_.display() && iter_ % param_.display() == 0;
    net_->set_debug_info(display && param_.debug_info());
    Dtype loss = 0;
    for (int i = 0; i < param_.iter_size(); ++i) loss += net_->ForwardBackward();
    loss /= param_.iter_size();
    UpdateSmoothedLoss(loss, start_iter, average_loss);
    if (display) {
      const double lapse = iteration_timer.Seconds();
      const double per_s = (iter_ - iterations_last) / (lapse > 0 ? lapse : 1);
      LOG(INFO) << "Iteration " << iter_ << " (" << per_s << " iter/s, " << lapse << "s/"
                << param_.display() << " iters), loss = " << smoothed_loss_;
      iteration_timer.Start();
      iterations_last = iter_;
      const auto& outputs = net_->output_blobs();
      int score_index = 0;
      for (size_t j = 0; j < outputs.size(); ++j) {
        const int blob_id = net_->output_blob_indices()[j];
        const string& name = net_->blob_names()[blob_id];
        const Dtype weight = net_->blob_loss_weights()[blob_id];
        const Dtype* values = outputs[j]->cpu_data();
        for (int k = 0; k < outputs[j]->count(); ++k) {
          std::ostringstream loss_message;
          if (weight) loss_message << " (* " << weight << " = " << weight * values[k] << " loss)";
          LOG(INFO) << "    Train net output #" << score_index++ << ": " << name << " = "
                    << values[k] << loss_message.str();
        }
      }
    }
    for (auto& callback : gradients_ready_callbacks_) {
      if (callback) callback();
    }
    ApplyUpdate();
    ++iter_;
    for (auto& callback : iteration_callbacks_) callback();

    const SolverAction::Enum request = GetRequestedAction();
    if ((param_.snapshot() && iter_ % param_.snapshot() == 0) ||
        request == SolverAction::SNAPSHOT) {
      Snapshot();
    }
    if (request == SolverAction::STOP) {
      requested_early_exit_ = true;
      break;
    }
  }
}

template <typename Dtype>
void Solver<Dtype>::Solve(const char* resume_file) {
  LOG(INFO) << "Solving " << net_->name();
  LOG(INFO) << "Learning Rate Policy: " << param_.lr_policy();
  requested_early_exit_ = false;
  if (resume_file && *resume_file) {
    LOG(INFO) << "Restoring previous solver status from " << resume_file;
    Restore(resume_file);
  }
  const int start_iter = iter_;
  Step(param_.max_iter() - iter_);
  if (param_.snapshot_after_train() && (!param_.snapshot() || iter_ % param_.snapshot() != 0)) {
    Snapshot();
  }
  if (requested_early_exit_) {
    LOG(INFO) << "Optimization stopped early.";
    return;
  }
  // One more forward pass so the final loss is logged, as upstream does.
  if (param_.display() && iter_ % param_.display() == 0) {
    Dtype loss;
    net_->Forward(&loss);
    UpdateSmoothedLoss(loss, start_iter, param_.average_loss());
    LOG(INFO) << "Iteration " << iter_ << ", loss = " << smoothed_loss_;
  }
  if (param_.test_interval() && iter_ % param_.test_interval() == 0) TestAll();
  LOG(INFO) << "Optimization Done.";
}

template <typename Dtype>
void Solver<Dtype>::TestAll() {
  for (size_t id = 0; id < test_nets_.size() && !requested_early_exit_; ++id) Test(id);
}

template <typename Dtype>
void Solver<Dtype>::Test(int test_net_id) {
  LOG(INFO) << "Iteration " << iter_ << ", Testing net (#" << test_net_id << ")";
  Net<Dtype>& test_net = *test_nets_[test_net_id];
  test_net.ShareTrainedLayersWith(net_.get());
  vector<Dtype> scores;
  vector<int> score_output_ids;
  Dtype loss = 0;
  const int test_iter = param_.test_iter(test_net_id);
  for (int i = 0; i < test_iter; ++i) {
    for (auto request = GetRequestedAction(); request != SolverAction::NONE;
         request = GetRequestedAction()) {
      if (request == SolverAction::SNAPSHOT) Snapshot();
      if (request == SolverAction::STOP) requested_early_exit_ = true;
    }
    if (requested_early_exit_) break;
    Dtype iter_loss;
    const auto& result = test_net.Forward(&iter_loss);
    if (param_.test_compute_loss()) loss += iter_loss;
    size_t index = 0;
    for (size_t j = 0; j < result.size(); ++j) {
      const Dtype* values = result[j]->cpu_data();
      for (int k = 0; k < result[j]->count(); ++k, ++index) {
        if (i == 0) {
          scores.push_back(values[k]);
          score_output_ids.push_back(j);
        } else {
          scores[index] += values[k];
        }
      }
    }
  }
  if (requested_early_exit_) {
    LOG(INFO) << "Test interrupted.";
    return;
  }
  if (param_.test_compute_loss()) LOG(INFO) << "Test loss: " << loss / test_iter;
  for (size_t i = 0; i < scores.size(); ++i) {
    const int blob_id = test_net.output_blob_indices()[score_output_ids[i]];
    const string& name = test_net.blob_names()[blob_id];
    const Dtype weight = test_net.blob_loss_weights()[blob_id];
    const Dtype mean_score = scores[i] / test_iter;
    std::ostringstream loss_message;
    if (weight) loss_message << " (* " << weight << " = " << weight * mean_score << " loss)";
    LOG(INFO) << "    Test net output #" << i << ": " << name << " = " << mean_score
              << loss_message.str();
  }
}

template <typename Dtype>
void Solver<Dtype>::UpdateSmoothedLoss(Dtype loss, int start_iter, int average_loss) {
  if (static_cast<int>(losses_.size()) < average_loss) {
    losses_.push_back(loss);
    const int size = static_cast<int>(losses_.size());
    smoothed_loss_ = (smoothed_loss_ * (size - 1) + loss) / size;
  } else {
    const int index = (iter_ - start_iter) % average_loss;
    smoothed_loss_ += (loss - losses_[index]) / average_loss;
    losses_[index] = loss;
  }
}

template <typename Dtype>
string Solver<Dtype>::SnapshotFilename(const string& extension) const {
  return param_.snapshot_prefix() + "_iter_" + std::to_string(iter_) + extension;
}

template <typename Dtype>
void Solver<Dtype>::Snapshot() {
  const string model_filename = SnapshotFilename(".caffemodel");
  LOG(INFO) << "Snapshotting to binary proto file " << model_filename;
  NetParameter net_param;
  net_->ToProto(&net_param, param_.snapshot_diff());
  WriteProtoToBinaryFile(net_param, model_filename);
  SnapshotSolverState(model_filename);
}

template <typename Dtype>
void Solver<Dtype>::Restore(const char* state_file) {
  const string filename(state_file);
  CAFFE_REQUIRE(filename.size() < 3 || filename.compare(filename.size() - 3, 3, ".h5") != 0,
                ConfigError, "cannot restore '", filename, "': HDF5 solver states are not supported");
  SolverState state;
  ReadProtoFromBinaryFile(filename, &state);
  iter_ = state.iter();
  if (state.has_learned_net()) {
    // The state names its weights relative to the directory training ran in;
    // fall back to the state file's own directory when resuming elsewhere.
    string learned = state.learned_net();
    if (!FileExists(learned)) {
      const string beside = JoinPath(DirName(filename), learned.substr(learned.find_last_of('/') + 1));
      if (FileExists(beside)) learned = beside;
    }
    net_->CopyTrainedLayersFrom(learned);
  }
  current_step_ = state.current_step();
  try {
    RestoreSolverState(state);
  } catch (const Error& error) {
    RethrowWithContext(error, filename + ": ");
  }
  // Unlike upstream, which restarts every data layer at its first record,
  // move the data on to where the interrupted run was.
  net_->SkipForwardPasses(static_cast<int64_t>(iter_) * param_.iter_size());
  int64_t tests_run = 0;
  for (int t = 0; param_.test_interval() > 0 && t < iter_; t += param_.test_interval()) {
    if (t > 0 || param_.test_initialization()) ++tests_run;
  }
  for (size_t i = 0; i < test_nets_.size(); ++i) {
    test_nets_[i]->SkipForwardPasses(tests_run * param_.test_iter(i));
  }
}

template <typename Dtype>
shared_ptr<Solver<Dtype>> SolverRegistry<Dtype>::CreateSolver(const SolverParameter& in_param) {
  SolverParameter param = in_param;
  UpgradeSolverAsNeeded("solver parameters", &param);
  return SolverRegistry::Create(param.type(), param, "the solver");
}

INSTANTIATE_CLASS(Solver);
template class Registry<Solver<float>, SolverParameter>;
template class Registry<Solver<double>, SolverParameter>;
template class SolverRegistry<float>;
template class SolverRegistry<double>;

}  // namespace caffe
