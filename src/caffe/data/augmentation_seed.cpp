#include "caffe/data/augmentation_seed.hpp"

#include "caffe/common.hpp"

namespace caffe {

AugmentationParameter WithResolvedSeed(AugmentationParameter param) {
  if (param.random_seed() < 0) param.set_random_seed(caffe_rng_rand());
  return param;
}

}  // namespace caffe
