// Fuzz target: the first byte chooses, the rest is the file: a weights file
// (.caffemodel, binary or text) copied into a small fixed net (even), or a
// .solverstate restored into an Adam solver on that net (odd). Both go through the file readers the tools
// use, with their diagnostics for files that do not parse.
#include <cstdint>
#include <memory>
#include <string>

#include "caffe/net.hpp"
#include "caffe/sgd_solvers.hpp"
#include "caffe/util/io.hpp"
#include "fuzz_util.hpp"

namespace {

const char* kNet = R"(
  name: "fuzz"
  layer { name: "in" type: "Input" top: "x" top: "label"
          input_param { shape { dim: 2 dim: 1 dim: 6 dim: 6 } shape { dim: 2 } } }
  layer { name: "conv" type: "Convolution" bottom: "x" top: "c"
          convolution_param { num_output: 2 kernel_size: 3 weight_filler { type: "xavier" } } }
  layer { name: "bn" type: "BatchNorm" bottom: "c" top: "c" }
  layer { name: "ip" type: "InnerProduct" bottom: "c" top: "y"
          inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "loss" }
)";

caffe::SolverParameter SolverParam() {
  caffe::SolverParameter param;
  caffe::ReadProtoFromTextString(kNet, "fuzz net", param.mutable_net_param());
  param.set_type("Adam");
  param.set_base_lr(0.01);
  param.set_momentum(0.9);
  param.set_lr_policy("fixed");
  param.set_max_iter(1);
  param.set_display(0);
  param.set_snapshot_after_train(false);
  return param;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace caffe;
  fuzz::QuietLogging();
  fuzz::LimitMemory(size_t(3) << 30);
  static std::unique_ptr<AdamSolver<float>> solver(new AdamSolver<float>(SolverParam()));
  if (size == 0) return 0;
  const bool solverstate = data[0] & 1;
  const std::string file = fuzz::WriteScratchFile(
      solverstate ? "input.solverstate" : "input.caffemodel", data + 1, size - 1);
  try {
    if (solverstate) {
      solver->Restore(file.c_str());
    } else {
      solver->net()->CopyTrainedLayersFrom(file);
    }
  } catch (const Error&) {
  }
  return 0;
}
