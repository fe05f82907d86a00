// InnerProduct through oneDNN's GEMM (dnnl_sgemm, JIT-compiled for this CPU):
// the same three products as the reference path, on the same plain layouts,
// so every case (transpose, any axis) runs here and the parameter gradients
// accumulate in place (beta = 1) as Caffe's do. See dnnl_layers.hpp.
#include "caffe/dnnl/dnnl_context.hpp"
#include "caffe/dnnl/dnnl_layers.hpp"

namespace caffe {

using namespace dnnl_support;

struct DnnlInnerProductLayer::Primitives {};

namespace {

// C (m x n) = alpha * op(A) * op(B) + beta * C, row-major.
void Gemm(char trans_a, char trans_b, int m, int n, int k, const float* a, const float* b,
          float beta, float* c) {
  const int lda = trans_a == 'N' ? k : m;
  const int ldb = trans_b == 'N' ? n : k;
  const dnnl::status status =
      dnnl::sgemm(trans_a, trans_b, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
  CHECK(status == dnnl::status::success) << "dnnl_sgemm failed: " << static_cast<int>(status);
}

}  // namespace

DnnlInnerProductLayer::DnnlInnerProductLayer(const LayerParameter& param)
    : InnerProductLayer<float>(param) {}

DnnlInnerProductLayer::~DnnlInnerProductLayer() = default;

void DnnlInnerProductLayer::Reshape(const vector<Blob<float>*>& bottom,
                                    const vector<Blob<float>*>& top) {
  InnerProductLayer<float>::Reshape(bottom, top);
  active_ = true;
}

void DnnlInnerProductLayer::Forward_cpu(const vector<Blob<float>*>& bottom,
                                        const vector<Blob<float>*>& top) {
  UseBlasThreads();
  float* top_data = top[0]->mutable_cpu_data();
  // The bias goes in first, so the product adds to it in the same pass.
  float beta = 0;
  if (this->bias_term_) {
    const float* bias = this->blobs_[1]->cpu_data();
    for (int m = 0; m < this->M_; ++m) {
      std::copy(bias, bias + this->N_, top_data + static_cast<size_t>(m) * this->N_);
    }
    beta = 1;
  }
  Gemm('N', this->transpose_ ? 'N' : 'T', this->M_, this->N_, this->K_,
       bottom[0]->cpu_data(), this->blobs_[0]->cpu_data(), beta, top_data);
}

void DnnlInnerProductLayer::Backward_cpu(const vector<Blob<float>*>& top,
                                         const vector<bool>& propagate_down,
                                         const vector<Blob<float>*>& bottom) {
  UseBlasThreads();
  const float* top_diff = top[0]->cpu_diff();
  if (this->param_propagate_down(0)) {
    const float* bottom_data = bottom[0]->cpu_data();
    float* weight_diff = this->blobs_[0]->mutable_cpu_diff();
    if (this->transpose_) {
      Gemm('T', 'N', this->K_, this->N_, this->M_, bottom_data, top_diff, 1, weight_diff);
    } else {
      Gemm('T', 'N', this->N_, this->K_, this->M_, top_diff, bottom_data, 1, weight_diff);
    }
  }
  if (this->bias_term_ && this->param_propagate_down(1)) {
    float* bias_diff = this->blobs_[1]->mutable_cpu_diff();
    for (int m = 0; m < this->M_; ++m) {
      const float* row = top_diff + static_cast<size_t>(m) * this->N_;
      for (int n = 0; n < this->N_; ++n) bias_diff[n] += row[n];
    }
  }
  if (propagate_down[0]) {
    Gemm('N', this->transpose_ ? 'T' : 'N', this->M_, this->K_, this->N_, top_diff,
         this->blobs_[0]->cpu_data(), 0, bottom[0]->mutable_cpu_diff());
  }
}

}  // namespace caffe
