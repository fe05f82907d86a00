// Every solver type against its update rule written out in double on a small
// least-squares problem; iter_size, clipping, lr policies, snapshots, bad configs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>

#include "caffe/sgd_solvers.hpp"
#include "caffe/util/io.hpp"

namespace caffe {

namespace {

// A linear least-squares problem: loss = sum_n ||W x_n - t_n||^2 / (2N).
const char* kLinearNet = R"(
  name: "linear"
  layer { name: "in" type: "Input" top: "x" top: "t"
          input_param { shape { dim: 2 dim: 3 } shape { dim: 2 dim: 2 } } }
  layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"
          inner_product_param { num_output: 2 bias_term: false } }
  layer { name: "loss" type: "EuclideanLoss" bottom: "y" bottom: "t" top: "loss" }
)";
const double kX[6] = {0.5, -1.0, 2.0, 1.5, 0.25, -0.75};
const double kT[4] = {1.0, -0.5, 0.25, 2.0};
const double kW0[6] = {0.1, -0.2, 0.3, 0.05, 0.4, -0.1};

SolverParameter BaseSolverParam(const string& type) {
  SolverParameter param;
  ReadProtoFromTextString(kLinearNet, "linear net", param.mutable_net_param());
  param.set_type(type);
  param.set_base_lr(0.1);
  param.set_lr_policy("fixed");
  param.set_max_iter(100);
  param.set_display(0);
  param.set_snapshot_after_train(false);
  param.set_random_seed(1);
  return param;
}

template <typename Dtype>
void LoadProblem(Net<Dtype>* net) {
  for (int i = 0; i < 6; ++i) net->input_blobs()[0]->mutable_cpu_data()[i] = kX[i];
  for (int i = 0; i < 4; ++i) net->input_blobs()[1]->mutable_cpu_data()[i] = kT[i];
  Blob<Dtype>* w = net->learnable_params()[0];
  for (int i = 0; i < 6; ++i) w->mutable_cpu_data()[i] = kW0[i];
}

// Gradient of the loss (plus L2 decay) at W, in double.
vector<double> Gradient(const vector<double>& w, double weight_decay) {
  vector<double> grad(6, 0.0);
  for (int n = 0; n < 2; ++n) {
    for (int o = 0; o < 2; ++o) {
      double y = 0;
      for (int i = 0; i < 3; ++i) y += w[o * 3 + i] * kX[n * 3 + i];
      const double r = y - kT[n * 2 + o];
      for (int i = 0; i < 3; ++i) grad[o * 3 + i] += r * kX[n * 3 + i] / 2;
    }
  }
  for (int i = 0; i < 6; ++i) grad[i] += weight_decay * w[i];
  return grad;
}

// Reference update rules, written from the documented formulas. `h1`/`h2`
// are the per-element history values; returns the step to subtract.
typedef std::function<double(double g, double* h1, double* h2, int t)> Rule;

vector<double> ReferenceRun(const Rule& rule, double weight_decay, int iterations) {
  vector<double> w(kW0, kW0 + 6), h1(6, 0.0), h2(6, 0.0);
  for (int t = 0; t < iterations; ++t) {
    const vector<double> g = Gradient(w, weight_decay);
    for (int i = 0; i < 6; ++i) w[i] -= rule(g[i], &h1[i], &h2[i], t);
  }
  return w;
}

template <typename Dtype>
void ExpectWeights(Solver<Dtype>* solver, const vector<double>& expected) {
  const Blob<Dtype>* w = solver->net()->learnable_params()[0];
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(w->cpu_data()[i], expected[i], 1e-5 * std::max(1.0, std::fabs(expected[i])))
        << "weight " << i;
  }
}

}  // namespace

template <typename Dtype>
class SolverTest : public ::testing::Test {
 protected:
  shared_ptr<Solver<Dtype>> Make(const SolverParameter& param) {
    const auto solver = SolverRegistry<Dtype>::CreateSolver(param);
    LoadProblem(solver->net().get());
    return solver;
  }
};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(SolverTest, Dtypes);

TYPED_TEST(SolverTest, SGDWithMomentumAndL2Decay) {
  SolverParameter param = BaseSolverParam("SGD");
  param.set_momentum(0.9);
  param.set_weight_decay(0.01);
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* v, double*, int) {
    *v = 0.9 * *v + 0.1 * g;
    return *v;
  }, 0.01, 3));
}

TYPED_TEST(SolverTest, SGDWithL1Decay) {
  SolverParameter param = BaseSolverParam("SGD");
  param.set_weight_decay(0.05);
  param.set_regularization_type("L1");
  auto solver = this->Make(param);
  solver->Step(1);
  const vector<double> g = Gradient(vector<double>(kW0, kW0 + 6), 0);
  vector<double> expected(6);
  for (int i = 0; i < 6; ++i) {
    const double sign = (kW0[i] > 0) - (kW0[i] < 0);
    expected[i] = kW0[i] - 0.1 * (g[i] + 0.05 * sign);
  }
  ExpectWeights(solver.get(), expected);
}

TYPED_TEST(SolverTest, Nesterov) {
  SolverParameter param = BaseSolverParam("Nesterov");
  param.set_momentum(0.9);
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* v, double*, int) {
    const double previous = *v;
    *v = 0.9 * *v + 0.1 * g;
    return 1.9 * *v - 0.9 * previous;
  }, 0, 3));
}

TYPED_TEST(SolverTest, AdaGrad) {
  SolverParameter param = BaseSolverParam("AdaGrad");
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* s, double*, int) {
    *s += g * g;
    return 0.1 * g / (std::sqrt(*s) + 1e-8);
  }, 0, 3));
  param.set_momentum(0.5);
  EXPECT_THROW(this->Make(param), ConfigError);
}

TYPED_TEST(SolverTest, RMSProp) {
  SolverParameter param = BaseSolverParam("RMSProp");
  param.set_rms_decay(0.95);
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* s, double*, int) {
    *s = 0.05 * g * g + 0.95 * *s;
    return 0.1 * g / (std::sqrt(*s) + 1e-8);
  }, 0, 3));
}

TYPED_TEST(SolverTest, AdaDelta) {
  SolverParameter param = BaseSolverParam("AdaDelta");
  param.set_base_lr(1.0);
  param.set_momentum(0.95);
  param.set_delta(1e-6);
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* eg, double* ex, int) {
    *eg = 0.95 * *eg + 0.05 * g * g;
    const double dx = g * std::sqrt((*ex + 1e-6) / (*eg + 1e-6));
    *ex = 0.95 * *ex + 0.05 * dx * dx;
    return dx;
  }, 0, 3));
}

TYPED_TEST(SolverTest, Adam) {
  SolverParameter param = BaseSolverParam("Adam");
  param.set_base_lr(0.01);
  param.set_momentum(0.9);
  param.set_momentum2(0.999);
  auto solver = this->Make(param);
  solver->Step(3);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double* m, double* v, int t) {
    *m = 0.9 * *m + 0.1 * g;
    *v = 0.999 * *v + 0.001 * g * g;
    const double m_hat = *m / (1 - std::pow(0.9, t + 1));
    const double v_hat = *v / (1 - std::pow(0.999, t + 1));
    // Upstream folds the bias correction into the rate, so eps is scaled too.
    return 0.01 * m_hat / (std::sqrt(v_hat) + 1e-8 * std::sqrt(1 - std::pow(0.999, t + 1)));
  }, 0, 3));
}

TYPED_TEST(SolverTest, IterSizeAveragesGradients) {
  SolverParameter param = BaseSolverParam("SGD");
  param.set_iter_size(3);
  auto solver = this->Make(param);
  solver->Step(2);
  ExpectWeights(solver.get(), ReferenceRun([](double g, double*, double*, int) {
    return 0.1 * g;
  }, 0, 2));
}

TYPED_TEST(SolverTest, ClipGradientsBoundsTheStep) {
  SolverParameter param = BaseSolverParam("SGD");
  param.set_clip_gradients(0.01);
  auto solver = this->Make(param);
  solver->Step(1);
  const vector<double> g = Gradient(vector<double>(kW0, kW0 + 6), 0);
  double norm = 0;
  for (double v : g) norm += v * v;
  norm = std::sqrt(norm);
  ASSERT_GT(norm, 0.01);
  vector<double> expected(6);
  for (int i = 0; i < 6; ++i) expected[i] = kW0[i] - 0.1 * g[i] * 0.01 / norm;
  ExpectWeights(solver.get(), expected);
}

TYPED_TEST(SolverTest, LearningRatePolicies) {
  struct Case {
    const char* policy;
    int iter;
    double expected;
  };
  const double base = 0.1, gamma = 0.5, power = 0.75;
  const Case cases[] = {
      {"fixed", 7, base},
      {"step", 7, base * std::pow(gamma, 7 / 3)},
      {"exp", 4, base * std::pow(gamma, 4)},
      {"inv", 10, base * std::pow(1 + gamma * 10, -power)},
      {"poly", 25, base * std::pow(1 - 25.0 / 100, power)},
      {"sigmoid", 5, base / (1 + std::exp(-gamma * (5 - 3)))},
  };
  for (const Case& c : cases) {
    SolverParameter param = BaseSolverParam("SGD");
    param.set_lr_policy(c.policy);
    param.set_gamma(gamma);
    param.set_power(power);
    param.set_stepsize(3);
    SGDSolver<TypeParam> solver(param);
    solver.set_iter(c.iter);
    EXPECT_NEAR(solver.GetLearningRate(), c.expected, 1e-6 * c.expected) << c.policy;
  }
  SolverParameter param = BaseSolverParam("SGD");
  param.set_lr_policy("multistep");
  param.set_gamma(gamma);
  param.add_stepvalue(2);
  param.add_stepvalue(5);
  SGDSolver<TypeParam> solver(param);
  const double expected[] = {base, base, base * gamma, base * gamma, base * gamma,
                             base * gamma * gamma};
  for (int iter = 0; iter < 6; ++iter) {
    solver.set_iter(iter);
    EXPECT_NEAR(solver.GetLearningRate(), expected[iter], 1e-7) << "multistep iter " << iter;
  }
  param.set_lr_policy("bogus");
  SGDSolver<TypeParam> bad(param);
  EXPECT_THROW(bad.GetLearningRate(), ConfigError);
}

TYPED_TEST(SolverTest, SnapshotRestoreContinuesExactly) {
  char dir_template[] = "/tmp/caffe_solver_test_XXXXXX";
  const string dir = mkdtemp(dir_template);
  SolverParameter param = BaseSolverParam("Adam");
  param.set_base_lr(0.01);
  param.set_momentum(0.9);
  param.set_snapshot_prefix(dir + "/linear");

  auto straight = this->Make(param);
  straight->Step(5);

  auto first = this->Make(param);
  first->Step(2);
  first->Snapshot();
  const string state_file = dir + "/linear_iter_2.solverstate";
  SolverState state;
  ReadProtoFromBinaryFile(state_file, &state);
  EXPECT_EQ(state.iter(), 2);
  EXPECT_EQ(state.history_size(), 2);  // Adam: m and v for one parameter
  EXPECT_EQ(state.learned_net(), dir + "/linear_iter_2.caffemodel");

  SolverParameter fresh = param;
  auto resumed = this->Make(fresh);
  // Scramble the weights: Restore must bring back the snapshot's.
  resumed->net()->learnable_params()[0]->scale_data(TypeParam(-3));
  resumed->Restore(state_file.c_str());
  EXPECT_EQ(resumed->iter(), 2);
  resumed->Step(3);
  const Blob<TypeParam>* a = straight->net()->learnable_params()[0];
  const Blob<TypeParam>* b = resumed->net()->learnable_params()[0];
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a->cpu_data()[i], b->cpu_data()[i]) << i;
  std::system(("rm -rf " + dir).c_str());
}

TYPED_TEST(SolverTest, ConfigurationErrors) {
  SolverParameter param = BaseSolverParam("NoSuchSolver");
  EXPECT_THROW(this->Make(param), ConfigError);
  param = BaseSolverParam("SGD");
  param.set_train_net("also.prototxt");
  EXPECT_THROW(this->Make(param), ConfigError);  // two train nets
  param = BaseSolverParam("SGD");
  param.set_snapshot(10);
  param.set_snapshot_prefix("/nonexistent_dir/prefix");
  EXPECT_THROW(this->Make(param), IOError);
}

}  // namespace caffe
