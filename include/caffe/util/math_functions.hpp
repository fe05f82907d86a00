// Dense math on CPU arrays: BLAS wrappers (OpenBLAS) and element-wise helpers,
// for float and double. Pure functions of their arguments except the caffe_rng_*
// ones, which draw from the calling thread's generator (Caffe::rng()), using
// the same boost distributions as upstream Caffe so seeded streams agree.
#pragma once

#include <cblas.h>

#include <cmath>
#include <cstring>

#include "caffe/common.hpp"

namespace caffe {

// C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is M x K, op(B) K x N.
template <typename Dtype>
void caffe_cpu_gemm(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int M, int N, int K,
                    Dtype alpha, const Dtype* A, const Dtype* B, Dtype beta, Dtype* C);
// y = alpha * op(A) * x + beta * y; A is M x N.
template <typename Dtype>
void caffe_cpu_gemv(CBLAS_TRANSPOSE trans_a, int M, int N, Dtype alpha, const Dtype* A,
                    const Dtype* x, Dtype beta, Dtype* y);
template <typename Dtype>
void caffe_axpy(int N, Dtype alpha, const Dtype* X, Dtype* Y);
// Y = alpha * X + beta * Y
template <typename Dtype>
void caffe_cpu_axpby(int N, Dtype alpha, const Dtype* X, Dtype beta, Dtype* Y);
template <typename Dtype>
void caffe_copy(int N, const Dtype* X, Dtype* Y);
template <typename Dtype>
void caffe_set(int N, Dtype alpha, Dtype* X);
template <typename Dtype>
void caffe_add_scalar(int N, Dtype alpha, Dtype* X);
template <typename Dtype>
void caffe_scal(int N, Dtype alpha, Dtype* X);
// y = alpha * x
template <typename Dtype>
void caffe_cpu_scale(int N, Dtype alpha, const Dtype* x, Dtype* y);

template <typename Dtype> void caffe_add(int N, const Dtype* a, const Dtype* b, Dtype* y);
template <typename Dtype> void caffe_sub(int N, const Dtype* a, const Dtype* b, Dtype* y);
template <typename Dtype> void caffe_mul(int N, const Dtype* a, const Dtype* b, Dtype* y);
template <typename Dtype> void caffe_div(int N, const Dtype* a, const Dtype* b, Dtype* y);
template <typename Dtype> void caffe_powx(int N, const Dtype* a, Dtype b, Dtype* y);
template <typename Dtype> void caffe_sqr(int N, const Dtype* a, Dtype* y);
template <typename Dtype> void caffe_sqrt(int N, const Dtype* a, Dtype* y);
template <typename Dtype> void caffe_exp(int N, const Dtype* a, Dtype* y);
template <typename Dtype> void caffe_log(int N, const Dtype* a, Dtype* y);
template <typename Dtype> void caffe_abs(int N, const Dtype* a, Dtype* y);
// y = sign(x) in {-1, 0, 1}
template <typename Dtype> void caffe_cpu_sign(int N, const Dtype* x, Dtype* y);

template <typename Dtype> Dtype caffe_cpu_dot(int N, const Dtype* x, const Dtype* y);
template <typename Dtype>
Dtype caffe_cpu_strided_dot(int N, const Dtype* x, int incx, const Dtype* y, int incy);
// Sum of absolute values.
template <typename Dtype> Dtype caffe_cpu_asum(int N, const Dtype* x);

// Uniform in [a, b] (b included, as upstream).
template <typename Dtype> void caffe_rng_uniform(int N, Dtype a, Dtype b, Dtype* r);
template <typename Dtype> void caffe_rng_gaussian(int N, Dtype mu, Dtype sigma, Dtype* r);
template <typename Dtype> void caffe_rng_bernoulli(int N, Dtype p, int* r);
template <typename Dtype> void caffe_rng_bernoulli(int N, Dtype p, unsigned int* r);

}  // namespace caffe
