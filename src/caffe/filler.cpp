#include "caffe/filler.hpp"

#include <cmath>

#include "caffe/util/math_functions.hpp"

namespace caffe {

namespace {

template <typename Dtype>
class ConstantFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    caffe_set(blob->count(), Dtype(this->filler_param_.value()), blob->mutable_cpu_data());
  }
};

template <typename Dtype>
class UniformFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    CAFFE_REQUIRE(this->filler_param_.min() <= this->filler_param_.max(), ConfigError,
                  "uniform filler needs min <= max, got min ", this->filler_param_.min(),
                  " and max ", this->filler_param_.max());
    caffe_rng_uniform<Dtype>(blob->count(), Dtype(this->filler_param_.min()),
                             Dtype(this->filler_param_.max()), blob->mutable_cpu_data());
  }
};

template <typename Dtype>
class GaussianFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    CAFFE_REQUIRE(this->filler_param_.std() > 0, ConfigError,
                  "gaussian filler needs std > 0, got ", this->filler_param_.std());
    Dtype* data = blob->mutable_cpu_data();
    caffe_rng_gaussian<Dtype>(blob->count(), Dtype(this->filler_param_.mean()),
                              Dtype(this->filler_param_.std()), data);
    const int sparse = this->filler_param_.sparse();
    if (sparse < 0 || blob->count() == 0) return;
    // Keep each weight with probability sparse / num_outputs so that every
    // input has `sparse` non-zero outgoing weights on average.
    CAFFE_REQUIRE(blob->num_axes() >= 1, ConfigError, "sparse gaussian filler needs a blob shape");
    const int num_outputs = blob->shape(0);
    CAFFE_REQUIRE(sparse <= num_outputs, ConfigError, "gaussian filler: sparse ", sparse,
                  " exceeds the number of outputs ", num_outputs, " (blob shape ",
                  blob->shape_string(), "); sparse is the expected count of non-zero "
                  "weights per input and can be at most the number of outputs");
    const Dtype keep = Dtype(sparse) / Dtype(num_outputs);
    vector<int> mask(blob->count());
    caffe_rng_bernoulli<Dtype>(blob->count(), keep, mask.data());
    for (int i = 0; i < blob->count(); ++i) data[i] *= mask[i];
  }
};

template <typename Dtype>
class PositiveUnitballFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    Dtype* data = blob->mutable_cpu_data();
    if (blob->count() == 0) return;
    caffe_rng_uniform<Dtype>(blob->count(), 0, 1, data);
    // Each row (one output's weights) sums to one.
    const int rows = blob->shape(0);
    const int dim = blob->count() / rows;
    for (int r = 0; r < rows; ++r) {
      Dtype sum = 0;
      for (int j = 0; j < dim; ++j) sum += data[r * dim + j];
      for (int j = 0; j < dim; ++j) data[r * dim + j] /= sum;
    }
  }
};

// Fan-in/fan-out as upstream defines them for N-D weight blobs.
template <typename Dtype>
Dtype VarianceNormalizer(const Blob<Dtype>& blob, const FillerParameter& param) {
  const int fan_in = blob.count() / blob.shape(0);
  const int fan_out = blob.num_axes() > 1 ? blob.count() / blob.shape(1) : blob.count();
  switch (param.variance_norm()) {
    case FillerParameter_VarianceNorm_FAN_OUT:
      return Dtype(fan_out);
    case FillerParameter_VarianceNorm_AVERAGE:
      return Dtype(fan_in + fan_out) / Dtype(2);
    default:
      return Dtype(fan_in);
  }
}

template <typename Dtype>
class XavierFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    if (blob->count() == 0) return;
    const Dtype n = VarianceNormalizer(*blob, this->filler_param_);
    const Dtype scale = std::sqrt(Dtype(3) / n);
    caffe_rng_uniform<Dtype>(blob->count(), -scale, scale, blob->mutable_cpu_data());
  }
};

template <typename Dtype>
class MSRAFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    if (blob->count() == 0) return;
    const Dtype n = VarianceNormalizer(*blob, this->filler_param_);
    const Dtype std = std::sqrt(Dtype(2) / n);
    caffe_rng_gaussian<Dtype>(blob->count(), Dtype(0), std, blob->mutable_cpu_data());
  }
};

// Weights of a bilinear upsampling kernel, for Deconvolution layers.
template <typename Dtype>
class BilinearFiller : public Filler<Dtype> {
 public:
  using Filler<Dtype>::Filler;
  void Fill(Blob<Dtype>* blob) override {
    CAFFE_REQUIRE(blob->num_axes() == 4, ConfigError,
                  "bilinear filler needs a 4-D blob, got ", blob->shape_string());
    CAFFE_REQUIRE(blob->width() == blob->height(), ConfigError,
                  "bilinear filler needs a square kernel, got ", blob->shape_string());
    Dtype* data = blob->mutable_cpu_data();
    const int f = static_cast<int>(std::ceil(blob->width() / 2.0));
    const Dtype c = Dtype(2 * f - 1 - f % 2) / (2.0 * f);
    for (int i = 0; i < blob->count(); ++i) {
      const Dtype x = i % blob->width();
      const Dtype y = (i / blob->width()) % blob->height();
      data[i] = (1 - std::fabs(x / f - c)) * (1 - std::fabs(y / f - c));
    }
  }
};

}  // namespace

template <typename Dtype>
shared_ptr<Filler<Dtype>> GetFiller(const FillerParameter& param) {
  const string& type = param.type();
  if (type == "constant") return std::make_shared<ConstantFiller<Dtype>>(param);
  if (type == "gaussian") return std::make_shared<GaussianFiller<Dtype>>(param);
  if (type == "positive_unitball") return std::make_shared<PositiveUnitballFiller<Dtype>>(param);
  if (type == "uniform") return std::make_shared<UniformFiller<Dtype>>(param);
  if (type == "xavier") return std::make_shared<XavierFiller<Dtype>>(param);
  if (type == "msra") return std::make_shared<MSRAFiller<Dtype>>(param);
  if (type == "bilinear") return std::make_shared<BilinearFiller<Dtype>>(param);
  CAFFE_THROW(ConfigError, "unknown filler type '", type,
              "' (known: constant, gaussian, positive_unitball, uniform, xavier, msra, bilinear)");
}

template shared_ptr<Filler<float>> GetFiller<float>(const FillerParameter&);
template shared_ptr<Filler<double>> GetFiller<double>(const FillerParameter&);

}  // namespace caffe
