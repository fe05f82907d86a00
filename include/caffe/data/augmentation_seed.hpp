// The rule for an augmentation_param without a random_seed (-1, the
// default), in one place for every user of an Augmenter (the data layers,
// `caffe augment_preview`, caffe.augment): the seed is one caffe_rng_rand()
// draw from the calling thread's Caffe generator. A seeded solver
// (random_seed) or Caffe::set_random_seed therefore makes the augmentation
// reproducible, and an unseeded run differs from run to run.
//
// Thread-safety: draws from the calling thread's generator.
#pragma once

#include "caffe/proto/caffe.pb.h"

namespace caffe {

// `param` with random_seed set: kept when >= 0, else drawn as above.
AugmentationParameter WithResolvedSeed(AugmentationParameter param);

}  // namespace caffe
