// Shared by the fuzz targets: quiet logging, a scratch directory, and the
// rule that a caffe::Error is the expected outcome of bad input while
// anything else (another exception, a signal) is a bug.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "caffe/common.hpp"

namespace caffe {
namespace fuzz {

inline void QuietLogging() {
  static bool done = false;
  if (done) return;
  done = true;
  google::InitGoogleLogging("fuzz");
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 3;
}

// A per-process directory under $TMPDIR for inputs that must be files.
inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string path = std::string(base ? base : "/tmp") + "/caffe_fuzz_" +
                       std::to_string(getpid());
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(ScratchDir(), ignored);
    });
    return path;
  }();
  return dir;
}

inline std::string WriteScratchFile(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = ScratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Memory requests beyond this fail (as they would on a small machine), so a
// fuzzed shape cannot make the run swap; the library must answer with an
// OutOfMemoryError. Not under AddressSanitizer, which reserves huge ranges.
inline void LimitMemory(size_t bytes) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAFFE_FUZZ_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(CAFFE_FUZZ_UNDER_ASAN)
  (void)bytes;
#else
  struct rlimit limit = {bytes, bytes};
  setrlimit(RLIMIT_AS, &limit);
#endif
}

}  // namespace fuzz
}  // namespace caffe
