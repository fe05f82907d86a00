// How many threads OpenBLAS uses for caffe's matrix products.
//
// OpenBLAS starts one thread per core by default. Those threads spin while
// waiting for work and compete with the data layers' decoding threads, which
// made a LeNet forward pass 30-60x slower on a loaded machine. So, unless
// the user chose a count, libcaffe sets OpenBLAS to DefaultBlasThreads()
// when it is loaded:
//   - CAFFE_BLAS_THREADS=N in the environment picks N;
//   - otherwise OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS,
//     when set, are left to OpenBLAS as usual;
//   - otherwise half the cores, at most 4 (1 on a 2-core machine).
// `caffe -blas_threads N` and pycaffe's caffe.set_blas_threads(N) change it
// later. The oneDNN layers use the same count (docs/engine.md). The setting is
// process-wide; thread-safe.
#pragma once

namespace caffe {

// Half the hardware threads, between 1 and 4.
int DefaultBlasThreads();
// Throws ConfigError unless n >= 1.
void SetBlasThreads(int n);
int BlasThreads();

}  // namespace caffe
