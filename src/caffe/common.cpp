#include "caffe/common.hpp"

#include <gflags/gflags.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <typeinfo>

namespace caffe {

void GlobalInit(int* pargc, char*** pargv) {
  gflags::ParseCommandLineFlags(pargc, pargv, true);
  google::InitGoogleLogging(*(pargv)[0]);
  FLAGS_logtostderr = true;
}

void RethrowWithContext(const Error& error, const string& prefix) {
  const string message = prefix + error.what();
  const std::type_info& type = typeid(error);
#define CAFFE_RETHROW_IF_TYPE(Name, PythonBase, Meaning) \
  if (type == typeid(Name)) throw Name(message);
  CAFFE_FOR_EACH_ERROR_TYPE(CAFFE_RETHROW_IF_TYPE)
#undef CAFFE_RETHROW_IF_TYPE
  if (type == typeid(Error)) throw Error(message);
  // Subclasses defined elsewhere (a Python layer's error carries the Python
  // exception) would lose what they carry in a copy.
  throw;
}

string HumanBytes(double bytes) {
  static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  std::ostringstream text;
  if (unit == 0) {
    text << static_cast<long long>(bytes) << " bytes";
  } else {
    text.precision(bytes < 10 ? 2 : 3);
    text << bytes << " " << kUnits[unit];
  }
  return text.str();
}

Caffe& Caffe::Get() {
  thread_local Caffe instance;
  return instance;
}

Caffe::Caffe() : rng_(static_cast<uint32_t>(cluster_seedgen())), mode_(CPU) {}

void Caffe::set_random_seed(uint64_t seed) {
  Get().rng_.seed(static_cast<uint32_t>(seed));
}

void Caffe::set_mode(Brew mode) {
  CAFFE_REQUIRE(mode == CPU, ConfigError,
                "GPU mode was requested, but this build of caffe is CPU-only");
  Get().mode_ = mode;
}

void Caffe::SetDevice(int device_id) {
  CAFFE_REQUIRE(device_id == 0, ConfigError, "device ", device_id,
                " does not exist: this build of caffe is CPU-only");
}

void Caffe::DeviceQuery() {
  LOG(INFO) << "Device: CPU (" << std::thread::hardware_concurrency()
            << " hardware threads); this build has no GPU support";
}

uint64_t Caffe::cluster_seedgen() {
  const uint64_t now = static_cast<uint64_t>(
      std::chrono::high_resolution_clock::now().time_since_epoch().count());
  const uint64_t pid = static_cast<uint64_t>(getpid());
  const uint64_t tid = std::hash<std::thread::id>()(std::this_thread::get_id());
  return (now * 181 + pid * 83) ^ (tid * 2654435761u);
}

unsigned int caffe_rng_rand() { return (*Caffe::rng())(); }

}  // namespace caffe
