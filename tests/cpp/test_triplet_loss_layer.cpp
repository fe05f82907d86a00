// TripletLoss: compared with a slow, plainly written reference computed in
// double (forward values, and its numerical derivative for the backward),
// for both bottom layouts, both distances, with and without normalisation;
// plus gradient checks, loss weights, partial propagate_down and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

namespace {

struct Config {
  bool cosine;
  bool normalize;
  bool stacked;
  std::string Param(double margin) const {
    return "type: 'TripletLoss' triplet_loss_param { margin: " + std::to_string(margin) +
           (cosine ? " distance: COSINE" : " distance: SQUARED_L2") +
           (normalize ? " normalize: true" : "") + " }";
  }
  std::string Name() const {
    return std::string(cosine ? "cosine" : "squared_l2") + (normalize ? " normalized" : "") +
           (stacked ? " stacked" : " separate");
  }
};

vector<Config> AllConfigs() {
  vector<Config> configs;
  for (bool cosine : {false, true}) {
    for (bool normalize : {false, true}) {
      for (bool stacked : {true, false}) configs.push_back({cosine, normalize, stacked});
    }
  }
  return configs;
}

// ---- the reference: rows of `embeddings` are anchors, positives, negatives (N each).

vector<double> UnitVector(const double* v, int dim, double eps) {
  double sum_sq = 0;
  for (int j = 0; j < dim; ++j) sum_sq += v[j] * v[j];
  vector<double> unit(v, v + dim);
  for (double& x : unit) x /= std::sqrt(sum_sq + eps);
  return unit;
}

double Distance(const vector<double>& u, const vector<double>& v, bool cosine, double eps) {
  if (cosine) {
    const vector<double> uu = UnitVector(u.data(), u.size(), eps);
    const vector<double> vv = UnitVector(v.data(), v.size(), eps);
    double dot = 0;
    for (size_t j = 0; j < u.size(); ++j) dot += uu[j] * vv[j];
    return 1 - dot;
  }
  double sum = 0;
  for (size_t j = 0; j < u.size(); ++j) sum += (u[j] - v[j]) * (u[j] - v[j]);
  return sum;
}

// margin + d(a_k, p_k) - d(a_k, n_k) for triplet k.
double Hinge(const vector<double>& embeddings, int num, int dim, int k, double margin,
             const Config& config, double eps = 1e-10) {
  auto row = [&](int r) {
    const double* v = embeddings.data() + r * dim;
    return config.normalize ? UnitVector(v, dim, eps) : vector<double>(v, v + dim);
  };
  const vector<double> a = row(k), p = row(num + k), n = row(2 * num + k);
  return margin + Distance(a, p, config.cosine, eps) - Distance(a, n, config.cosine, eps);
}

// Returns {loss, fraction of triplets with a positive hinge}.
std::pair<double, double> ReferenceLoss(const vector<double>& embeddings, int num, int dim,
                                        double margin, const Config& config) {
  double loss = 0;
  int active = 0;
  for (int k = 0; k < num; ++k) {
    const double hinge = Hinge(embeddings, num, dim, k, margin, config);
    if (hinge > 0) {
      loss += hinge;
      ++active;
    }
  }
  return {loss / num, double(active) / num};
}

// Keeps gradient checks away from the hinge's kink.
double SmallestHingeMagnitude(const vector<double>& embeddings, int num, int dim, double margin,
                              const Config& config) {
  double smallest = 1e30;
  for (int k = 0; k < num; ++k) {
    smallest = std::min(smallest, std::fabs(Hinge(embeddings, num, dim, k, margin, config)));
  }
  return smallest;
}

}  // namespace

template <typename Dtype>
class TripletLossLayerTest : public ::testing::Test {
 protected:
  static constexpr int kNum = 4;
  static constexpr int kDim = 5;

  // Triplets with clear margins: even ones inactive (positive close to the
  // anchor, negative opposite), odd ones active (the other way round).
  void MakeClearTriplets(unsigned seed) {
    Caffe::set_random_seed(seed);
    vector<Dtype> noise(3 * kNum * kDim), anchors(kNum * kDim);
    caffe_rng_uniform<Dtype>(anchors.size(), -1, 1, anchors.data());
    caffe_rng_uniform<Dtype>(noise.size(), -1, 1, noise.data());
    embeddings_.assign(3 * kNum * kDim, 0);
    for (int k = 0; k < kNum; ++k) {
      for (int j = 0; j < kDim; ++j) {
        const double a = anchors[k * kDim + j];
        const double near = a + 0.1 * noise[k * kDim + j];
        const double far = -a + 0.3 * noise[(kNum + k) * kDim + j];
        embeddings_[k * kDim + j] = a;
        embeddings_[(kNum + k) * kDim + j] = k % 2 ? far : near;
        embeddings_[(2 * kNum + k) * kDim + j] = k % 2 ? near : far;
      }
    }
  }

  void MakeRandomTriplets(unsigned seed) {
    Caffe::set_random_seed(seed);
    vector<Dtype> values(3 * kNum * kDim);
    caffe_rng_uniform<Dtype>(values.size(), -1, 1, values.data());
    embeddings_.assign(values.begin(), values.end());
  }

  // Bottoms holding embeddings_ in the layout of `config`.
  void BuildBottoms(const Config& config) {
    storage_.clear();
    if (config.stacked) {
      storage_.push_back(std::make_unique<Blob<Dtype>>(vector<int>{3 * kNum, kDim}));
    } else {
      for (int role = 0; role < 3; ++role) {
        storage_.push_back(std::make_unique<Blob<Dtype>>(vector<int>{kNum, kDim, 1}));
      }
    }
    bottoms_.clear();
    for (auto& blob : storage_) bottoms_.push_back(blob.get());
    for (size_t i = 0; i < embeddings_.size(); ++i) *Element(i, false) = embeddings_[i];
  }

  // Stacked element i (anchor, positive, negative rows) of the bottom data or diff.
  Dtype* Element(size_t i, bool diff) {
    const int block = kNum * kDim;
    Blob<Dtype>* blob = storage_.size() == 1 ? storage_[0].get() : storage_[i / block].get();
    const size_t offset = storage_.size() == 1 ? i : i % block;
    return (diff ? blob->mutable_cpu_diff() : blob->mutable_cpu_data()) + offset;
  }

  vector<double> embeddings_;
  vector<std::unique_ptr<Blob<Dtype>>> storage_;
  vector<Blob<Dtype>*> bottoms_;
};
TYPED_TEST_SUITE(TripletLossLayerTest, TestDtypes);

TYPED_TEST(TripletLossLayerTest, ForwardMatchesReference) {
  typedef TypeParam Dtype;
  const int N = this->kNum, D = this->kDim;
  for (const Config& config : AllConfigs()) {
    for (unsigned seed : {1u, 2u, 3u}) {
      SCOPED_TRACE(config.Name() + " seed " + std::to_string(seed));
      this->MakeRandomTriplets(seed);
      this->BuildBottoms(config);
      // A margin that leaves some triplets active and some not.
      const double margin = config.cosine || config.normalize ? 0.3 : 1.0;
      Blob<Dtype> loss, fraction;
      vector<Blob<Dtype>*> tops{&loss, &fraction};
      auto layer = MakeLayer<Dtype>(config.Param(margin));
      layer->SetUp(this->bottoms_, tops);
      const Dtype returned = layer->Forward(this->bottoms_, tops);
      const auto [expected_loss, expected_fraction] =
          ReferenceLoss(this->embeddings_, N, D, margin, config);
      EXPECT_EQ(loss.num_axes(), 0);
      EXPECT_NEAR(loss.cpu_data()[0], expected_loss, 1e-5 * std::max(1.0, expected_loss));
      EXPECT_NEAR(returned, expected_loss, 1e-5 * std::max(1.0, expected_loss));
      EXPECT_DOUBLE_EQ(fraction.cpu_data()[0], expected_fraction);
    }
  }
}

TYPED_TEST(TripletLossLayerTest, BackwardMatchesReferenceDerivative) {
  typedef TypeParam Dtype;
  const int N = this->kNum, D = this->kDim;
  const double margin = 0.2, loss_weight = 2.5;
  for (const Config& config : AllConfigs()) {
    SCOPED_TRACE(config.Name());
    this->MakeClearTriplets(11);
    ASSERT_GT(SmallestHingeMagnitude(this->embeddings_, N, D, margin, config), 0.1);
    this->BuildBottoms(config);
    Blob<Dtype> loss, fraction;
    vector<Blob<Dtype>*> tops{&loss, &fraction};
    auto layer = MakeLayer<Dtype>(config.Param(margin));
    layer->SetUp(this->bottoms_, tops);
    layer->Forward(this->bottoms_, tops);
    EXPECT_DOUBLE_EQ(fraction.cpu_data()[0], 0.5);
    loss.mutable_cpu_diff()[0] = loss_weight;
    layer->Backward(tops, vector<bool>(this->bottoms_.size(), true), this->bottoms_);
    const double step = 1e-6;
    for (size_t i = 0; i < this->embeddings_.size(); ++i) {
      vector<double> plus = this->embeddings_, minus = this->embeddings_;
      plus[i] += step;
      minus[i] -= step;
      const double numeric = loss_weight *
                             (ReferenceLoss(plus, N, D, margin, config).first -
                              ReferenceLoss(minus, N, D, margin, config).first) /
                             (2 * step);
      EXPECT_NEAR(*this->Element(i, true), numeric, 1e-4 * std::max(1.0, std::fabs(numeric)))
          << "element " << i;
    }
  }
}

TYPED_TEST(TripletLossLayerTest, GradientCheck) {
  typedef TypeParam Dtype;
  for (const Config& config : AllConfigs()) {
    SCOPED_TRACE(config.Name());
    this->MakeClearTriplets(12);
    ASSERT_GT(SmallestHingeMagnitude(this->embeddings_, this->kNum, this->kDim, 0.2, config),
              0.1);
    this->BuildBottoms(config);
    Blob<Dtype> loss, fraction;
    auto layer = MakeLayer<Dtype>(config.Param(0.2));
    GradientChecker<Dtype>().CheckGradient(layer.get(), this->bottoms_, {&loss, &fraction});
  }
}

TYPED_TEST(TripletLossLayerTest, LossWeightsAndDefaults) {
  typedef TypeParam Dtype;
  this->MakeClearTriplets(13);
  this->BuildBottoms({false, false, true});
  Blob<Dtype> loss, fraction;
  vector<Blob<Dtype>*> one_top{&loss}, two_tops{&loss, &fraction};
  auto single = MakeLayer<Dtype>("type: 'TripletLoss'");
  single->SetUp(this->bottoms_, one_top);
  EXPECT_EQ(single->loss(0), Dtype(1));
  const Dtype unweighted = single->Forward(this->bottoms_, one_top);
  EXPECT_GT(unweighted, Dtype(0));
  single->Backward(one_top, {true}, this->bottoms_);
  // Element kDim is in anchor row 1, whose triplet is active.
  const Dtype first_diff = *this->Element(this->kDim, true);

  auto pair = MakeLayer<Dtype>("type: 'TripletLoss'");
  pair->SetUp(this->bottoms_, two_tops);
  EXPECT_EQ(pair->loss(0), Dtype(1));
  EXPECT_EQ(pair->loss(1), Dtype(0));

  auto weighted = MakeLayer<Dtype>("type: 'TripletLoss' loss_weight: 3");
  weighted->SetUp(this->bottoms_, one_top);
  EXPECT_NEAR(weighted->Forward(this->bottoms_, one_top), 3 * unweighted, 1e-5);
  weighted->Backward(one_top, {true}, this->bottoms_);
  EXPECT_NEAR(*this->Element(this->kDim, true), 3 * first_diff, 1e-5);
  EXPECT_NE(first_diff, Dtype(0));
}

TYPED_TEST(TripletLossLayerTest, OnlyRequestedBottomsGetGradients) {
  typedef TypeParam Dtype;
  this->MakeClearTriplets(14);
  this->BuildBottoms({false, false, false});
  Blob<Dtype> loss;
  vector<Blob<Dtype>*> tops{&loss};
  auto layer = MakeLayer<Dtype>("type: 'TripletLoss'");
  layer->SetUp(this->bottoms_, tops);
  layer->Forward(this->bottoms_, tops);
  for (Blob<Dtype>* b : this->bottoms_) caffe_set(b->count(), Dtype(7), b->mutable_cpu_diff());
  layer->Backward(tops, {false, true, false}, this->bottoms_);
  EXPECT_EQ(this->bottoms_[0]->asum_diff(), Dtype(7 * this->bottoms_[0]->count()));
  EXPECT_EQ(this->bottoms_[2]->asum_diff(), Dtype(7 * this->bottoms_[2]->count()));
  // Active (odd) triplets get gradients, inactive (even) ones exactly zero.
  const Dtype* positive_diff = this->bottoms_[1]->cpu_diff();
  for (int k = 0; k < this->kNum; ++k) {
    double row = 0;
    for (int j = 0; j < this->kDim; ++j) row += std::fabs(positive_diff[k * this->kDim + j]);
    if (k % 2) {
      EXPECT_GT(row, 0) << k;
    } else {
      EXPECT_EQ(row, 0) << k;
    }
  }
}

TYPED_TEST(TripletLossLayerTest, NothingActiveAndZeroEmbeddings) {
  typedef TypeParam Dtype;
  Blob<Dtype> stacked(vector<int>{3, 2}), loss, fraction;
  SetData(&stacked, {0, 0, 0, 0, 1, 1});  // anchor and positive are zero vectors
  vector<Blob<Dtype>*> bottoms{&stacked}, tops{&loss, &fraction};
  for (const char* param : {"distance: COSINE", "normalize: true", "normalize: true margin: -5"}) {
    SCOPED_TRACE(param);
    auto layer =
        MakeLayer<Dtype>(std::string("type: 'TripletLoss' triplet_loss_param { ") + param + " }");
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_TRUE(std::isfinite(loss.cpu_data()[0]));
    layer->Backward(tops, {true}, bottoms);
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(std::isfinite(stacked.cpu_diff()[i])) << i;
  }
  // COSINE with a zero anchor: d(a,p) = d(a,n) = 1, so the loss is the margin.
  auto cosine = MakeLayer<Dtype>("type: 'TripletLoss' triplet_loss_param { distance: COSINE }");
  cosine->SetUp(bottoms, tops);
  cosine->Forward(bottoms, tops);
  EXPECT_NEAR(loss.cpu_data()[0], 0.2, 1e-6);
  // A negative margin larger than any distance gap: nothing active, no gradient.
  auto none = MakeLayer<Dtype>("type: 'TripletLoss' triplet_loss_param { margin: -5 }");
  none->SetUp(bottoms, tops);
  none->Forward(bottoms, tops);
  EXPECT_EQ(loss.cpu_data()[0], Dtype(0));
  EXPECT_EQ(fraction.cpu_data()[0], Dtype(0));
  none->Backward(tops, {true}, bottoms);
  EXPECT_EQ(stacked.asum_diff(), Dtype(0));
}

TYPED_TEST(TripletLossLayerTest, BadBottoms) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{4, 3}), b(vector<int>{4, 3}), c(vector<int>{4, 2}), loss;
  Blob<Dtype> empty(vector<int>{0, 3});
  vector<Blob<Dtype>*> tops{&loss};
  auto setup = [&](vector<Blob<Dtype>*> bottoms, const std::string& param = "") {
    MakeLayer<Dtype>("type: 'TripletLoss' " + param)->SetUp(bottoms, tops);
  };
  EXPECT_THROW(setup({&a, &b}), ConfigError);
  EXPECT_THROW(setup({&a}), ShapeError);  // 4 rows are not 3N
  EXPECT_THROW(setup({&a, &b, &c}), ShapeError);
  EXPECT_THROW(setup({&empty}), ShapeError);
  EXPECT_THROW(setup({&empty, &empty, &empty}), ShapeError);
  Blob<Dtype> stacked(vector<int>{6, 3});
  EXPECT_THROW(setup({&stacked}, "triplet_loss_param { eps: -1 }"), ConfigError);
  EXPECT_NO_THROW(setup({&stacked}));
}

}  // namespace caffe
