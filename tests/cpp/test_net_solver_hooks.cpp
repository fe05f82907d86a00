// The C++ side of pycaffe's hooks and callbacks: Net layer hooks,
// Solver::add_callback, the public ApplyUpdate and Solver::UpdateParam.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "caffe/sgd_solvers.hpp"
#include "caffe/util/io.hpp"

namespace caffe {
namespace {

const char* kNet = R"(
  name: "small" force_backward: true
  layer { name: "data" type: "DummyData" top: "x" top: "t"
          dummy_data_param { shape { dim: 2 dim: 3 } shape { dim: 2 dim: 2 }
                             data_filler { type: "constant" value: 1 } } }
  layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"
          inner_product_param { num_output: 2 weight_filler { type: "constant" value: 0.5 } } }
  layer { name: "loss" type: "EuclideanLoss" bottom: "y" bottom: "t" top: "loss" }
)";

SolverParameter SolverParam() {
  SolverParameter param;
  ReadProtoFromTextString(kNet, "small net", param.mutable_net_param());
  param.set_base_lr(0.1);
  param.set_lr_policy("step");
  param.set_gamma(0.5);
  param.set_stepsize(2);
  param.set_max_iter(10);
  param.set_display(0);
  param.set_snapshot_after_train(false);
  param.set_random_seed(1);
  return param;
}

TEST(NetHooksTest, RunAroundEveryLayerInBothPasses) {
  NetParameter param;
  ReadProtoFromTextString(kNet, "small net", &param);
  param.mutable_state()->set_phase(TRAIN);
  Net<float> net(param);
  vector<std::pair<string, int>> calls;
  auto record = [&](const char* what) {
    return [&calls, what](int layer) { calls.emplace_back(what, layer); };
  };
  net.add_before_forward(record("bf"));
  net.add_after_forward(record("af"));
  net.add_before_backward(record("bb"));
  net.add_after_backward(record("ab"));
  net.ForwardBackward();
  const vector<std::pair<string, int>> expected = {
      {"bf", 0}, {"af", 0}, {"bf", 1}, {"af", 1}, {"bf", 2}, {"af", 2},
      {"bb", 2}, {"ab", 2}, {"bb", 1}, {"ab", 1}, {"bb", 0}, {"ab", 0}};
  EXPECT_EQ(calls, expected);
}

TEST(NetHooksTest, ExceptionFromHookStopsThePass) {
  NetParameter param;
  ReadProtoFromTextString(kNet, "small net", &param);
  param.mutable_state()->set_phase(TRAIN);
  Net<float> net(param);
  int forwarded = 0;
  net.add_after_forward([&](int layer) {
    ++forwarded;
    if (layer == 1) throw std::runtime_error("stop");
  });
  EXPECT_THROW(net.Forward(), std::runtime_error);
  EXPECT_EQ(forwarded, 2);
}

TEST(SolverCallbackTest, StartAndGradientsReadyRunEachIterationInOrder) {
  SGDSolver<float> solver(SolverParam());
  vector<string> events;
  float diff_sum_at_ready = 0;
  solver.add_callback([&] { events.push_back("start " + std::to_string(solver.iter())); },
                      [&] {
                        events.push_back("ready " + std::to_string(solver.iter()));
                        diff_sum_at_ready = solver.net()->learnable_params()[0]->asum_diff();
                      });
  solver.add_callback(nullptr, nullptr);  // empty callbacks are allowed
  solver.Step(2);
  EXPECT_EQ(events, (vector<string>{"start 0", "ready 0", "start 1", "ready 1"}));
  EXPECT_GT(diff_sum_at_ready, 0);
}

TEST(SolverCallbackTest, ApplyUpdateUsesThisIterationsRate) {
  SGDSolver<float> solver(SolverParam());
  Blob<float>* weights = solver.net()->learnable_params()[0];
  weights->scale_data(0);
  for (int i = 0; i < weights->count(); ++i) weights->mutable_cpu_diff()[i] = 1;
  solver.ApplyUpdate();
  for (int i = 0; i < weights->count(); ++i) EXPECT_FLOAT_EQ(weights->cpu_data()[i], -0.1f);
  EXPECT_EQ(solver.iter(), 0);
}

TEST(SolverUpdateParamTest, SteeringFieldsTakeEffect) {
  SGDSolver<float> solver(SolverParam());
  SolverParameter changed = solver.param();
  changed.set_base_lr(0.4);
  changed.set_max_iter(3);
  solver.UpdateParam(changed);
  EXPECT_FLOAT_EQ(solver.GetLearningRate(), 0.4f);
  solver.Solve();
  EXPECT_EQ(solver.iter(), 3);
  EXPECT_FLOAT_EQ(solver.GetLearningRate(), 0.2f);  // step policy at iteration 3
}

TEST(SolverUpdateParamTest, ConstructionFieldsAreRefusedByName) {
  SGDSolver<float> solver(SolverParam());
  for (const string field : {"random_seed", "type", "train_state"}) {
    SolverParameter changed = solver.param();
    if (field == "random_seed") changed.set_random_seed(2);
    if (field == "type") changed.set_type("Adam");
    if (field == "train_state") changed.mutable_train_state()->set_level(3);
    try {
      solver.UpdateParam(changed);
      FAIL() << field << " was accepted";
    } catch (const ConfigError& error) {
      EXPECT_NE(string(error.what()).find("'" + field + "'"), string::npos) << error.what();
    }
  }
  SolverParameter bad = solver.param();
  bad.set_iter_size(0);
  EXPECT_THROW(solver.UpdateParam(bad), ConfigError);
  EXPECT_FLOAT_EQ(solver.param().base_lr(), 0.1f);  // refused changes leave the solver as it was
}

}  // namespace
}  // namespace caffe
