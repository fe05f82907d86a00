// Blob<Dtype>: an N-D array (row-major, up to kMaxBlobAxes axes) holding a
// `data` tensor and a `diff` (gradient) tensor of the same shape.
//
// Ownership: a Blob owns its two SyncedMemory buffers through shared_ptr, so
// ShareData/ShareDiff can alias another blob's buffers (in-place layers, weight
// sharing). Reshape keeps the buffers while the new shape fits in them.
// Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/syncedmem.hpp"

namespace caffe {

constexpr int kMaxBlobAxes = 32;

template <typename Dtype>
class Blob {
 public:
  Blob() = default;
  explicit Blob(const vector<int>& shape) { Reshape(shape); }
  // Legacy 4-D constructor.
  Blob(int num, int channels, int height, int width);
  DISABLE_COPY_AND_ASSIGN(Blob);

  // Throws ShapeError for negative dims, too many axes or an overflowing count.
  void Reshape(const vector<int>& shape);
  void Reshape(const BlobShape& shape);
  void Reshape(int num, int channels, int height, int width);
  void ReshapeLike(const Blob& other) { Reshape(other.shape()); }

  const vector<int>& shape() const { return shape_; }
  int shape(int index) const { return shape_[CanonicalAxisIndex(index)]; }
  int num_axes() const { return static_cast<int>(shape_.size()); }
  int count() const { return count_; }
  // Product of dims in [start_axis, end_axis).
  int count(int start_axis, int end_axis) const;
  int count(int start_axis) const { return count(start_axis, num_axes()); }
  // Maps a possibly negative axis to [0, num_axes); throws ConfigError when
  // out of range.
  int CanonicalAxisIndex(int axis_index) const;
  string shape_string() const;

  // Legacy accessors: dims 0..3, treating missing trailing axes as 1.
  int num() const { return LegacyShape(0); }
  int channels() const { return LegacyShape(1); }
  int height() const { return LegacyShape(2); }
  int width() const { return LegacyShape(3); }
  int LegacyShape(int index) const;

  int offset(int n, int c = 0, int h = 0, int w = 0) const;
  int offset(const vector<int>& indices) const;

  Dtype data_at(int n, int c, int h, int w) const { return cpu_data()[offset(n, c, h, w)]; }
  Dtype diff_at(int n, int c, int h, int w) const { return cpu_diff()[offset(n, c, h, w)]; }
  Dtype data_at(const vector<int>& index) const { return cpu_data()[offset(index)]; }
  Dtype diff_at(const vector<int>& index) const { return cpu_diff()[offset(index)]; }

  const Dtype* cpu_data() const;
  const Dtype* cpu_diff() const;
  Dtype* mutable_cpu_data();
  Dtype* mutable_cpu_diff();
  // Wraps caller-owned memory as this blob's data (count() elements).
  void set_cpu_data(Dtype* data);
  const shared_ptr<SyncedMemory>& data() const { return data_; }
  const shared_ptr<SyncedMemory>& diff() const { return diff_; }

  // Copies data (or diff) from `source`; reshapes when `reshape` is true,
  // otherwise throws ShapeError on a count mismatch.
  void CopyFrom(const Blob& source, bool copy_diff = false, bool reshape = false);

  // data -= diff (the parameter update step).
  void Update();

  Dtype asum_data() const;
  Dtype asum_diff() const;
  Dtype sumsq_data() const;
  Dtype sumsq_diff() const;
  void scale_data(Dtype scale_factor);
  void scale_diff(Dtype scale_factor);

  // Aliases the other blob's buffers (counts must match).
  void ShareData(const Blob& other);
  void ShareDiff(const Blob& other);

  // Loads a BlobProto (N-D `shape` or legacy num/channels/height/width; float
  // or double payload). With reshape=false the shapes must agree, else
  // ShapeError.
  void FromProto(const BlobProto& proto, bool reshape = true);
  void ToProto(BlobProto* proto, bool write_diff = false) const;
  // True when the proto's shape (N-D or legacy) equals this blob's shape.
  bool ShapeEquals(const BlobProto& other) const;

 private:
  // The buffer's memory, allocated on first use; an OutOfMemoryError names
  // this blob's shape.
  void* Memory(SyncedMemory* memory, const char* what) const;

  shared_ptr<SyncedMemory> data_;
  shared_ptr<SyncedMemory> diff_;
  vector<int> shape_;
  int count_ = 0;
  int capacity_ = 0;
};

// The shape recorded in a BlobProto, from `shape` or the legacy 4-D fields.
vector<int> BlobProtoShape(const BlobProto& proto);
string ShapeString(const vector<int>& shape);

}  // namespace caffe
