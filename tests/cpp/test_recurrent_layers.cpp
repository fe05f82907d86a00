// Recurrent layers: RNN, LSTM (unrolled nets) and LSTMUnit. Forward values are
// checked against slow references written out step by step from the
// documented equations; gradients by finite differences.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "caffe/layers/recurrent_layer.hpp"
#include "caffe/net.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"

namespace caffe {

namespace {

const char* kFillers =
    " weight_filler { type: 'uniform' min: -0.6 max: 0.6 }"
    " bias_filler { type: 'uniform' min: -0.4 max: 0.4 } ";

string RecurrentText(const string& type, int num_output, bool expose_hidden = false) {
  return "name: 'rec' type: '" + type + "' recurrent_param { num_output: " +
         std::to_string(num_output) + kFillers +
         (expose_hidden ? " expose_hidden: true" : "") + " }";
}

double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// y[r] = sum_k W[r][k] v[k] for a row-major (rows, cols) matrix.
template <typename Dtype>
vector<double> MatVec(const Blob<Dtype>& weights, const vector<double>& v) {
  const int rows = weights.shape(0);
  const int cols = weights.shape(1);
  EXPECT_EQ(cols, static_cast<int>(v.size()));
  vector<double> y(rows, 0);
  for (int r = 0; r < rows; ++r) {
    for (int k = 0; k < cols; ++k) y[r] += weights.cpu_data()[r * cols + k] * v[k];
  }
  return y;
}

template <typename Dtype>
vector<double> Row(const Blob<Dtype>& blob, int index, int dim) {
  return vector<double>(blob.cpu_data() + index * dim, blob.cpu_data() + (index + 1) * dim);
}

// Sequence inputs and the states a reference run starts from and ends with.
template <typename Dtype>
struct Sequence {
  const Blob<Dtype>* x;
  const Blob<Dtype>* cont;
  const Blob<Dtype>* x_static;  // may be null
  vector<vector<double>> h;     // per stream, updated in place
  vector<vector<double>> c;     // LSTM only
};

// The RNN equations, one step and one stream at a time. Parameters in
// upstream's order: W_xh, b_h, [W_xh_static], W_hh, W_ho, b_o.
template <typename Dtype>
vector<double> ReferenceRNN(const vector<shared_ptr<Blob<Dtype>>>& params, Sequence<Dtype>* seq) {
  const bool has_static = seq->x_static != nullptr;
  const Blob<Dtype>& w_xh = *params[0];
  const Blob<Dtype>& b_h = *params[1];
  const Blob<Dtype>& w_hh = *params[has_static ? 3 : 2];
  const Blob<Dtype>& w_ho = *params[has_static ? 4 : 3];
  const Blob<Dtype>& b_o = *params[has_static ? 5 : 4];
  const int steps = seq->x->shape(0), streams = seq->x->shape(1);
  const int in_dim = seq->x->count(2), hidden = b_h.count();
  vector<double> out;
  for (int t = 0; t < steps; ++t) {
    for (int n = 0; n < streams; ++n) {
      const double cont = seq->cont->cpu_data()[t * streams + n];
      vector<double> h_prev = seq->h[n];
      for (double& v : h_prev) v *= cont;
      vector<double> pre = MatVec(w_hh, h_prev);
      const vector<double> from_x = MatVec(w_xh, Row(*seq->x, t * streams + n, in_dim));
      for (int d = 0; d < hidden; ++d) pre[d] += from_x[d] + b_h.cpu_data()[d];
      if (has_static) {
        const vector<double> from_static =
            MatVec(*params[2], Row(*seq->x_static, n, seq->x_static->count(1)));
        for (int d = 0; d < hidden; ++d) pre[d] += from_static[d];
      }
      for (int d = 0; d < hidden; ++d) seq->h[n][d] = std::tanh(pre[d]);
      const vector<double> o_pre = MatVec(w_ho, seq->h[n]);
      for (int d = 0; d < hidden; ++d) out.push_back(std::tanh(o_pre[d] + b_o.cpu_data()[d]));
    }
  }
  return out;
}

// The LSTM equations with gates in the order i, f, o, g. Parameters in
// upstream's order: W_xc, b_c, [W_xc_static], W_hc.
template <typename Dtype>
vector<double> ReferenceLSTM(const vector<shared_ptr<Blob<Dtype>>>& params,
                             Sequence<Dtype>* seq) {
  const bool has_static = seq->x_static != nullptr;
  const Blob<Dtype>& w_xc = *params[0];
  const Blob<Dtype>& b_c = *params[1];
  const Blob<Dtype>& w_hc = *params[has_static ? 3 : 2];
  const int steps = seq->x->shape(0), streams = seq->x->shape(1);
  const int in_dim = seq->x->count(2), hidden = b_c.count() / 4;
  vector<double> out;
  for (int t = 0; t < steps; ++t) {
    for (int n = 0; n < streams; ++n) {
      const double cont = seq->cont->cpu_data()[t * streams + n];
      vector<double> h_prev = seq->h[n];
      for (double& v : h_prev) v *= cont;
      vector<double> gates = MatVec(w_hc, h_prev);
      const vector<double> from_x = MatVec(w_xc, Row(*seq->x, t * streams + n, in_dim));
      for (int k = 0; k < 4 * hidden; ++k) gates[k] += from_x[k] + b_c.cpu_data()[k];
      if (has_static) {
        const vector<double> from_static =
            MatVec(*params[2], Row(*seq->x_static, n, seq->x_static->count(1)));
        for (int k = 0; k < 4 * hidden; ++k) gates[k] += from_static[k];
      }
      for (int d = 0; d < hidden; ++d) {
        const double i = Sigmoid(gates[d]);
        const double f = Sigmoid(gates[hidden + d]);
        const double o = Sigmoid(gates[2 * hidden + d]);
        const double g = std::tanh(gates[3 * hidden + d]);
        seq->c[n][d] = cont * f * seq->c[n][d] + i * g;
        seq->h[n][d] = o * std::tanh(seq->c[n][d]);
        out.push_back(seq->h[n][d]);
      }
    }
  }
  return out;
}

template <typename Dtype>
void ExpectBlobNear(const Blob<Dtype>& blob, const vector<double>& expected, double tol) {
  ASSERT_EQ(blob.count(), static_cast<int>(expected.size()));
  for (int i = 0; i < blob.count(); ++i) {
    EXPECT_NEAR(blob.cpu_data()[i], expected[i], tol) << "element " << i;
  }
}

template <typename Dtype>
void SetCont(Blob<Dtype>* cont, std::initializer_list<double> values) {
  SetData(cont, values);
}

template <typename Dtype>
double Tolerance() {
  return sizeof(Dtype) == sizeof(float) ? 2e-5 : 1e-10;
}

}  // namespace

template <typename Dtype>
class RecurrentLayerTest : public ::testing::Test {
 protected:
  // T = 3 steps, N = 2 streams, x of shape (3, 2, 3, 1) (flattened from
  // axis 2), x_static (2, 2).
  RecurrentLayerTest()
      : x_(RandomBlob<Dtype>({3, 2, 3, 1}, 11)),
        x_static_(RandomBlob<Dtype>({2, 2}, 12)),
        cont_(vector<int>{3, 2}) {
    // Stream 0 starts a new sequence at t = 2; stream 1 runs on.
    SetCont(&cont_, {0, 0, 1, 1, 0, 1});
  }

  shared_ptr<Layer<Dtype>> SetUpLayer(const string& text, const vector<Blob<Dtype>*>& bottom,
                                      const vector<Blob<Dtype>*>& top) {
    Caffe::set_random_seed(1701);
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottom, top);
    return layer;
  }

  Sequence<Dtype> Fresh(bool with_static, int hidden) {
    return Sequence<Dtype>{x_.get(), &cont_, with_static ? x_static_.get() : nullptr,
                           vector<vector<double>>(2, vector<double>(hidden, 0)),
                           vector<vector<double>>(2, vector<double>(hidden, 0))};
  }

  std::unique_ptr<Blob<Dtype>> x_;
  std::unique_ptr<Blob<Dtype>> x_static_;
  Blob<Dtype> cont_;
  Blob<Dtype> top_;
};
TYPED_TEST_SUITE(RecurrentLayerTest, TestDtypes);

TYPED_TEST(RecurrentLayerTest, RNNParameterShapesAndOrderAreUpstreams) {
  auto layer = this->SetUpLayer(RecurrentText("RNN", 4), {this->x_.get(), &this->cont_},
                                {&this->top_});
  const vector<vector<int>> expected = {{4, 3}, {4}, {4, 4}, {4, 4}, {4}};
  ASSERT_EQ(layer->blobs().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(layer->blobs()[i]->shape(), expected[i]);
  EXPECT_EQ(this->top_.shape(), (vector<int>{3, 2, 4}));

  Blob<TypeParam> top;
  auto with_static = this->SetUpLayer(
      RecurrentText("RNN", 4), {this->x_.get(), &this->cont_, this->x_static_.get()}, {&top});
  const vector<vector<int>> expected_static = {{4, 3}, {4}, {4, 2}, {4, 4}, {4, 4}, {4}};
  ASSERT_EQ(with_static->blobs().size(), expected_static.size());
  for (size_t i = 0; i < expected_static.size(); ++i) {
    EXPECT_EQ(with_static->blobs()[i]->shape(), expected_static[i]);
  }
}

TYPED_TEST(RecurrentLayerTest, LSTMParameterShapesAndOrderAreUpstreams) {
  auto layer = this->SetUpLayer(RecurrentText("LSTM", 5), {this->x_.get(), &this->cont_},
                                {&this->top_});
  const vector<vector<int>> expected = {{20, 3}, {20}, {20, 5}};
  ASSERT_EQ(layer->blobs().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(layer->blobs()[i]->shape(), expected[i]);
  EXPECT_EQ(this->top_.shape(), (vector<int>{3, 2, 5}));
  // The unrolled net: one LSTMUnit per step, named after this layer, and the
  // recurrent state blobs under upstream's names.
  const Net<TypeParam>& unrolled =
      dynamic_cast<RecurrentLayer<TypeParam>*>(layer.get())->unrolled_net();
  for (const string name : {"rec_unit_1", "rec_unit_2", "rec_unit_3"}) {
    ASSERT_TRUE(unrolled.has_layer(name)) << name;
    EXPECT_STREQ(unrolled.layer_by_name(name)->type(), "LSTMUnit");
  }
  EXPECT_FALSE(unrolled.has_layer("rec_unit_4"));
  for (const string name : {"h_0", "c_0", "h_3", "c_T", "h"}) {
    EXPECT_TRUE(unrolled.has_blob(name)) << name;
  }
  EXPECT_EQ(unrolled.blob_by_name("c_T")->shape(), (vector<int>{1, 2, 5}));

  Blob<TypeParam> top;
  auto with_static = this->SetUpLayer(
      RecurrentText("LSTM", 5), {this->x_.get(), &this->cont_, this->x_static_.get()}, {&top});
  const vector<vector<int>> expected_static = {{20, 3}, {20}, {20, 2}, {20, 5}};
  ASSERT_EQ(with_static->blobs().size(), expected_static.size());
  for (size_t i = 0; i < expected_static.size(); ++i) {
    EXPECT_EQ(with_static->blobs()[i]->shape(), expected_static[i]);
  }
}

TYPED_TEST(RecurrentLayerTest, RNNForwardMatchesReference) {
  for (bool with_static : {false, true}) {
    vector<Blob<TypeParam>*> bottom{this->x_.get(), &this->cont_};
    if (with_static) bottom.push_back(this->x_static_.get());
    Blob<TypeParam> top;
    auto layer = this->SetUpLayer(RecurrentText("RNN", 4), bottom, {&top});
    layer->Forward(bottom, {&top});
    auto seq = this->Fresh(with_static, 4);
    ExpectBlobNear(top, ReferenceRNN(layer->blobs(), &seq), Tolerance<TypeParam>());
  }
}

TYPED_TEST(RecurrentLayerTest, LSTMForwardMatchesReference) {
  for (bool with_static : {false, true}) {
    vector<Blob<TypeParam>*> bottom{this->x_.get(), &this->cont_};
    if (with_static) bottom.push_back(this->x_static_.get());
    Blob<TypeParam> top;
    auto layer = this->SetUpLayer(RecurrentText("LSTM", 3), bottom, {&top});
    layer->Forward(bottom, {&top});
    auto seq = this->Fresh(with_static, 3);
    ExpectBlobNear(top, ReferenceLSTM(layer->blobs(), &seq), Tolerance<TypeParam>());
  }
}

// Without expose_hidden the final state of one batch starts the next, unless
// cont is 0 there; Reset() zeroes it.
TYPED_TEST(RecurrentLayerTest, StateCarriesOverBatchesUntilContIsZero) {
  typedef TypeParam Dtype;
  for (const string type : {"RNN", "LSTM"}) {
    vector<Blob<Dtype>*> bottom{this->x_.get(), &this->cont_};
    Blob<Dtype> top;
    auto layer = this->SetUpLayer(RecurrentText(type, 3), bottom, {&top});
    auto reference = [&](Sequence<Dtype>* seq) {
      return type == "RNN" ? ReferenceRNN(layer->blobs(), seq)
                           : ReferenceLSTM(layer->blobs(), seq);
    };
    auto seq = this->Fresh(false, 3);
    layer->Forward(bottom, {&top});
    ExpectBlobNear(top, reference(&seq), Tolerance<Dtype>());
    // Second batch continues every stream from the first batch's end.
    SetCont(&this->cont_, {1, 1, 1, 0, 1, 1});
    layer->Forward(bottom, {&top});
    const vector<double> continued = reference(&seq);
    ExpectBlobNear(top, continued, Tolerance<Dtype>());
    // After Reset the same batch starts from zero state, which differs.
    static_cast<RecurrentLayer<Dtype>*>(layer.get())->Reset();
    layer->Forward(bottom, {&top});
    auto fresh = this->Fresh(false, 3);
    const vector<double> restarted = reference(&fresh);
    ExpectBlobNear(top, restarted, Tolerance<Dtype>());
    EXPECT_GT(std::fabs(continued[0] - restarted[0]), 1e-4) << type;
    SetCont(&this->cont_, {0, 0, 1, 1, 0, 1});
  }
}

// A sequence cut by cont = 0 gives the same outputs after the cut as the
// tail run on its own.
TYPED_TEST(RecurrentLayerTest, ContZeroResetsToAFreshSequence) {
  typedef TypeParam Dtype;
  // Stream 0 restarts at t = 1 and runs on to t = 2.
  SetCont(&this->cont_, {0, 0, 0, 1, 1, 1});
  for (const string type : {"RNN", "LSTM"}) {
    Blob<Dtype> long_top, short_top;
    auto long_layer = this->SetUpLayer(RecurrentText(type, 3), {this->x_.get(), &this->cont_},
                                       {&long_top});
    long_layer->Forward({this->x_.get(), &this->cont_}, {&long_top});
    // Stream 0's steps 1..2 alone, as a T = 2 sequence.
    Blob<Dtype> tail_x(vector<int>{2, 1, 3, 1}), tail_cont(vector<int>{2, 1});
    for (int t = 0; t < 2; ++t) {
      for (int i = 0; i < 3; ++i) {
        tail_x.mutable_cpu_data()[t * 3 + i] = this->x_->cpu_data()[((t + 1) * 2 + 0) * 3 + i];
      }
    }
    SetCont(&tail_cont, {0, 1});
    auto short_layer = this->SetUpLayer(RecurrentText(type, 3), {&tail_x, &tail_cont},
                                        {&short_top});
    for (size_t p = 0; p < long_layer->blobs().size(); ++p) {
      short_layer->blobs()[p]->CopyFrom(*long_layer->blobs()[p]);
    }
    short_layer->Forward({&tail_x, &tail_cont}, {&short_top});
    for (int t = 0; t < 2; ++t) {
      for (int d = 0; d < 3; ++d) {
        EXPECT_NEAR(short_top.cpu_data()[t * 3 + d], long_top.cpu_data()[((t + 1) * 2) * 3 + d],
                    Tolerance<Dtype>())
            << type << " t " << t << " d " << d;
      }
    }
  }
}

// Running T = 3 in one go equals T = 2 then T = 1 with the state handed over
// through the exposed hidden tops and bottoms.
TYPED_TEST(RecurrentLayerTest, ExposeHiddenRoundTrip) {
  typedef TypeParam Dtype;
  for (const string type : {"RNN", "LSTM"}) {
    const int num_states = type == "RNN" ? 1 : 2;
    SetCont(&this->cont_, {0, 0, 1, 1, 1, 0});
    Blob<Dtype> full_top;
    auto full = this->SetUpLayer(RecurrentText(type, 3), {this->x_.get(), &this->cont_},
                                 {&full_top});
    full->Forward({this->x_.get(), &this->cont_}, {&full_top});

    vector<int> first_shape{2, 2, 3, 1}, second_shape{1, 2, 3, 1};
    Blob<Dtype> x1(first_shape), x2(second_shape), cont1(vector<int>{2, 2}),
        cont2(vector<int>{1, 2});
    caffe_copy(x1.count(), this->x_->cpu_data(), x1.mutable_cpu_data());
    caffe_copy(x2.count(), this->x_->cpu_data() + x1.count(), x2.mutable_cpu_data());
    SetCont(&cont1, {0, 0, 1, 1});
    SetCont(&cont2, {1, 0});
    vector<Blob<Dtype>> states_in(num_states), states_out(num_states), states_end(num_states);
    for (auto& s : states_in) s.Reshape(vector<int>{1, 2, 3});
    Blob<Dtype> top1, top2;
    vector<Blob<Dtype>*> bottom1{&x1, &cont1}, bottom2{&x2, &cont2}, tops1{&top1}, tops2{&top2};
    for (auto& s : states_in) {
      bottom1.push_back(&s);
      bottom2.push_back(&s);
    }
    for (auto& s : states_out) tops1.push_back(&s);
    for (auto& s : states_end) tops2.push_back(&s);
    auto first = this->SetUpLayer(RecurrentText(type, 3, true), bottom1, tops1);
    auto second = this->SetUpLayer(RecurrentText(type, 3, true), bottom2, tops2);
    ASSERT_EQ(first->blobs().size(), full->blobs().size());
    for (size_t p = 0; p < full->blobs().size(); ++p) {
      first->blobs()[p]->CopyFrom(*full->blobs()[p]);
      second->blobs()[p]->CopyFrom(*full->blobs()[p]);
    }
    // Non-zero initial states are ignored here because cont starts at 0.
    for (auto& s : states_in) caffe_set(s.count(), Dtype(5), s.mutable_cpu_data());
    first->Forward(bottom1, tops1);
    EXPECT_EQ(states_out[0].shape(), (vector<int>{1, 2, 3}));
    for (int s = 0; s < num_states; ++s) states_in[s].CopyFrom(states_out[s]);
    second->Forward(bottom2, tops2);
    for (int i = 0; i < top1.count(); ++i) {
      EXPECT_NEAR(top1.cpu_data()[i], full_top.cpu_data()[i], Tolerance<Dtype>()) << type;
    }
    for (int i = 0; i < top2.count(); ++i) {
      EXPECT_NEAR(top2.cpu_data()[i], full_top.cpu_data()[top1.count() + i], Tolerance<Dtype>())
          << type;
    }
    // The exposed initial state is used: stream 0 continues from it at the
    // second call, so a different state changes stream 0's output only.
    for (auto& s : states_in) caffe_set(s.count(), Dtype(0.5), s.mutable_cpu_data());
    second->Forward(bottom2, tops2);
    EXPECT_GT(std::fabs(top2.cpu_data()[0] - full_top.cpu_data()[top1.count()]), 1e-4) << type;
    EXPECT_NEAR(top2.cpu_data()[3], full_top.cpu_data()[top1.count() + 3], Tolerance<Dtype>());
    SetCont(&this->cont_, {0, 0, 1, 1, 0, 1});
  }
}

TYPED_TEST(RecurrentLayerTest, BatchSizeMayChangeButNotTimeSteps) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottom{this->x_.get(), &this->cont_, this->x_static_.get()};
  auto layer = this->SetUpLayer(RecurrentText("LSTM", 3), bottom, {&top});
  auto x = RandomBlob<Dtype>({3, 4, 3, 1}, 21);
  auto x_static = RandomBlob<Dtype>({4, 2}, 22);
  Blob<Dtype> cont(vector<int>{3, 4});
  caffe_set(cont.count(), Dtype(1), cont.mutable_cpu_data());
  caffe_set(4, Dtype(0), cont.mutable_cpu_data());
  layer->Forward({x.get(), &cont, x_static.get()}, {&top});
  EXPECT_EQ(top.shape(), (vector<int>{3, 4, 3}));
  Sequence<Dtype> seq{x.get(), &cont, x_static.get(),
                      vector<vector<double>>(4, vector<double>(3, 0)),
                      vector<vector<double>>(4, vector<double>(3, 0))};
  ExpectBlobNear(top, ReferenceLSTM(layer->blobs(), &seq), Tolerance<Dtype>());

  auto longer = RandomBlob<Dtype>({4, 4, 3, 1}, 23);
  Blob<Dtype> longer_cont(vector<int>{4, 4});
  EXPECT_THROW(layer->Forward({longer.get(), &longer_cont, x_static.get()}, {&top}), ShapeError);
}

TYPED_TEST(RecurrentLayerTest, BadConfigurationsThrow) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  EXPECT_THROW(this->SetUpLayer("type: 'RNN' recurrent_param { }",
                                {this->x_.get(), &this->cont_}, {&top}),
               ConfigError);
  Blob<Dtype> bad_cont(vector<int>{3, 3});
  EXPECT_THROW(this->SetUpLayer(RecurrentText("LSTM", 2), {this->x_.get(), &bad_cont}, {&top}),
               ShapeError);
  Blob<Dtype> flat_x(vector<int>{3}), cont_1d(vector<int>{3, 1});
  EXPECT_THROW(this->SetUpLayer(RecurrentText("RNN", 2), {&flat_x, &cont_1d}, {&top}),
               ShapeError);
  Blob<Dtype> bad_static(vector<int>{3, 2});
  EXPECT_THROW(this->SetUpLayer(RecurrentText("RNN", 2),
                                {this->x_.get(), &this->cont_, &bad_static}, {&top}),
               ShapeError);
  // expose_hidden needs the state bottoms and tops.
  EXPECT_THROW(
      this->SetUpLayer(RecurrentText("LSTM", 2, true), {this->x_.get(), &this->cont_}, {&top}),
      ConfigError);
  Blob<Dtype> h0(vector<int>{1, 2, 3}), c0(vector<int>{1, 2, 2}), h_t, c_t;
  EXPECT_THROW(this->SetUpLayer(RecurrentText("LSTM", 2, true),
                                {this->x_.get(), &this->cont_, &h0, &c0}, {&top, &h_t, &c_t}),
               ShapeError);
  auto layer = this->SetUpLayer(RecurrentText("RNN", 2), {this->x_.get(), &this->cont_}, {&top});
  layer->Forward({this->x_.get(), &this->cont_}, {&top});
  EXPECT_THROW(layer->Backward({&top}, {true, true}, {this->x_.get(), &this->cont_}),
               ConfigError);
}

// A bottom that asks for no gradient keeps its diff; the parameters still
// get theirs.
TYPED_TEST(RecurrentLayerTest, PropagateDownFalseLeavesTheBottomDiffAlone) {
  typedef TypeParam Dtype;
  for (const string type : {"RNN", "LSTM"}) {
    vector<Blob<Dtype>*> bottom{this->x_.get(), &this->cont_, this->x_static_.get()};
    Blob<Dtype> top;
    auto layer = this->SetUpLayer(RecurrentText(type, 2), bottom, {&top});
    layer->Forward(bottom, {&top});
    caffe_set(top.count(), Dtype(1), top.mutable_cpu_diff());
    caffe_set(this->x_->count(), Dtype(3), this->x_->mutable_cpu_diff());
    caffe_set(this->x_static_->count(), Dtype(4), this->x_static_->mutable_cpu_diff());
    for (auto& blob : layer->blobs()) caffe_set(blob->count(), Dtype(0), blob->mutable_cpu_diff());
    layer->Backward({&top}, {false, false, true}, bottom);
    for (int i = 0; i < this->x_->count(); ++i) EXPECT_EQ(this->x_->cpu_diff()[i], Dtype(3));
    EXPECT_NE(this->x_static_->cpu_diff()[0], Dtype(4)) << type;
    for (auto& blob : layer->blobs()) EXPECT_GT(blob->asum_diff(), 0) << type;
    // And the other way round.
    caffe_set(this->x_static_->count(), Dtype(4), this->x_static_->mutable_cpu_diff());
    layer->Backward({&top}, {true, false, false}, bottom);
    for (int i = 0; i < this->x_static_->count(); ++i) {
      EXPECT_EQ(this->x_static_->cpu_diff()[i], Dtype(4));
    }
    EXPECT_NE(this->x_->cpu_diff()[0], Dtype(3)) << type;
  }
}

TYPED_TEST(RecurrentLayerTest, RNNGradient) {
  // Every stream starts a sequence at t = 0, so repeated forwards agree.
  SetCont(&this->cont_, {0, 0, 1, 1, 0, 1});
  auto layer = MakeLayer<TypeParam>(RecurrentText("RNN", 3));
  GradientChecker<TypeParam>(1e-2, 1e-3).CheckGradient(
      layer.get(), {this->x_.get(), &this->cont_}, {&this->top_}, 0);
}

TYPED_TEST(RecurrentLayerTest, RNNGradientWithStaticInput) {
  auto layer = MakeLayer<TypeParam>(RecurrentText("RNN", 2));
  GradientChecker<TypeParam>(1e-2, 1e-3).CheckGradient(
      layer.get(), {this->x_.get(), &this->cont_, this->x_static_.get()}, {&this->top_}, 2);
}

TYPED_TEST(RecurrentLayerTest, LSTMGradient) {
  auto layer = MakeLayer<TypeParam>(RecurrentText("LSTM", 3));
  GradientChecker<TypeParam>(1e-2, 1e-3).CheckGradient(
      layer.get(), {this->x_.get(), &this->cont_}, {&this->top_}, 0);
}

TYPED_TEST(RecurrentLayerTest, LSTMGradientWithStaticInput) {
  auto layer = MakeLayer<TypeParam>(RecurrentText("LSTM", 2));
  GradientChecker<TypeParam>(1e-2, 1e-3).CheckGradient(
      layer.get(), {this->x_.get(), &this->cont_, this->x_static_.get()}, {&this->top_}, 2);
}

// ------------------------------------------------------------- in a Net ---

const char* kSequenceNet = R"(
layer { name: "in" type: "Input" top: "x" top: "cont" top: "target"
  input_param { shape { dim: 4 dim: 2 dim: 3 } shape { dim: 4 dim: 2 }
                shape { dim: 4 dim: 2 dim: 1 } } }
layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h"
  recurrent_param { num_output: 4 weight_filler { type: "uniform" min: -0.3 max: 0.3 } } }
layer { name: "rnn" type: "RNN" bottom: "h" bottom: "cont" top: "o"
  recurrent_param { num_output: 3 weight_filler { type: "uniform" min: -0.3 max: 0.3 } } }
layer { name: "ip" type: "InnerProduct" bottom: "o" top: "y"
  inner_product_param { num_output: 1 axis: 2 weight_filler { type: "uniform" min: -0.3 max: 0.3 } } }
layer { name: "loss" type: "EuclideanLoss" bottom: "y" bottom: "target" top: "loss" }
)";

// Stacked LSTM and RNN layers learn inside a Net, and their trained
// parameters survive a .caffemodel round trip.
TEST(RecurrentNetTest, TrainsAndRoundTripsThroughCaffemodel) {
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kSequenceNet, &param));
  Caffe::set_random_seed(77);
  Net<double> net(param);
  EXPECT_EQ(net.layer_by_name("lstm")->blobs().size(), 3u);
  EXPECT_EQ(net.layer_by_name("rnn")->blobs().size(), 5u);
  EXPECT_EQ(net.learnable_params().size(), 3u + 5u + 2u);
  Caffe::set_random_seed(78);
  for (Blob<double>* input : {net.input_blobs()[0], net.input_blobs()[2]}) {
    caffe_rng_uniform<double>(input->count(), -1, 1, input->mutable_cpu_data());
  }
  SetData(net.input_blobs()[1], {0, 0, 1, 1, 1, 1, 1, 1});
  double first = 0, last = 0;
  for (int iter = 0; iter < 600; ++iter) {
    net.ClearParamDiffs();
    last = net.ForwardBackward();
    if (iter == 0) first = last;
    for (Blob<double>* p : net.learnable_params()) p->scale_diff(0.3);
    net.Update();
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;

  NetParameter trained;
  net.ToProto(&trained);
  Net<double> loaded(param);
  loaded.CopyTrainedLayersFrom(trained);
  for (int i = 0; i < 3; ++i) loaded.input_blobs()[i]->CopyFrom(*net.input_blobs()[i]);
  double loaded_loss;
  loaded.Forward(&loaded_loss);
  double reference_loss;
  net.Forward(&reference_loss);
  EXPECT_NEAR(loaded_loss, reference_loss, 1e-12);
}

// Weights saved in upstream's layout (blob order and shapes) load into the
// layer and drive the computation.
TEST(RecurrentNetTest, LoadsWeightsInUpstreamLayout) {
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kSequenceNet, &param));
  Caffe::set_random_seed(79);
  Net<double> net(param);
  NetParameter saved;
  LayerParameter* lstm = saved.add_layer();
  lstm->set_name("lstm");
  lstm->set_type("LSTM");
  const vector<vector<int>> upstream_shapes = {{16, 3}, {16}, {16, 4}};
  for (size_t b = 0; b < upstream_shapes.size(); ++b) {
    Blob<double> blob(upstream_shapes[b]);
    for (int i = 0; i < blob.count(); ++i) {
      blob.mutable_cpu_data()[i] = std::sin(0.37 * i + static_cast<double>(b));
    }
    blob.ToProto(lstm->add_blobs());
  }
  net.CopyTrainedLayersFrom(saved);
  const auto& blobs = net.layer_by_name("lstm")->blobs();
  for (size_t b = 0; b < upstream_shapes.size(); ++b) {
    EXPECT_EQ(blobs[b]->cpu_data()[5], std::sin(0.37 * 5 + static_cast<double>(b)));
  }
  Caffe::set_random_seed(80);
  caffe_rng_uniform<double>(net.input_blobs()[0]->count(), -1, 1,
                            net.input_blobs()[0]->mutable_cpu_data());
  SetData(net.input_blobs()[1], {0, 0, 1, 1, 0, 1, 1, 1});
  net.Forward();
  Sequence<double> seq{net.input_blobs()[0], net.input_blobs()[1], nullptr,
                       vector<vector<double>>(2, vector<double>(4, 0)),
                       vector<vector<double>>(2, vector<double>(4, 0))};
  ExpectBlobNear(*net.blob_by_name("h"), ReferenceLSTM(blobs, &seq), 1e-12);

  // Blobs in another order (W_hc before b_c) do not fit.
  NetParameter misordered(saved);
  misordered.mutable_layer(0)->mutable_blobs()->SwapElements(1, 2);
  EXPECT_THROW(net.CopyTrainedLayersFrom(misordered), ShapeError);
}

// A TEST net sharing a TRAIN net's weights (as the solver does) follows the
// training updates in every time step of its unrolled nets.
TEST(RecurrentNetTest, SharedTrainedWeightsReachEveryTimeStep) {
  NetParameter param;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kSequenceNet, &param));
  Caffe::set_random_seed(81);
  Net<double> train(param);
  NetParameter test_param(param);
  test_param.mutable_state()->set_phase(TEST);
  Net<double> test(test_param);
  test.ShareTrainedLayersWith(&train);
  Caffe::set_random_seed(82);
  for (Net<double>* net : {&train, &test}) {
    for (int i : {0, 2}) {
      caffe_rng_uniform<double>(net->input_blobs()[i]->count(), -1, 1,
                                net->input_blobs()[i]->mutable_cpu_data());
    }
    SetData(net->input_blobs()[1], {0, 0, 1, 1, 1, 1, 1, 1});
  }
  test.input_blobs()[0]->CopyFrom(*train.input_blobs()[0]);
  test.input_blobs()[2]->CopyFrom(*train.input_blobs()[2]);
  for (int iter = 0; iter < 3; ++iter) {
    train.ClearParamDiffs();
    train.ForwardBackward();
    for (Blob<double>* p : train.learnable_params()) p->scale_diff(0.5);
    train.Update();
  }
  double train_loss, test_loss;
  train.Forward(&train_loss);
  test.Forward(&test_loss);
  EXPECT_NEAR(test_loss, train_loss, 1e-12);
  const Blob<double>& train_y = *train.blob_by_name("y");
  const Blob<double>& test_y = *test.blob_by_name("y");
  for (int i = 0; i < train_y.count(); ++i) {
    EXPECT_NEAR(test_y.cpu_data()[i], train_y.cpu_data()[i], 1e-12);
  }
}

// ------------------------------------------------------------- LSTMUnit ---

template <typename Dtype>
class LSTMUnitLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(LSTMUnitLayerTest, TestDtypes);

TYPED_TEST(LSTMUnitLayerTest, ForwardByHand) {
  typedef TypeParam Dtype;
  // N = 2 streams, D = 1: stream 0 continues (cont 1), stream 1 restarts.
  Blob<Dtype> c_prev(vector<int>{1, 2, 1}), gates(vector<int>{1, 2, 4}), cont(vector<int>{1, 2});
  SetData(&c_prev, {0.5, -2});
  SetData(&gates, {0.1, -0.2, 0.3, 0.4, 1, 2, -1, -0.5});
  SetData(&cont, {1, 0});
  Blob<Dtype> c, h;
  auto layer = MakeLayer<Dtype>("type: 'LSTMUnit'");
  layer->SetUp({&c_prev, &gates, &cont}, {&c, &h});
  layer->Forward({&c_prev, &gates, &cont}, {&c, &h});
  const double c0 = Sigmoid(-0.2) * 0.5 + Sigmoid(0.1) * std::tanh(0.4);
  const double c1 = Sigmoid(1) * std::tanh(-0.5);
  ExpectValues(c.cpu_data(), {c0, c1});
  ExpectValues(h.cpu_data(), {Sigmoid(0.3) * std::tanh(c0), Sigmoid(-1) * std::tanh(c1)});
}

TYPED_TEST(LSTMUnitLayerTest, Gradient) {
  typedef TypeParam Dtype;
  auto c_prev = RandomBlob<Dtype>({1, 3, 2}, 31);
  auto gates = RandomBlob<Dtype>({1, 3, 8}, 32, -2, 2);
  Blob<Dtype> cont(vector<int>{1, 3}), c, h;
  SetData(&cont, {1, 0, 1});
  for (int bottom : {0, 1}) {
    auto layer = MakeLayer<Dtype>("type: 'LSTMUnit'");
    GradientChecker<Dtype>(1e-2, 1e-3).CheckGradient(layer.get(), {c_prev.get(), gates.get(), &cont},
                                                     {&c, &h}, bottom);
  }
}

TYPED_TEST(LSTMUnitLayerTest, BadShapesThrow) {
  typedef TypeParam Dtype;
  Blob<Dtype> c_prev(vector<int>{1, 2, 3}), gates(vector<int>{1, 2, 9}), cont(vector<int>{1, 2});
  Blob<Dtype> c, h;
  EXPECT_THROW(MakeLayer<Dtype>("type: 'LSTMUnit'")->SetUp({&c_prev, &gates, &cont}, {&c, &h}),
               ShapeError);
  Blob<Dtype> good_gates(vector<int>{1, 2, 12}), bad_cont(vector<int>{2, 2});
  EXPECT_THROW(
      MakeLayer<Dtype>("type: 'LSTMUnit'")->SetUp({&c_prev, &good_gates, &bad_cont}, {&c, &h}),
      ShapeError);
  EXPECT_THROW(
      MakeLayer<Dtype>("type: 'LSTMUnit'")->SetUp({&c_prev, &good_gates, &cont}, {&c_prev, &h}),
      ConfigError);
}

}  // namespace caffe
