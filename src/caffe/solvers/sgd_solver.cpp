#include <cmath>

#include "caffe/sgd_solvers.hpp"
#include "caffe/util/io.hpp"

namespace caffe {

namespace {

// The settings each adaptive solver reads, checked before any net is built
// (see Solver::SettingsCheck).
void CheckDelta(const SolverParameter& param, const char* type) {
  CAFFE_REQUIRE(param.delta() > 0, ConfigError, type, " needs delta > 0, got ", param.delta());
}

void CheckNoMomentum(const SolverParameter& param, const char* type) {
  CAFFE_REQUIRE(param.momentum() == 0, ConfigError, "momentum cannot be used with ", type,
                " (got ", param.momentum(), ")");
}

void CheckAdaGradSettings(const SolverParameter& param) {
  CheckNoMomentum(param, "AdaGrad");
  CheckDelta(param, "AdaGrad");
}

void CheckRMSPropSettings(const SolverParameter& param) {
  CheckNoMomentum(param, "RMSProp");
  CAFFE_REQUIRE(param.rms_decay() >= 0 && param.rms_decay() < 1, ConfigError,
                "rms_decay must be in [0, 1), got ", param.rms_decay());
  CheckDelta(param, "RMSProp");
}

void CheckAdaDeltaSettings(const SolverParameter& param) { CheckDelta(param, "AdaDelta"); }

void CheckAdamSettings(const SolverParameter& param) {
  CAFFE_REQUIRE(param.momentum() >= 0 && param.momentum() < 1, ConfigError,
                "Adam needs 0 <= momentum (beta1) < 1, got ", param.momentum());
  CAFFE_REQUIRE(param.momentum2() >= 0 && param.momentum2() < 1, ConfigError,
                "Adam needs 0 <= momentum2 (beta2) < 1, got ", param.momentum2(),
                " (with 1 its bias correction divides by zero)");
  CheckDelta(param, "Adam");
}

}  // namespace

template <typename Dtype>
Dtype SGDSolver<Dtype>::GetLearningRate() {
  const SolverParameter& p = this->param_;
  const string& policy = p.lr_policy();
  const int iter = this->iter_;
  if (policy == "fixed") return p.base_lr();
  if (policy == "step") {
    CAFFE_REQUIRE(p.stepsize() > 0, ConfigError, "lr_policy 'step' needs stepsize > 0");
    this->current_step_ = iter / p.stepsize();
    return p.base_lr() * std::pow(p.gamma(), this->current_step_);
  }
  if (policy == "exp") return p.base_lr() * std::pow(p.gamma(), iter);
  if (policy == "inv") return p.base_lr() * std::pow(Dtype(1) + p.gamma() * iter, -p.power());
  if (policy == "multistep") {
    if (this->current_step_ < p.stepvalue_size() && iter >= p.stepvalue(this->current_step_)) {
      ++this->current_step_;
      LOG(INFO) << "MultiStep Status: Iteration " << iter << ", step = " << this->current_step_;
    }
    return p.base_lr() * std::pow(p.gamma(), this->current_step_);
  }
  if (policy == "poly") {
    return p.base_lr() * std::pow(Dtype(1) - Dtype(iter) / Dtype(p.max_iter()), p.power());
  }
  if (policy == "sigmoid") {
    return p.base_lr() * (Dtype(1) / (Dtype(1) + std::exp(-p.gamma() * (Dtype(iter) -
                                                                        Dtype(p.stepsize())))));
  }
  CAFFE_THROW(ConfigError, "unknown lr_policy '", policy,
              "' (known: fixed, step, exp, inv, multistep, poly, sigmoid)");
}

template <typename Dtype>
void SGDSolver<Dtype>::PreSolve() {
  for (Blob<Dtype>* param : this->net_->learnable_params()) {
    history_.push_back(std::make_shared<Blob<Dtype>>(param->shape()));
    update_.push_back(std::make_shared<Blob<Dtype>>(param->shape()));
    temp_.push_back(std::make_shared<Blob<Dtype>>(param->shape()));
  }
}

template <typename Dtype>
void SGDSolver<Dtype>::ClipGradients() {
  const Dtype clip = this->param_.clip_gradients();
  if (clip < 0) return;
  Dtype sumsq = 0;
  for (Blob<Dtype>* param : this->net_->learnable_params()) sumsq += param->sumsq_diff();
  const Dtype norm = std::sqrt(sumsq);
  if (norm <= clip) return;
  const Dtype scale = clip / norm;
  LOG(INFO) << "Gradient clipping: scaling down gradients (L2 norm " << norm << " > " << clip
            << ") by scale factor " << scale;
  for (Blob<Dtype>* param : this->net_->learnable_params()) param->scale_diff(scale);
}

template <typename Dtype>
void SGDSolver<Dtype>::ApplyUpdate() {
  const Dtype rate = GetLearningRate();
  if (this->param_.display() && this->iter_ % this->param_.display() == 0) {
    LOG(INFO) << "Iteration " << this->iter_ << ", lr = " << rate;
  }
  ClipGradients();
  for (size_t id = 0; id < this->net_->learnable_params().size(); ++id) {
    Normalize(id);
    Regularize(id);
    ComputeUpdateValue(id, rate);
  }
  this->net_->Update();
}

template <typename Dtype>
void SGDSolver<Dtype>::Normalize(int param_id) {
  if (this->param_.iter_size() == 1) return;
  this->net_->learnable_params()[param_id]->scale_diff(Dtype(1) / this->param_.iter_size());
}

template <typename Dtype>
void SGDSolver<Dtype>::Regularize(int param_id) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const Dtype decay = this->param_.weight_decay() * this->net_->params_weight_decay()[param_id];
  if (!decay) return;
  const string& type = this->param_.regularization_type();
  if (type == "L2") {
    caffe_axpy(param->count(), decay, param->cpu_data(), param->mutable_cpu_diff());
  } else if (type == "L1") {
    Dtype* sign = temp_[param_id]->mutable_cpu_data();
    caffe_cpu_sign(param->count(), param->cpu_data(), sign);
    caffe_axpy(param->count(), decay, sign, param->mutable_cpu_diff());
  } else {
    CAFFE_THROW(ConfigError, "unknown regularization_type '", type, "' (known: L1, L2)");
  }
}

template <typename Dtype>
void SGDSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype momentum = this->param_.momentum();
  Dtype* history = history_[param_id]->mutable_cpu_data();
  caffe_cpu_axpby(param->count(), local_rate, param->cpu_diff(), momentum, history);
  caffe_copy(param->count(), history, param->mutable_cpu_diff());
}

template <typename Dtype>
void SGDSolver<Dtype>::SnapshotSolverState(const string& model_filename) {
  SolverState state;
  state.set_iter(this->iter_);
  state.set_learned_net(model_filename);
  state.set_current_step(this->current_step_);
  for (const auto& blob : history_) blob->ToProto(state.add_history());
  const string filename = this->SnapshotFilename(".solverstate");
  LOG(INFO) << "Snapshotting solver state to binary proto file " << filename;
  WriteProtoToBinaryFile(state, filename);
}

template <typename Dtype>
void SGDSolver<Dtype>::RestoreSolverState(const SolverState& state) {
  CAFFE_REQUIRE(state.history_size() == static_cast<int>(history_.size()), ConfigError,
                "the solver state has ", state.history_size(), " history blobs, but this ",
                this->type(), " solver on this net needs ", history_.size());
  LOG(INFO) << "SGDSolver: restoring history";
  // History blob i belongs to the i-th param that owns its blob.
  vector<int> owners;
  for (size_t k = 0; k < this->net_->param_owners().size(); ++k) {
    if (this->net_->param_owners()[k] < 0) owners.push_back(static_cast<int>(k));
  }
  for (size_t i = 0; i < history_.size(); ++i) {
    try {
      history_[i]->FromProto(state.history(i), false);
    } catch (const Error& error) {
      const int k = i < owners.size() ? owners[i] : 0;
      const int layer_id = this->net_->param_layer_indices()[k].first;
      RethrowWithContext(error, internal::Concat(
          "history blob ", i, " (param ", this->net_->param_display_names()[k], " of layer '",
          this->net_->layer_names()[layer_id], "'): "));
    }
  }
}

template <typename Dtype>
void NesterovSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const int n = param->count();
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype momentum = this->param_.momentum();
  Dtype* history = this->history_[param_id]->mutable_cpu_data();
  Dtype* previous = this->update_[param_id]->mutable_cpu_data();
  caffe_copy(n, history, previous);
  caffe_cpu_axpby(n, local_rate, param->cpu_diff(), momentum, history);
  // step = (1 + momentum) * v_new - momentum * v_old
  caffe_cpu_axpby(n, Dtype(1) + momentum, history, -momentum, previous);
  caffe_copy(n, previous, param->mutable_cpu_diff());
}

template <typename Dtype>
AdaGradSolver<Dtype>::AdaGradSolver(const SolverParameter& param)
    : SGDSolver<Dtype>(param, &CheckAdaGradSettings) {}

template <typename Dtype>
void AdaGradSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const int n = param->count();
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype delta = this->param_.delta();
  Dtype* diff = param->mutable_cpu_diff();
  Dtype* history = this->history_[param_id]->mutable_cpu_data();
  Dtype* update = this->update_[param_id]->mutable_cpu_data();
  for (int i = 0; i < n; ++i) {
    history[i] += diff[i] * diff[i];
    update[i] = std::sqrt(history[i]) + delta;
    diff[i] = local_rate * (diff[i] / update[i]);
  }
}

template <typename Dtype>
RMSPropSolver<Dtype>::RMSPropSolver(const SolverParameter& param)
    : SGDSolver<Dtype>(param, &CheckRMSPropSettings) {}

template <typename Dtype>
void RMSPropSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const int n = param->count();
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype delta = this->param_.delta();
  const Dtype decay = this->param_.rms_decay();
  Dtype* diff = param->mutable_cpu_diff();
  Dtype* history = this->history_[param_id]->mutable_cpu_data();
  for (int i = 0; i < n; ++i) {
    history[i] = (Dtype(1) - decay) * diff[i] * diff[i] + decay * history[i];
    diff[i] = local_rate * (diff[i] / (std::sqrt(history[i]) + delta));
  }
}

template <typename Dtype>
AdaDeltaSolver<Dtype>::AdaDeltaSolver(const SolverParameter& param)
    : SGDSolver<Dtype>(param, &CheckAdaDeltaSettings) {
  // Second history set: running average of squared updates.
  for (Blob<Dtype>* p : this->net_->learnable_params()) {
    this->history_.push_back(std::make_shared<Blob<Dtype>>(p->shape()));
  }
}

template <typename Dtype>
void AdaDeltaSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const int n = param->count();
  const size_t num_params = this->net_->learnable_params().size();
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype delta = this->param_.delta();
  const Dtype momentum = this->param_.momentum();
  Dtype* diff = param->mutable_cpu_diff();
  Dtype* grad_history = this->history_[param_id]->mutable_cpu_data();
  Dtype* update_history = this->history_[param_id + num_params]->mutable_cpu_data();
  for (int i = 0; i < n; ++i) {
    grad_history[i] = (Dtype(1) - momentum) * diff[i] * diff[i] + momentum * grad_history[i];
    const Dtype step =
        diff[i] * std::sqrt((update_history[i] + delta) / (grad_history[i] + delta));
    update_history[i] = (Dtype(1) - momentum) * step * step + momentum * update_history[i];
    diff[i] = local_rate * step;
  }
}

template <typename Dtype>
AdamSolver<Dtype>::AdamSolver(const SolverParameter& param)
    : SGDSolver<Dtype>(param, &CheckAdamSettings) {
  // Second history set: running average of squared gradients.
  for (Blob<Dtype>* p : this->net_->learnable_params()) {
    this->history_.push_back(std::make_shared<Blob<Dtype>>(p->shape()));
  }
}

template <typename Dtype>
void AdamSolver<Dtype>::ComputeUpdateValue(int param_id, Dtype rate) {
  Blob<Dtype>* param = this->net_->learnable_params()[param_id];
  const int n = param->count();
  const size_t num_params = this->net_->learnable_params().size();
  const Dtype local_rate = rate * this->net_->params_lr()[param_id];
  const Dtype beta1 = this->param_.momentum();
  const Dtype beta2 = this->param_.momentum2();
  const Dtype eps_hat = this->param_.delta();
  const int t = this->iter_ + 1;
  const Dtype correction =
      std::sqrt(Dtype(1) - std::pow(beta2, t)) / (Dtype(1) - std::pow(beta1, t));
  Dtype* diff = param->mutable_cpu_diff();
  Dtype* m = this->history_[param_id]->mutable_cpu_data();
  Dtype* v = this->history_[param_id + num_params]->mutable_cpu_data();
  for (int i = 0; i < n; ++i) {
    m[i] = beta1 * m[i] + (Dtype(1) - beta1) * diff[i];
    v[i] = beta2 * v[i] + (Dtype(1) - beta2) * diff[i] * diff[i];
    diff[i] = (local_rate * correction) * (m[i] / (std::sqrt(v[i]) + eps_hat));
  }
}

INSTANTIATE_CLASS(SGDSolver);
INSTANTIATE_CLASS(NesterovSolver);
INSTANTIATE_CLASS(AdaGradSolver);
INSTANTIATE_CLASS(RMSPropSolver);
INSTANTIATE_CLASS(AdaDeltaSolver);
INSTANTIATE_CLASS(AdamSolver);

REGISTER_SOLVER_CLASS(SGD);
REGISTER_SOLVER_CLASS(Nesterov);
REGISTER_SOLVER_CLASS(AdaGrad);
REGISTER_SOLVER_CLASS(RMSProp);
REGISTER_SOLVER_CLASS(AdaDelta);
REGISTER_SOLVER_CLASS(Adam);

}  // namespace caffe
