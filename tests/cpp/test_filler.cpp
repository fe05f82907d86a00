// Fillers: xavier range and seeding, the bilinear kernel, sparse gaussian,
// positive_unitball, and an unknown type.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/filler.hpp"

namespace caffe {

template <typename Dtype>
class FillerTest : public ::testing::Test {};
typedef ::testing::Types<float, double> Dtypes;
TYPED_TEST_SUITE(FillerTest, Dtypes);

TYPED_TEST(FillerTest, XavierRangeAndSeedReproducible) {
  FillerParameter param;
  param.set_type("xavier");
  Blob<TypeParam> a(vector<int>{10, 30}), b(vector<int>{10, 30});
  Caffe::set_random_seed(1701);
  GetFiller<TypeParam>(param)->Fill(&a);
  Caffe::set_random_seed(1701);
  GetFiller<TypeParam>(param)->Fill(&b);
  const TypeParam limit = std::sqrt(3.0 / 30);
  for (int i = 0; i < a.count(); ++i) {
    EXPECT_EQ(a.cpu_data()[i], b.cpu_data()[i]);
    EXPECT_LE(std::fabs(a.cpu_data()[i]), limit + 1e-6);
  }
}

TYPED_TEST(FillerTest, BilinearKernel) {
  FillerParameter param;
  param.set_type("bilinear");
  Blob<TypeParam> blob(1, 1, 4, 4);
  GetFiller<TypeParam>(param)->Fill(&blob);
  // f = 2, c = 0.75: the 1-D profile is 0.25 0.75 0.75 0.25.
  const TypeParam profile[4] = {0.25, 0.75, 0.75, 0.25};
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      EXPECT_NEAR(blob.data_at(0, 0, y, x), profile[y] * profile[x], 1e-6);
    }
  }
}

TYPED_TEST(FillerTest, GaussianSparseAndUnitball) {
  FillerParameter param;
  param.set_type("gaussian");
  param.set_std(1);
  param.set_sparse(2);
  Blob<TypeParam> blob(vector<int>{100, 50});
  GetFiller<TypeParam>(param)->Fill(&blob);
  int zeros = 0;
  for (int i = 0; i < blob.count(); ++i) zeros += blob.cpu_data()[i] == 0;
  EXPECT_NEAR(zeros / double(blob.count()), 0.98, 0.01);

  param.set_type("positive_unitball");
  GetFiller<TypeParam>(param)->Fill(&blob);
  for (int r = 0; r < 100; ++r) {
    TypeParam sum = 0;
    for (int c = 0; c < 50; ++c) sum += blob.data_at(vector<int>{r, c});
    EXPECT_NEAR(sum, 1, 1e-5);
  }
}

TEST(FillerErrors, UnknownTypeThrows) {
  FillerParameter param;
  param.set_type("nonsense");
  EXPECT_THROW(GetFiller<float>(param), ConfigError);
}

}  // namespace caffe
