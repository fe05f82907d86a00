#include "caffe/util/math_functions.hpp"

#include <boost/math/special_functions/next.hpp>
#include <boost/random/bernoulli_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real.hpp>
#include <boost/random/variate_generator.hpp>
#include <limits>

namespace caffe {

template <>
void caffe_cpu_gemm<float>(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int M, int N,
                           int K, float alpha, const float* A, const float* B, float beta,
                           float* C) {
  const int lda = (trans_a == CblasNoTrans) ? K : M;
  const int ldb = (trans_b == CblasNoTrans) ? N : K;
  cblas_sgemm(CblasRowMajor, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
}

template <>
void caffe_cpu_gemm<double>(CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, int M, int N,
                            int K, double alpha, const double* A, const double* B,
                            double beta, double* C) {
  const int lda = (trans_a == CblasNoTrans) ? K : M;
  const int ldb = (trans_b == CblasNoTrans) ? N : K;
  cblas_dgemm(CblasRowMajor, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, N);
}

template <>
void caffe_cpu_gemv<float>(CBLAS_TRANSPOSE trans_a, int M, int N, float alpha, const float* A,
                           const float* x, float beta, float* y) {
  cblas_sgemv(CblasRowMajor, trans_a, M, N, alpha, A, N, x, 1, beta, y, 1);
}

template <>
void caffe_cpu_gemv<double>(CBLAS_TRANSPOSE trans_a, int M, int N, double alpha,
                            const double* A, const double* x, double beta, double* y) {
  cblas_dgemv(CblasRowMajor, trans_a, M, N, alpha, A, N, x, 1, beta, y, 1);
}

template <>
void caffe_axpy<float>(int N, float alpha, const float* X, float* Y) {
  cblas_saxpy(N, alpha, X, 1, Y, 1);
}
template <>
void caffe_axpy<double>(int N, double alpha, const double* X, double* Y) {
  cblas_daxpy(N, alpha, X, 1, Y, 1);
}

template <>
void caffe_scal<float>(int N, float alpha, float* X) {
  cblas_sscal(N, alpha, X, 1);
}
template <>
void caffe_scal<double>(int N, double alpha, double* X) {
  cblas_dscal(N, alpha, X, 1);
}

template <typename Dtype>
void caffe_cpu_axpby(int N, Dtype alpha, const Dtype* X, Dtype beta, Dtype* Y) {
  caffe_scal(N, beta, Y);
  caffe_axpy(N, alpha, X, Y);
}

template <typename Dtype>
void caffe_copy(int N, const Dtype* X, Dtype* Y) {
  if (X != Y && N > 0) std::memcpy(Y, X, sizeof(Dtype) * N);
}

template <typename Dtype>
void caffe_set(int N, Dtype alpha, Dtype* X) {
  if (alpha == Dtype(0)) {
    std::memset(X, 0, sizeof(Dtype) * N);
    return;
  }
  for (int i = 0; i < N; ++i) X[i] = alpha;
}

template <typename Dtype>
void caffe_add_scalar(int N, Dtype alpha, Dtype* X) {
  for (int i = 0; i < N; ++i) X[i] += alpha;
}

template <typename Dtype>
void caffe_cpu_scale(int N, Dtype alpha, const Dtype* x, Dtype* y) {
  caffe_copy(N, x, y);
  caffe_scal(N, alpha, y);
}

template <typename Dtype>
void caffe_add(int N, const Dtype* a, const Dtype* b, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = a[i] + b[i];
}
template <typename Dtype>
void caffe_sub(int N, const Dtype* a, const Dtype* b, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = a[i] - b[i];
}
template <typename Dtype>
void caffe_mul(int N, const Dtype* a, const Dtype* b, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = a[i] * b[i];
}
template <typename Dtype>
void caffe_div(int N, const Dtype* a, const Dtype* b, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = a[i] / b[i];
}
template <typename Dtype>
void caffe_powx(int N, const Dtype* a, Dtype b, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = std::pow(a[i], b);
}
template <typename Dtype>
void caffe_sqr(int N, const Dtype* a, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = a[i] * a[i];
}
template <typename Dtype>
void caffe_sqrt(int N, const Dtype* a, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = std::sqrt(a[i]);
}
template <typename Dtype>
void caffe_exp(int N, const Dtype* a, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = std::exp(a[i]);
}
template <typename Dtype>
void caffe_log(int N, const Dtype* a, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = std::log(a[i]);
}
template <typename Dtype>
void caffe_abs(int N, const Dtype* a, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = std::fabs(a[i]);
}
template <typename Dtype>
void caffe_cpu_sign(int N, const Dtype* x, Dtype* y) {
  for (int i = 0; i < N; ++i) y[i] = (Dtype(0) < x[i]) - (x[i] < Dtype(0));
}

template <>
float caffe_cpu_strided_dot<float>(int N, const float* x, int incx, const float* y, int incy) {
  return cblas_sdot(N, x, incx, y, incy);
}
template <>
double caffe_cpu_strided_dot<double>(int N, const double* x, int incx, const double* y,
                                     int incy) {
  return cblas_ddot(N, x, incx, y, incy);
}
template <typename Dtype>
Dtype caffe_cpu_dot(int N, const Dtype* x, const Dtype* y) {
  return caffe_cpu_strided_dot(N, x, 1, y, 1);
}
template <>
float caffe_cpu_asum<float>(int N, const float* x) {
  return cblas_sasum(N, x, 1);
}
template <>
double caffe_cpu_asum<double>(int N, const double* x) {
  return cblas_dasum(N, x, 1);
}

template <typename Dtype>
void caffe_rng_uniform(int N, Dtype a, Dtype b, Dtype* r) {
  CHECK_LE(a, b);
  // The upper end is included: the distribution is asked for [a, next(b)).
  boost::uniform_real<Dtype> distribution(
      a, boost::math::nextafter<Dtype>(b, std::numeric_limits<Dtype>::max()));
  boost::variate_generator<Caffe::rng_t*, boost::uniform_real<Dtype>> draw(Caffe::rng(),
                                                                          distribution);
  for (int i = 0; i < N; ++i) r[i] = draw();
}

template <typename Dtype>
void caffe_rng_gaussian(int N, Dtype mu, Dtype sigma, Dtype* r) {
  CHECK_GT(sigma, 0);
  boost::normal_distribution<Dtype> distribution(mu, sigma);
  boost::variate_generator<Caffe::rng_t*, boost::normal_distribution<Dtype>> draw(
      Caffe::rng(), distribution);
  for (int i = 0; i < N; ++i) r[i] = draw();
}

template <typename Dtype, typename Out>
static void BernoulliDraws(int N, Dtype p, Out* r) {
  CHECK_GE(p, 0);
  CHECK_LE(p, 1);
  boost::bernoulli_distribution<Dtype> distribution(p);
  boost::variate_generator<Caffe::rng_t*, boost::bernoulli_distribution<Dtype>> draw(
      Caffe::rng(), distribution);
  for (int i = 0; i < N; ++i) r[i] = static_cast<Out>(draw());
}
template <typename Dtype>
void caffe_rng_bernoulli(int N, Dtype p, int* r) {
  BernoulliDraws(N, p, r);
}
template <typename Dtype>
void caffe_rng_bernoulli(int N, Dtype p, unsigned int* r) {
  BernoulliDraws(N, p, r);
}

#define INSTANTIATE_MATH(Dtype)                                                     \
  template void caffe_cpu_axpby<Dtype>(int, Dtype, const Dtype*, Dtype, Dtype*);    \
  template void caffe_copy<Dtype>(int, const Dtype*, Dtype*);                       \
  template void caffe_set<Dtype>(int, Dtype, Dtype*);                               \
  template void caffe_add_scalar<Dtype>(int, Dtype, Dtype*);                        \
  template void caffe_cpu_scale<Dtype>(int, Dtype, const Dtype*, Dtype*);           \
  template void caffe_add<Dtype>(int, const Dtype*, const Dtype*, Dtype*);          \
  template void caffe_sub<Dtype>(int, const Dtype*, const Dtype*, Dtype*);          \
  template void caffe_mul<Dtype>(int, const Dtype*, const Dtype*, Dtype*);          \
  template void caffe_div<Dtype>(int, const Dtype*, const Dtype*, Dtype*);          \
  template void caffe_powx<Dtype>(int, const Dtype*, Dtype, Dtype*);                \
  template void caffe_sqr<Dtype>(int, const Dtype*, Dtype*);                        \
  template void caffe_sqrt<Dtype>(int, const Dtype*, Dtype*);                       \
  template void caffe_exp<Dtype>(int, const Dtype*, Dtype*);                        \
  template void caffe_log<Dtype>(int, const Dtype*, Dtype*);                        \
  template void caffe_abs<Dtype>(int, const Dtype*, Dtype*);                        \
  template void caffe_cpu_sign<Dtype>(int, const Dtype*, Dtype*);                   \
  template Dtype caffe_cpu_dot<Dtype>(int, const Dtype*, const Dtype*);             \
  template void caffe_rng_uniform<Dtype>(int, Dtype, Dtype, Dtype*);                \
  template void caffe_rng_gaussian<Dtype>(int, Dtype, Dtype, Dtype*);               \
  template void caffe_rng_bernoulli<Dtype>(int, Dtype, int*);                       \
  template void caffe_rng_bernoulli<Dtype>(int, Dtype, unsigned int*)

INSTANTIATE_MATH(float);
INSTANTIATE_MATH(double);
template void caffe_copy<int>(int, const int*, int*);
template void caffe_copy<unsigned int>(int, const unsigned int*, unsigned int*);
template void caffe_set<int>(int, int, int*);

}  // namespace caffe
