// Structural layers: Split, Concat, Slice, Flatten, Reshape, Tile, Filter,
// BatchReindex, Silence, Parameter, Input, DummyData.
#include <gtest/gtest.h>

#include "common_layer_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {

template <typename Dtype>
class CommonLayerTest : public ::testing::Test {};
TYPED_TEST_SUITE(CommonLayerTest, TestDtypes);

// ---------------------------------------------------------------- Split ---

TYPED_TEST(CommonLayerTest, SplitSharesDataAndSumsDiffs) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3}, 1);
  Blob<Dtype> t0, t1, t2;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&t0, &t1, &t2};
  auto layer = MakeLayer<Dtype>("type: 'Split'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  for (Blob<Dtype>* t : tops) {
    EXPECT_EQ(t->shape(), bottom->shape());
    EXPECT_EQ(t->cpu_data(), bottom->cpu_data());
  }
  for (int i = 0; i < 6; ++i) {
    t0.mutable_cpu_diff()[i] = i;
    t1.mutable_cpu_diff()[i] = 10 * i;
    t2.mutable_cpu_diff()[i] = 100 * i;
  }
  layer->Backward(tops, {true}, bottoms);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(bottom->cpu_diff()[i], Dtype(111 * i));
}

TYPED_TEST(CommonLayerTest, SplitRejectsInPlace) {
  auto bottom = RandomBlob<TypeParam>({2, 3}, 1);
  Blob<TypeParam> other;
  vector<Blob<TypeParam>*> bottoms{bottom.get()}, tops{&other, bottom.get()};
  EXPECT_THROW(MakeLayer<TypeParam>("type: 'Split'")->SetUp(bottoms, tops), ConfigError);
}

TYPED_TEST(CommonLayerTest, SplitGradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 2);
  Blob<TypeParam> t0, t1;
  auto layer = MakeLayer<TypeParam>("type: 'Split'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&t0, &t1});
}

// --------------------------------------------------------------- Concat ---

TYPED_TEST(CommonLayerTest, ConcatChannelsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2, 1, 2}), b(vector<int>{2, 2, 2}), top;
  SetData(&a, {1, 2, 3, 4});
  SetData(&b, {10, 11, 12, 13, 14, 15, 16, 17});
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Concat'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 3, 2}));
  ExpectValues(top.cpu_data(), {1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17});
  for (int i = 0; i < 12; ++i) top.mutable_cpu_diff()[i] = i;
  layer->Backward(tops, {true, true}, bottoms);
  ExpectValues(a.cpu_diff(), {0, 1, 6, 7});
  ExpectValues(b.cpu_diff(), {2, 3, 4, 5, 8, 9, 10, 11});
}

TYPED_TEST(CommonLayerTest, ConcatAxisZeroNegativeAndLegacy) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{1, 2}), b(vector<int>{2, 2}), top;
  SetData(&a, {1, 2});
  SetData(&b, {3, 4, 5, 6});
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  for (const char* text : {"type: 'Concat' concat_param { axis: 0 }",
                           "type: 'Concat' concat_param { axis: -2 }",
                           "type: 'Concat' concat_param { concat_dim: 0 }"}) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), (vector<int>{3, 2})) << text;
    ExpectValues(top.cpu_data(), {1, 2, 3, 4, 5, 6});
  }
}

TYPED_TEST(CommonLayerTest, ConcatSingleBottomAliases) {
  auto a = RandomBlob<TypeParam>({2, 3}, 3);
  Blob<TypeParam> top;
  vector<Blob<TypeParam>*> bottoms{a.get()}, tops{&top};
  auto layer = MakeLayer<TypeParam>("type: 'Concat'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.cpu_data(), a->cpu_data());
  EXPECT_EQ(top.cpu_diff(), a->cpu_diff());
}

TYPED_TEST(CommonLayerTest, ConcatBadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> a(vector<int>{2, 3}), b(vector<int>{3, 3}), top;
  vector<Blob<Dtype>*> bottoms{&a, &b}, tops{&top};
  // Shapes differ along axis 0, which is not the concat axis.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(bottoms, tops), ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { axis: 2 }")->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { concat_dim: 5 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat' concat_param { axis: 0 concat_dim: 0 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  Blob<Dtype> c(vector<int>{2, 3, 1});
  vector<Blob<Dtype>*> mixed_axes{&a, &c};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(mixed_axes, tops), ShapeError);
  Blob<Dtype> d(vector<int>{2, 3});
  vector<Blob<Dtype>*> same{&a, &d}, in_place{&d};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Concat'")->SetUp(same, in_place), ConfigError);
}

TYPED_TEST(CommonLayerTest, ConcatGradient) {
  auto a = RandomBlob<TypeParam>({2, 3, 2}, 4);
  auto b = RandomBlob<TypeParam>({2, 1, 2}, 5);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Concat'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {a.get(), b.get()}, {&top});
}

TYPED_TEST(CommonLayerTest, ConcatMatchesUpstream) { CheckReferenceLayerCase<TypeParam>("concat_c"); }

// ---------------------------------------------------------------- Slice ---

TYPED_TEST(CommonLayerTest, SliceAtPointsByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 4}), t0, t1;
  SetData(&bottom, {0, 1, 2, 3, 4, 5, 6, 7});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 1 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 1}));
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  ExpectValues(t0.cpu_data(), {0, 4});
  ExpectValues(t1.cpu_data(), {1, 2, 3, 5, 6, 7});
  SetDiff(&t0, {-1, -2});
  SetDiff(&t1, {1, 2, 3, 4, 5, 6});
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {-1, 1, 2, 3, -2, 4, 5, 6});
}

TYPED_TEST(CommonLayerTest, SliceEvenlyAndLegacyDim) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{4, 2}), t0, t1;
  SetData(&bottom, {0, 1, 2, 3, 4, 5, 6, 7});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&t0, &t1};
  for (const char* text : {"type: 'Slice' slice_param { axis: 0 }",
                           "type: 'Slice' slice_param { slice_dim: 0 }"}) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(t0.shape(), (vector<int>{2, 2})) << text;
    ExpectValues(t0.cpu_data(), {0, 1, 2, 3});
    ExpectValues(t1.cpu_data(), {4, 5, 6, 7});
  }
}

TYPED_TEST(CommonLayerTest, SliceBadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 5}), t0, t1, t2;
  vector<Blob<Dtype>*> bottoms{&bottom}, two{&t0, &t1}, three{&t0, &t1, &t2};
  // 5 is not divisible by 2 tops.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice'")->SetUp(bottoms, two), ShapeError);
  // Two points need three tops.
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 1 slice_point: 2 }")
                   ->SetUp(bottoms, two),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 3 slice_point: 2 }")
                   ->SetUp(bottoms, three),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { slice_point: 6 }")
                   ->SetUp(bottoms, two),
               ShapeError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { axis: 3 }")->SetUp(bottoms, two),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice' slice_param { axis: 1 slice_dim: 1 }")
                   ->SetUp(bottoms, two),
               ConfigError);
  Blob<Dtype> even(vector<int>{2, 4});
  vector<Blob<Dtype>*> even_bottoms{&even}, in_place{&t0, &even};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Slice'")->SetUp(even_bottoms, in_place), ConfigError);
}

TYPED_TEST(CommonLayerTest, SliceGradient) {
  auto bottom = RandomBlob<TypeParam>({2, 5, 2}, 6);
  Blob<TypeParam> t0, t1, t2;
  auto layer =
      MakeLayer<TypeParam>("type: 'Slice' slice_param { slice_point: 1 slice_point: 3 }");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&t0, &t1, &t2});
}

TYPED_TEST(CommonLayerTest, SliceMatchesUpstream) { CheckReferenceLayerCase<TypeParam>("slice"); }

// -------------------------------------------------------------- Flatten ---

TYPED_TEST(CommonLayerTest, FlattenShapes) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 4, 5}, 7);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  const std::pair<const char*, vector<int>> cases[] = {
      {"type: 'Flatten'", {2, 60}},
      {"type: 'Flatten' flatten_param { axis: 2 }", {2, 3, 20}},
      {"type: 'Flatten' flatten_param { axis: 1 end_axis: 2 }", {2, 12, 5}},
      {"type: 'Flatten' flatten_param { axis: 0 end_axis: -2 }", {24, 5}},
      {"type: 'Flatten' flatten_param { axis: 2 end_axis: 1 }", {2, 3, 1, 4, 5}},
  };
  for (const auto& [text, shape] : cases) {
    auto layer = MakeLayer<Dtype>(text);
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), shape) << text;
    EXPECT_EQ(top.cpu_data(), bottom->cpu_data());
  }
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten' flatten_param { axis: 3 end_axis: 1 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten' flatten_param { end_axis: 4 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> in_place{bottom.get()};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Flatten'")->SetUp(bottoms, in_place), ConfigError);
}

TYPED_TEST(CommonLayerTest, FlattenGradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 8);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Flatten'");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&top});
}

TYPED_TEST(CommonLayerTest, FlattenMatchesUpstream) {
  CheckReferenceLayerCase<TypeParam>("flatten");
}

// -------------------------------------------------------------- Reshape ---

TYPED_TEST(CommonLayerTest, ReshapeCopyInferAndRanges) {
  typedef TypeParam Dtype;
  auto bottom = RandomBlob<Dtype>({2, 3, 6, 5}, 9);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> bottoms{bottom.get()}, tops{&top};
  const std::pair<const char*, vector<int>> cases[] = {
      {"shape { dim: 0 dim: -1 }", {2, 90}},
      {"shape { dim: 0 dim: 3 dim: 30 }", {2, 3, 30}},
      {"shape { dim: -1 dim: 5 }", {36, 5}},
      {"shape { dim: 0 dim: 0 dim: 0 dim: 0 }", {2, 3, 6, 5}},
      {"shape { dim: 6 dim: 1 dim: 0 dim: -1 }", {6, 1, 6, 5}},
      {"shape { dim: 2 dim: 3 } axis: 2 num_axes: 1", {2, 3, 2, 3, 5}},
      {"shape { dim: 1 } axis: 1 num_axes: 0", {2, 1, 3, 6, 5}},
      {"shape { dim: 1 } axis: -1 num_axes: 0", {2, 3, 6, 5, 1}},
      {"shape { dim: -1 } axis: 1", {2, 90}},
      {"shape { dim: -1 } axis: 0 num_axes: 2", {6, 6, 5}},
      {"shape { dim: 0 dim: -1 } axis: -3 num_axes: 2", {2, 3, 6, 5}},
  };
  for (const auto& [shape_text, shape] : cases) {
    auto layer = MakeLayer<Dtype>(std::string("type: 'Reshape' reshape_param { ") +
                                  shape_text + " }");
    layer->SetUp(bottoms, tops);
    layer->Forward(bottoms, tops);
    EXPECT_EQ(top.shape(), shape) << shape_text;
    EXPECT_EQ(top.cpu_data(), bottom->cpu_data());
    EXPECT_EQ(top.cpu_diff(), bottom->cpu_diff());
  }
}

TYPED_TEST(CommonLayerTest, ReshapeFollowsBottomChanges) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 6}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Reshape' reshape_param { shape { dim: 0 dim: 2 dim: -1 } }");
  layer->SetUp(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 2, 3}));
  bottom.Reshape(vector<int>{4, 10});
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2, 5}));
}

TYPED_TEST(CommonLayerTest, ReshapeImpossible) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 3, 5}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto setup = [&](const std::string& param) {
    MakeLayer<Dtype>("type: 'Reshape' reshape_param { " + param + " }")->SetUp(bottoms, tops);
  };
  EXPECT_THROW(setup("shape { dim: -1 dim: -1 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: -2 dim: 15 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 4 dim: -1 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 7 dim: 5 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 0 dim: 0 dim: 0 dim: 0 }"), ShapeError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: 4"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: -5"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } axis: 2 num_axes: 2"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } num_axes: -2"), ConfigError);
  vector<Blob<Dtype>*> in_place{&bottom};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Reshape' reshape_param { shape { dim: -1 } }")
                   ->SetUp(bottoms, in_place),
               ConfigError);
}

// ----------------------------------------------------------------- Tile ---

TYPED_TEST(CommonLayerTest, TileByHand) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  SetData(&bottom, {1, 2, 3, 4});
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 3 }");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 6}));
  ExpectValues(top.cpu_data(), {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
  for (int i = 0; i < 12; ++i) top.mutable_cpu_diff()[i] = i;
  layer->Backward(tops, {true}, bottoms);
  ExpectValues(bottom.cpu_diff(), {0 + 2 + 4, 1 + 3 + 5, 6 + 8 + 10, 7 + 9 + 11});

  auto outer = MakeLayer<Dtype>("type: 'Tile' tile_param { axis: 0 tiles: 2 }");
  outer->SetUp(bottoms, tops);
  outer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2}));
  ExpectValues(top.cpu_data(), {1, 2, 3, 4, 1, 2, 3, 4});
}

TYPED_TEST(CommonLayerTest, TileBadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> bottom(vector<int>{2, 2}), top;
  vector<Blob<Dtype>*> bottoms{&bottom}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile'")->SetUp(bottoms, tops), ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 0 }")->SetUp(bottoms, tops),
               ConfigError);
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 2 axis: 2 }")
                   ->SetUp(bottoms, tops),
               ConfigError);
  vector<Blob<Dtype>*> in_place{&bottom};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 2 }")->SetUp(bottoms, in_place),
               ConfigError);
  // One tile is the identity, which may run in place.
  SetData(&bottom, {1, 2, 3, 4});
  auto identity = MakeLayer<Dtype>("type: 'Tile' tile_param { tiles: 1 }");
  identity->SetUp(bottoms, in_place);
  identity->Forward(bottoms, in_place);
  ExpectValues(bottom.cpu_data(), {1, 2, 3, 4});
}

TYPED_TEST(CommonLayerTest, TileGradient) {
  auto bottom = RandomBlob<TypeParam>({2, 3, 2}, 10);
  Blob<TypeParam> top;
  auto layer = MakeLayer<TypeParam>("type: 'Tile' tile_param { axis: -1 tiles: 3 }");
  GradientChecker<TypeParam>().CheckGradient(layer.get(), {bottom.get()}, {&top});
}

TYPED_TEST(CommonLayerTest, TileMatchesUpstream) { CheckReferenceLayerCase<TypeParam>("tile"); }

// --------------------------------------------------------------- Filter ---

TYPED_TEST(CommonLayerTest, FilterKeepsSelectedItems) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{4, 2}), labels(vector<int>{4}), selector(vector<int>{4, 1});
  Blob<Dtype> top_data, top_labels;
  SetData(&data, {0, 1, 10, 11, 20, 21, 30, 31});
  SetData(&labels, {5, 6, 7, 8});
  SetData(&selector, {0, 1, 0, 1});
  vector<Blob<Dtype>*> bottoms{&data, &labels, &selector}, tops{&top_data, &top_labels};
  auto layer = MakeLayer<Dtype>("type: 'Filter'");
  layer->SetUp(bottoms, tops);
  // Before the first Forward the selector is not trusted: all items.
  EXPECT_EQ(top_data.shape(), (vector<int>{4, 2}));
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top_data.shape(), (vector<int>{2, 2}));
  EXPECT_EQ(top_labels.shape(), (vector<int>{2}));
  ExpectValues(top_data.cpu_data(), {10, 11, 30, 31});
  ExpectValues(top_labels.cpu_data(), {6, 8});
  SetDiff(&top_data, {1, 2, 3, 4});
  caffe_set(data.count(), Dtype(9), data.mutable_cpu_diff());
  layer->Backward(tops, {true, false, false}, bottoms);
  ExpectValues(data.cpu_diff(), {0, 0, 1, 2, 0, 0, 3, 4});
  EXPECT_THROW(layer->Backward(tops, {true, false, true}, bottoms), ConfigError);
  EXPECT_FALSE(layer->AllowForceBackward(2));
  EXPECT_TRUE(layer->AllowForceBackward(0));
  auto named = MakeLayer<Dtype>("type: 'Filter' bottom: 'x' bottom: 'keep' top: 'y'");
  EXPECT_FALSE(named->AllowForceBackward(1));
  EXPECT_TRUE(named->AllowForceBackward(0));

  // Nothing selected: empty tops, zero gradients.
  SetData(&selector, {0, 0, 0, 0});
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top_data.shape(), (vector<int>{0, 2}));
  layer->Backward(tops, {true, false, false}, bottoms);
  EXPECT_EQ(data.asum_diff(), Dtype(0));
}

TYPED_TEST(CommonLayerTest, FilterBadShapes) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{4, 2}), selector(vector<int>{3}), wide(vector<int>{4, 2});
  Blob<Dtype> top, extra;
  vector<Blob<Dtype>*> mismatched{&data, &selector}, tops{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(mismatched, tops), ShapeError);
  vector<Blob<Dtype>*> wide_selector{&data, &wide};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(wide_selector, tops), ShapeError);
  vector<Blob<Dtype>*> too_many_tops{&top, &extra};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Filter'")->SetUp(wide_selector, too_many_tops),
               ConfigError);
}

TYPED_TEST(CommonLayerTest, FilterGradient) {
  typedef TypeParam Dtype;
  auto data = RandomBlob<Dtype>({5, 3}, 11);
  Blob<Dtype> selector(vector<int>{5}), top;
  SetData(&selector, {1, 0, 1, 1, 0});
  auto layer = MakeLayer<Dtype>("type: 'Filter'");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {data.get(), &selector}, {&top}, 0);
}

// --------------------------------------------------------- BatchReindex ---

TYPED_TEST(CommonLayerTest, BatchReindexGathersAndScatters) {
  typedef TypeParam Dtype;
  Blob<Dtype> data(vector<int>{3, 2}), index(vector<int>{4}), top;
  SetData(&data, {0, 1, 10, 11, 20, 21});
  SetData(&index, {2, 0, 2, 1.7});
  vector<Blob<Dtype>*> bottoms{&data, &index}, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'BatchReindex'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  EXPECT_EQ(top.shape(), (vector<int>{4, 2}));
  ExpectValues(top.cpu_data(), {20, 21, 0, 1, 20, 21, 10, 11});
  SetDiff(&top, {1, 2, 3, 4, 5, 6, 7, 8});
  layer->Backward(tops, {true, false}, bottoms);
  ExpectValues(data.cpu_diff(), {3, 4, 7, 8, 6, 8});
  EXPECT_THROW(layer->Backward(tops, {true, true}, bottoms), ConfigError);

  SetData(&index, {0, 3, 1, 1});
  EXPECT_THROW(layer->Forward(bottoms, tops), DataError);
  SetData(&index, {0, -0.5, 1, 1});
  EXPECT_THROW(layer->Forward(bottoms, tops), DataError);
  Blob<Dtype> index_2d(vector<int>{2, 2});
  vector<Blob<Dtype>*> bad{&data, &index_2d};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'BatchReindex'")->SetUp(bad, tops), ShapeError);
}

TYPED_TEST(CommonLayerTest, BatchReindexGradient) {
  typedef TypeParam Dtype;
  auto data = RandomBlob<Dtype>({4, 2, 2}, 12);
  Blob<Dtype> index(vector<int>{5}), top;
  SetData(&index, {3, 0, 3, 2, 3});
  auto layer = MakeLayer<Dtype>("type: 'BatchReindex'");
  GradientChecker<Dtype>().CheckGradient(layer.get(), {data.get(), &index}, {&top}, 0);
}

// ------------------------------------------------------- Silence, Input ---

TYPED_TEST(CommonLayerTest, SilenceZeroesDiffs) {
  typedef TypeParam Dtype;
  auto a = RandomBlob<Dtype>({2, 3}, 13);
  auto b = RandomBlob<Dtype>({4}, 14);
  caffe_set(a->count(), Dtype(5), a->mutable_cpu_diff());
  caffe_set(b->count(), Dtype(5), b->mutable_cpu_diff());
  vector<Blob<Dtype>*> bottoms{a.get(), b.get()}, tops;
  auto layer = MakeLayer<Dtype>("type: 'Silence'");
  layer->SetUp(bottoms, tops);
  layer->Forward(bottoms, tops);
  layer->Backward(tops, {true, false}, bottoms);
  EXPECT_EQ(a->asum_diff(), Dtype(0));
  EXPECT_EQ(b->asum_diff(), Dtype(20));
  Blob<Dtype> top;
  vector<Blob<Dtype>*> one_top{&top};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Silence'")->SetUp(bottoms, one_top), ConfigError);
}

TYPED_TEST(CommonLayerTest, InputShapes) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 2 dim: 3 } }")->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 4 } shape { dim: 1 dim: 5 } }")
      ->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{4}));
  EXPECT_EQ(t1.shape(), (vector<int>{1, 5}));
  Blob<Dtype> t2;
  vector<Blob<Dtype>*> three{&t0, &t1, &t2};
  EXPECT_THROW(MakeLayer<Dtype>("type: 'Input' input_param { shape { dim: 4 } shape { dim: 5 } }")
                   ->SetUp(none, three),
               ConfigError);
}

// ------------------------------------------------------------ Parameter ---

TYPED_TEST(CommonLayerTest, ParameterExposesItsBlob) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  vector<Blob<Dtype>*> none, tops{&top};
  auto layer = MakeLayer<Dtype>("type: 'Parameter' parameter_param { shape { dim: 2 dim: 3 } }");
  layer->SetUp(none, tops);
  ASSERT_EQ(layer->blobs().size(), 1u);
  EXPECT_EQ(layer->blobs()[0]->shape(), (vector<int>{2, 3}));
  EXPECT_EQ(layer->blobs()[0]->asum_data(), Dtype(0));
  layer->blobs()[0]->mutable_cpu_data()[4] = 7;
  layer->Forward(none, tops);
  EXPECT_EQ(top.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(top.cpu_data()[4], Dtype(7));
  top.mutable_cpu_diff()[1] = 3;
  layer->Backward(tops, {}, none);
  EXPECT_EQ(layer->blobs()[0]->cpu_diff()[1], Dtype(3));
}

TYPED_TEST(CommonLayerTest, ParameterRejectsLoadedBlobOfOtherShape) {
  typedef TypeParam Dtype;
  LayerParameter param;
  param.set_type("Parameter");
  param.mutable_parameter_param()->mutable_shape()->add_dim(3);
  BlobProto* stored = param.add_blobs();
  stored->mutable_shape()->add_dim(4);
  for (int i = 0; i < 4; ++i) stored->add_data(i);
  auto layer = LayerRegistry<Dtype>::CreateLayer(param);
  Blob<Dtype> top;
  vector<Blob<Dtype>*> none, tops{&top};
  EXPECT_THROW(layer->SetUp(none, tops), ShapeError);
}

// ------------------------------------------------------------ DummyData ---

TYPED_TEST(CommonLayerTest, DummyDataConstantFilledOnceAtSetup) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>(
      "type: 'DummyData' dummy_data_param { shape { dim: 2 dim: 3 } "
      "data_filler { type: 'constant' value: 2.5 } }");
  layer->SetUp(none, tops);
  EXPECT_EQ(t1.shape(), (vector<int>{2, 3}));
  EXPECT_EQ(t0.asum_data(), Dtype(15));
  EXPECT_EQ(t1.asum_data(), Dtype(15));
  // Constant tops are not refilled, as upstream.
  t0.mutable_cpu_data()[0] = -1;
  layer->Forward(none, tops);
  EXPECT_EQ(t0.cpu_data()[0], Dtype(-1));
}

TYPED_TEST(CommonLayerTest, DummyDataRandomRefilledEveryForward) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1;
  vector<Blob<Dtype>*> none, tops{&t0, &t1};
  auto layer = MakeLayer<Dtype>(
      "type: 'DummyData' dummy_data_param { num: 2 channels: 3 height: 1 width: 4 "
      "num: 1 channels: 1 height: 1 width: 1 "
      "data_filler { type: 'uniform' min: 1 max: 2 } data_filler { type: 'constant' value: 7 } }");
  layer->SetUp(none, tops);
  EXPECT_EQ(t0.shape(), (vector<int>{2, 3, 1, 4}));
  EXPECT_EQ(t1.shape(), (vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(t1.cpu_data()[0], Dtype(7));
  // The uniform top is untouched (zero) until the first Forward.
  EXPECT_EQ(t0.asum_data(), Dtype(0));
  layer->Forward(none, tops);
  vector<Dtype> first(t0.cpu_data(), t0.cpu_data() + t0.count());
  for (Dtype v : first) {
    EXPECT_GE(v, Dtype(1));
    EXPECT_LE(v, Dtype(2));
  }
  layer->Forward(none, tops);
  EXPECT_NE(vector<Dtype>(t0.cpu_data(), t0.cpu_data() + t0.count()), first);
}

TYPED_TEST(CommonLayerTest, DummyDataDefaultsToZeros) {
  typedef TypeParam Dtype;
  Blob<Dtype> top;
  top.Reshape(vector<int>{3});
  caffe_set(3, Dtype(4), top.mutable_cpu_data());
  vector<Blob<Dtype>*> none, tops{&top};
  MakeLayer<Dtype>("type: 'DummyData' dummy_data_param { shape { dim: 3 } }")->SetUp(none, tops);
  EXPECT_EQ(top.asum_data(), Dtype(0));
}

TYPED_TEST(CommonLayerTest, DummyDataBadParameters) {
  typedef TypeParam Dtype;
  Blob<Dtype> t0, t1, t2;
  vector<Blob<Dtype>*> none, tops{&t0, &t1, &t2};
  auto setup = [&](const std::string& param) {
    MakeLayer<Dtype>("type: 'DummyData' dummy_data_param { " + param + " }")->SetUp(none, tops);
  };
  EXPECT_THROW(setup(""), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } shape { dim: 2 }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } num: 1 channels: 1 height: 1 width: 1"), ConfigError);
  EXPECT_THROW(setup("num: 1 num: 2 channels: 1 height: 1 width: 1"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } data_filler { } data_filler { }"), ConfigError);
  EXPECT_THROW(setup("shape { dim: 1 } data_filler { type: 'nonsense' }"), ConfigError);
}

}  // namespace caffe
