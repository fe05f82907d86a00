// Fillers initialise parameter blobs from a FillerParameter: constant,
// uniform, gaussian (optionally sparse), positive_unitball, xavier, msra and
// bilinear, with upstream Caffe's formulas. Random fillers draw from the
// calling thread's generator, so a seeded run fills identically.
#pragma once

#include "caffe/blob.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

template <typename Dtype>
class Filler {
 public:
  explicit Filler(const FillerParameter& param) : filler_param_(param) {}
  virtual ~Filler() = default;
  virtual void Fill(Blob<Dtype>* blob) = 0;

 protected:
  FillerParameter filler_param_;
};

// Throws ConfigError for an unknown filler type.
template <typename Dtype>
shared_ptr<Filler<Dtype>> GetFiller(const FillerParameter& param);

}  // namespace caffe
