// Solver<Dtype>: drives training of a Net from a SolverParameter.
//
// It builds the train net and any test nets, then Step()s: forward/backward
// (iter_size times), logs with upstream Caffe's wording so existing log
// parsers work, applies the update rule of the concrete solver, tests every
// test_interval and snapshots every `snapshot` iterations. Snapshots are a
// .caffemodel and a .solverstate written atomically (temporary name, then
// rename). The solver owns its nets. Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "caffe/net.hpp"
#include "caffe/registry.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

// What a signal (or any other external request) asks the solver to do.
namespace SolverAction {
enum Enum { NONE = 0, STOP = 1, SNAPSHOT = 2 };
}
typedef std::function<SolverAction::Enum()> ActionCallback;

template <typename Dtype>
class Solver {
 public:
  // Throws ConfigError for settings that only one solver type reads and that
  // it cannot train with (Adam's betas, AdaGrad's momentum, ...). A solver
  // class hands its own to the base constructor, so that Init runs it with
  // the general checks, before any net is built.
  typedef void (*SettingsCheck)(const SolverParameter& param);

  explicit Solver(const SolverParameter& param, SettingsCheck type_settings_check = nullptr);
  // Reads a text solver file; net paths inside stay relative to the working
  // directory, as in upstream Caffe.
  explicit Solver(const string& param_file);
  virtual ~Solver() = default;
  DISABLE_COPY_AND_ASSIGN(Solver);

  void Init(const SolverParameter& param);
  // Polled once per iteration (and per test batch).
  void SetActionFunction(ActionCallback func) { action_request_function_ = std::move(func); }

  // Trains to max_iter, optionally restoring a .solverstate first.
  virtual void Solve(const char* resume_file = nullptr);
  void Solve(const string& resume_file) { Solve(resume_file.c_str()); }
  void Step(int iters);
  // Restores iteration, learning-rate step, history and (when named in the
  // state) the weights. Throws IOError/ParseError/ShapeError.
  void Restore(const char* resume_file);
  // Writes <prefix>_iter_<N>.caffemodel and .solverstate.
  void Snapshot();
  void TestAll();

  const SolverParameter& param() const { return param_; }
  shared_ptr<Net<Dtype>> net() { return net_; }
  const vector<shared_ptr<Net<Dtype>>>& test_nets() { return test_nets_; }
  int iter() const { return iter_; }
  void set_iter(int iter) { iter_ = iter; }
  Dtype smoothed_loss() const { return smoothed_loss_; }
  virtual const char* type() const { return ""; }

  // Called after every iteration's update (used by tests and Python).
  void add_iteration_callback(std::function<void()> callback) {
    iteration_callbacks_.push_back(std::move(callback));
  }
  // Upstream's Solver::Callback: `on_start` runs at the start of every
  // iteration (after any testing, before forward/backward), and
  // `on_gradients_ready` once the gradients are computed, before the update.
  // Either may be empty. An exception thrown by one stops the step.
  void add_callback(std::function<void()> on_start, std::function<void()> on_gradients_ready) {
    start_callbacks_.push_back(std::move(on_start));
    gradients_ready_callbacks_.push_back(std::move(on_gradients_ready));
  }

  // Updates the parameters from their current diffs with this iteration's
  // learning rate (as one Step does after backward); does not advance iter().
  virtual void ApplyUpdate() = 0;

  // Replaces the parameters that steer training from now on (learning rate
  // and policy, momentum, weight decay, display, snapshot, max_iter, ...).
  // Fields that shaped construction (nets, net states, solver type, mode,
  // device, random seed, number of test nets) must be unchanged: otherwise
  // ConfigError naming the field.
  void UpdateParam(const SolverParameter& param);

 protected:
  virtual void SnapshotSolverState(const string& model_filename) = 0;
  virtual void RestoreSolverState(const SolverState& state) = 0;

  string SnapshotFilename(const string& extension) const;
  void Test(int test_net_id);
  void UpdateSmoothedLoss(Dtype loss, int start_iter, int average_loss);
  SolverAction::Enum GetRequestedAction();

  SolverParameter param_;
  int iter_ = 0;
  int current_step_ = 0;
  shared_ptr<Net<Dtype>> net_;
  vector<shared_ptr<Net<Dtype>>> test_nets_;
  vector<Dtype> losses_;
  Dtype smoothed_loss_ = 0;
  ActionCallback action_request_function_;
  bool requested_early_exit_ = false;
  vector<std::function<void()>> iteration_callbacks_;
  vector<std::function<void()>> start_callbacks_, gradients_ready_callbacks_;

 private:
  // Throws ConfigError for settings that cannot train correctly (then runs
  // type_settings_check_).
  void CheckSettings() const;
  const SettingsCheck type_settings_check_ = nullptr;
  void InitTrainNet();
  void InitTestNets();
  // Copies the weights files named in param().weights() into `net`.
  void LoadWeights(Net<Dtype>* net) const;
};

// The solver registry (a caffe::Registry) of solver types ("SGD", "Adam", ...).
template <typename Dtype>
class SolverRegistry : public Registry<Solver<Dtype>, SolverParameter> {
 public:
  // Upgrades a legacy `solver_type` first. Throws ConfigError naming the
  // unknown type and the known ones.
  static shared_ptr<Solver<Dtype>> CreateSolver(const SolverParameter& param);
  static vector<string> SolverTypeList() { return SolverRegistry::Types(); }
};

extern template class Registry<Solver<float>, SolverParameter>;
extern template class Registry<Solver<double>, SolverParameter>;

#define REGISTER_SOLVER_CLASS(type)                                                         \
  static ::caffe::Registerer<::caffe::Solver<float>, ::caffe::SolverParameter> g_solver_f_##type( \
      #type, [](const ::caffe::SolverParameter& p) {                                        \
        return shared_ptr<::caffe::Solver<float>>(new type##Solver<float>(p));              \
      });                                                                                   \
  static ::caffe::Registerer<::caffe::Solver<double>, ::caffe::SolverParameter> g_solver_d_##type( \
      #type, [](const ::caffe::SolverParameter& p) {                                        \
        return shared_ptr<::caffe::Solver<double>>(new type##Solver<double>(p));            \
      })

}  // namespace caffe
