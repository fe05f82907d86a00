// Fuzz target: a text NetParameter, parsed, built into a Net and, when its
// blobs are small, run forward and backward once. Any caffe::Error is fine;
// a crash, an abort or another exception is a bug.
#include <cstdint>
#include <string>

#include "caffe/net.hpp"
#include "caffe/util/io.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace caffe;
  fuzz::QuietLogging();
  fuzz::LimitMemory(size_t(3) << 30);
  if (size > 64 * 1024) return 0;
  try {
    NetParameter param;
    ReadProtoFromTextString(std::string(reinterpret_cast<const char*>(data), size),
                            "fuzzed.prototxt", &param);
    param.mutable_state()->set_phase(param.state().phase() == TEST ? TEST : TRAIN);
    Net<float> net(param);
    // Forward and backward touch every blob; keep that cheap.
    int64_t values = 0;
    for (const auto& blob : net.blobs()) values += blob->count();
    for (const auto& param : net.params()) values += param->count();
    if (values < (int64_t(4) << 20)) {
      net.Forward();
      net.Backward();
    }
  } catch (const Error&) {
  }
  return 0;
}
