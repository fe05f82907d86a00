// Crop layer: upstream fixture, offsets (none, one, per axis), N-D crops,
// gradient checks and errors.
#include <gtest/gtest.h>

#include <vector>

#include "caffe/layers/crop_layer.hpp"
#include "layer_test_helpers.hpp"
#include "util/gradient_check.hpp"
#include "util/reference_case.hpp"

namespace caffe {
namespace {

LayerParameter CropParam(int axis, const vector<int>& offsets) {
  LayerParameter param;
  param.set_name("crop");
  param.set_type("Crop");
  param.mutable_crop_param()->set_axis(axis);
  for (int o : offsets) param.mutable_crop_param()->add_offset(o);
  return param;
}

template <typename Dtype>
class CropLayerTest : public SeededLayerTest<Dtype> {};
TYPED_TEST_SUITE(CropLayerTest, TestDtypes);

TYPED_TEST(CropLayerTest, UpstreamFixture) { CheckReferenceLayerCase<TypeParam>("crop"); }

TYPED_TEST(CropLayerTest, Offsets) {
  Blob<TypeParam> bottom(vector<int>{2, 4, 5, 6});
  for (int i = 0; i < bottom.count(); ++i) bottom.mutable_cpu_data()[i] = i;
  Blob<TypeParam> reference(vector<int>{1, 2, 3, 4});
  Blob<TypeParam> top;
  struct Case { int axis; vector<int> offsets; };
  for (const Case& c : {Case{2, {}}, Case{2, {1}}, Case{2, {2, 1}}, Case{1, {1, 0, 2}},
                        Case{-3, {1}}, Case{0, {1, 2, 1, 2}}}) {
    CropLayer<TypeParam> layer(CropParam(c.axis, c.offsets));
    layer.SetUp({&bottom, &reference}, {&top});
    layer.Forward({&bottom, &reference}, {&top});
    const int axis = c.axis < 0 ? c.axis + 4 : c.axis;
    vector<int> expected_shape = bottom.shape();
    vector<int> offset(4, 0);
    for (int i = axis; i < 4; ++i) {
      expected_shape[i] = reference.shape(i);
      if (c.offsets.size() == 1) offset[i] = c.offsets[0];
      if (c.offsets.size() > 1) offset[i] = c.offsets[i - axis];
    }
    ASSERT_EQ(top.shape(), expected_shape) << "axis " << c.axis;
    for (int n = 0; n < top.num(); ++n) {
      for (int ch = 0; ch < top.channels(); ++ch) {
        for (int h = 0; h < top.height(); ++h) {
          for (int w = 0; w < top.width(); ++w) {
            EXPECT_EQ(top.data_at(n, ch, h, w),
                      bottom.data_at(n + offset[0], ch + offset[1], h + offset[2], w + offset[3]))
                << "axis " << c.axis;
          }
        }
      }
    }
  }
}

TYPED_TEST(CropLayerTest, NdAndGradient) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 4, 5, 3});
  FillGaussian(&bottom);
  Blob<TypeParam> reference(vector<int>{2, 3, 2, 3, 2});
  Blob<TypeParam> top;
  CropLayer<TypeParam> layer(CropParam(2, {1, 2, 1}));
  layer.SetUp({&bottom, &reference}, {&top});
  layer.Forward({&bottom, &reference}, {&top});
  EXPECT_EQ(top.shape(), reference.shape());
  EXPECT_EQ(top.data_at({1, 2, 1, 2, 1}), bottom.data_at({1, 2, 2, 4, 2}));
  EXPECT_EQ(top.data_at({0, 1, 0, 0, 0}), bottom.data_at({0, 1, 1, 2, 1}));

  // Outside the crop the gradient is zero; inside it is the top's.
  for (int i = 0; i < top.count(); ++i) top.mutable_cpu_diff()[i] = 1;
  for (int i = 0; i < reference.count(); ++i) reference.mutable_cpu_diff()[i] = 5;
  layer.Backward({&top}, {true, true}, {&bottom, &reference});
  EXPECT_NEAR(bottom.asum_diff(), top.count(), 1e-6);
  EXPECT_EQ(reference.asum_diff(), 0);
  EXPECT_EQ(bottom.diff_at({1, 2, 2, 4, 2}), 1);
  EXPECT_EQ(bottom.diff_at({1, 2, 0, 4, 2}), 0);

  GradientChecker<TypeParam> checker;
  CropLayer<TypeParam> checked(CropParam(1, {1}));
  Blob<TypeParam> small_reference(vector<int>{2, 2, 3, 4, 2});
  checker.CheckGradient(&checked, {&bottom, &small_reference}, {&top}, 0);
}

TYPED_TEST(CropLayerTest, Errors) {
  Blob<TypeParam> bottom(vector<int>{2, 3, 5, 5});
  Blob<TypeParam> reference(vector<int>{2, 3, 3, 3});
  Blob<TypeParam> top;
  CropLayer<TypeParam> wrong_count(CropParam(2, {1, 1, 1}));
  try {
    wrong_count.SetUp({&bottom, &reference}, {&top});
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(string(e.what()).find("'crop'"), string::npos) << e.what();
  }
  CropLayer<TypeParam> too_far(CropParam(2, {3}));
  EXPECT_THROW(too_far.SetUp({&bottom, &reference}, {&top}), ShapeError);
  Blob<TypeParam> larger(vector<int>{2, 3, 6, 3});
  CropLayer<TypeParam> too_large(CropParam(2, {}));
  EXPECT_THROW(too_large.SetUp({&bottom, &larger}, {&top}), ShapeError);
  Blob<TypeParam> flat(vector<int>{2, 3});
  CropLayer<TypeParam> few_axes(CropParam(1, {}));
  EXPECT_THROW(few_axes.SetUp({&bottom, &flat}, {&top}), ShapeError);
}

}  // namespace
}  // namespace caffe
