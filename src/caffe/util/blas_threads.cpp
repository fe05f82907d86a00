#include "caffe/util/blas_threads.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "caffe/common.hpp"

namespace caffe {

int DefaultBlasThreads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores / 2, 1, 4);
}

void SetBlasThreads(int n) {
  CAFFE_REQUIRE(n >= 1, ConfigError, "the number of BLAS threads must be at least 1, got ", n);
  openblas_set_num_threads(n);
}

int BlasThreads() { return openblas_get_num_threads(); }

namespace {

// Runs when libcaffe is loaded (see the header for the rules).
struct ApplyDefaultBlasThreads {
  ApplyDefaultBlasThreads() {
    if (const char* chosen = std::getenv("CAFFE_BLAS_THREADS")) {
      char* end = nullptr;
      const long n = std::strtol(chosen, &end, 10);
      if (end != chosen && *end == '\0' && n >= 1 && n <= 1024) {
        openblas_set_num_threads(static_cast<int>(n));
        return;
      }
      // No exception can leave a static initializer: keep the default and say so.
      std::fprintf(stderr, "caffe: ignoring CAFFE_BLAS_THREADS='%s' (not a positive number)\n",
                   chosen);
    } else {
      for (const char* name : {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
        if (std::getenv(name)) return;
      }
    }
    openblas_set_num_threads(DefaultBlasThreads());
  }
};
const ApplyDefaultBlasThreads apply_default_blas_threads;

}  // namespace
}  // namespace caffe
