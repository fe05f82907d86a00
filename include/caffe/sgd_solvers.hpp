// The gradient-descent solvers, with upstream Caffe's update rules and
// learning-rate policies: SGD (momentum), Nesterov, AdaGrad, RMSProp,
// AdaDelta and Adam. Each keeps one history blob per learnable parameter
// (AdaDelta and Adam keep two, the second set after the first, which is the
// order upstream writes them to .solverstate).
#pragma once

#include <string>
#include <vector>

#include "caffe/solver.hpp"

namespace caffe {

template <typename Dtype>
class SGDSolver : public Solver<Dtype> {
 public:
  explicit SGDSolver(const SolverParameter& param,
                     typename Solver<Dtype>::SettingsCheck type_settings_check = nullptr)
      : Solver<Dtype>(param, type_settings_check) {
    PreSolve();
  }
  const char* type() const override { return "SGD"; }
  const vector<shared_ptr<Blob<Dtype>>>& history() const { return history_; }
  // The learning rate for the current iteration under param().lr_policy().
  Dtype GetLearningRate();
  void ApplyUpdate() override;

 protected:
  void PreSolve();
  // Divides the accumulated gradient by iter_size.
  void Normalize(int param_id);
  // Adds the weight-decay term (L2 or L1) to the gradient.
  void Regularize(int param_id);
  virtual void ComputeUpdateValue(int param_id, Dtype rate);
  void ClipGradients();
  void SnapshotSolverState(const string& model_filename) override;
  void RestoreSolverState(const SolverState& state) override;

  vector<shared_ptr<Blob<Dtype>>> history_, update_, temp_;
};

template <typename Dtype>
class NesterovSolver : public SGDSolver<Dtype> {
 public:
  explicit NesterovSolver(const SolverParameter& param) : SGDSolver<Dtype>(param) {}
  const char* type() const override { return "Nesterov"; }

 protected:
  void ComputeUpdateValue(int param_id, Dtype rate) override;
};

template <typename Dtype>
class AdaGradSolver : public SGDSolver<Dtype> {
 public:
  explicit AdaGradSolver(const SolverParameter& param);
  const char* type() const override { return "AdaGrad"; }

 protected:
  void ComputeUpdateValue(int param_id, Dtype rate) override;
};

template <typename Dtype>
class RMSPropSolver : public SGDSolver<Dtype> {
 public:
  explicit RMSPropSolver(const SolverParameter& param);
  const char* type() const override { return "RMSProp"; }

 protected:
  void ComputeUpdateValue(int param_id, Dtype rate) override;
};

template <typename Dtype>
class AdaDeltaSolver : public SGDSolver<Dtype> {
 public:
  explicit AdaDeltaSolver(const SolverParameter& param);
  const char* type() const override { return "AdaDelta"; }

 protected:
  void ComputeUpdateValue(int param_id, Dtype rate) override;
};

template <typename Dtype>
class AdamSolver : public SGDSolver<Dtype> {
 public:
  explicit AdamSolver(const SolverParameter& param);
  const char* type() const override { return "Adam"; }

 protected:
  void ComputeUpdateValue(int param_id, Dtype rate) override;
};

}  // namespace caffe
