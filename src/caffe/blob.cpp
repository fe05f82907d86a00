#include "caffe/blob.hpp"

#include <climits>
#include <cstring>

#include "caffe/util/math_functions.hpp"

namespace caffe {

string ShapeString(const vector<int>& shape) {
  std::ostringstream stream;
  for (int dim : shape) stream << dim << " ";
  // The shapes worth printing include those refused for being too large, so
  // the count is formed without overflowing.
  long double count = 1;
  for (int dim : shape) count *= dim;
  if (count <= static_cast<long double>(LLONG_MAX)) {
    stream << "(" << static_cast<long long>(count) << ")";
  } else {
    stream << "(" << static_cast<double>(count) << ")";
  }
  return stream.str();
}

vector<int> BlobProtoShape(const BlobProto& proto) {
  vector<int> shape;
  if (proto.has_shape()) {
    for (int i = 0; i < proto.shape().dim_size(); ++i) {
      shape.push_back(static_cast<int>(proto.shape().dim(i)));
    }
  } else if (proto.has_num() || proto.has_channels() || proto.has_height() ||
             proto.has_width()) {
    shape = {proto.num(), proto.channels(), proto.height(), proto.width()};
  }
  return shape;
}

template <typename Dtype>
Blob<Dtype>::Blob(int num, int channels, int height, int width) {
  Reshape(num, channels, height, width);
}

template <typename Dtype>
void Blob<Dtype>::Reshape(const vector<int>& shape) {
  CAFFE_REQUIRE(shape.size() <= static_cast<size_t>(kMaxBlobAxes), ShapeError,
                "blob shape ", ShapeString(shape), " has more than ", kMaxBlobAxes,
                " axes");
  long long count = 1;
  for (int dim : shape) {
    CAFFE_REQUIRE(dim >= 0, ShapeError, "blob shape ", ShapeString(shape),
                  " has a negative dimension");
    count *= dim;
    CAFFE_REQUIRE(count <= INT_MAX, ShapeError, "blob shape ", ShapeString(shape),
                  " has more than INT_MAX elements");
  }
  shape_ = shape;
  count_ = static_cast<int>(count);
  if (count_ > capacity_) {
    capacity_ = count_;
    data_ = std::make_shared<SyncedMemory>(capacity_ * sizeof(Dtype));
    diff_ = std::make_shared<SyncedMemory>(capacity_ * sizeof(Dtype));
  } else if (!data_) {
    data_ = std::make_shared<SyncedMemory>(0);
    diff_ = std::make_shared<SyncedMemory>(0);
  }
}

template <typename Dtype>
void Blob<Dtype>::Reshape(const BlobShape& shape) {
  vector<int> dims;
  for (int i = 0; i < shape.dim_size(); ++i) {
    CAFFE_REQUIRE(shape.dim(i) <= INT_MAX, ShapeError, "blob dimension ", shape.dim(i),
                  " is too large");
    dims.push_back(static_cast<int>(shape.dim(i)));
  }
  Reshape(dims);
}

template <typename Dtype>
void Blob<Dtype>::Reshape(int num, int channels, int height, int width) {
  Reshape(vector<int>{num, channels, height, width});
}

template <typename Dtype>
int Blob<Dtype>::count(int start_axis, int end_axis) const {
  CHECK_LE(start_axis, end_axis);
  CHECK_GE(start_axis, 0);
  CHECK_LE(end_axis, num_axes());
  int result = 1;
  for (int i = start_axis; i < end_axis; ++i) result *= shape_[i];
  return result;
}

template <typename Dtype>
int Blob<Dtype>::CanonicalAxisIndex(int axis_index) const {
  CAFFE_REQUIRE(axis_index >= -num_axes() && axis_index < num_axes(), ConfigError,
                "axis ", axis_index, " is out of range for a blob with shape ",
                shape_string());
  return axis_index < 0 ? axis_index + num_axes() : axis_index;
}

template <typename Dtype>
string Blob<Dtype>::shape_string() const {
  return ShapeString(shape_);
}

template <typename Dtype>
int Blob<Dtype>::LegacyShape(int index) const {
  CAFFE_REQUIRE(num_axes() <= 4, ShapeError, "legacy accessors need a blob of at most 4 axes, got ",
                shape_string());
  if (index >= num_axes() || index < -num_axes()) return 1;
  return shape(index);
}

template <typename Dtype>
int Blob<Dtype>::offset(int n, int c, int h, int w) const {
  return ((n * channels() + c) * height() + h) * width() + w;
}

template <typename Dtype>
int Blob<Dtype>::offset(const vector<int>& indices) const {
  CHECK_LE(indices.size(), shape_.size());
  int result = 0;
  for (int i = 0; i < num_axes(); ++i) {
    result *= shape_[i];
    if (i < static_cast<int>(indices.size())) result += indices[i];
  }
  return result;
}

template <typename Dtype>
void* Blob<Dtype>::Memory(SyncedMemory* memory, const char* what) const {
  // Only a blob that was never reshaped has no memory, e.g. the top of an Input
  // layer without input_param.shape that the user did not reshape either.
  CAFFE_REQUIRE(memory, ShapeError, "the ", what,
                " of a blob that was never given a shape (an Input layer without "
                "input_param { shape }, or a blob not reshaped before use)");
  try {
    return memory->mutable_cpu_data();
  } catch (const OutOfMemoryError& error) {
    RethrowWithContext(error, internal::Concat("the ", what, " of a blob of shape ",
                                               shape_string(), ": "));
  }
}

template <typename Dtype>
const Dtype* Blob<Dtype>::cpu_data() const {
  return static_cast<const Dtype*>(Memory(data_.get(), "data"));
}

template <typename Dtype>
const Dtype* Blob<Dtype>::cpu_diff() const {
  return static_cast<const Dtype*>(Memory(diff_.get(), "gradient"));
}

template <typename Dtype>
Dtype* Blob<Dtype>::mutable_cpu_data() {
  return static_cast<Dtype*>(Memory(data_.get(), "data"));
}

template <typename Dtype>
Dtype* Blob<Dtype>::mutable_cpu_diff() {
  return static_cast<Dtype*>(Memory(diff_.get(), "gradient"));
}

template <typename Dtype>
void Blob<Dtype>::set_cpu_data(Dtype* data) {
  CHECK(data);
  // A shared buffer may be aliased elsewhere; give this blob its own holder.
  if (data_->size() != static_cast<size_t>(count_) * sizeof(Dtype)) {
    data_ = std::make_shared<SyncedMemory>(count_ * sizeof(Dtype));
  }
  data_->set_cpu_data(data);
}

template <typename Dtype>
void Blob<Dtype>::CopyFrom(const Blob& source, bool copy_diff, bool reshape) {
  if (source.count() != count_ || source.shape() != shape_) {
    CAFFE_REQUIRE(reshape, ShapeError, "cannot copy a blob of shape ", source.shape_string(),
                  " into a blob of shape ", shape_string());
    ReshapeLike(source);
  }
  if (copy_diff) {
    caffe_copy(count_, source.cpu_diff(), mutable_cpu_diff());
  } else {
    caffe_copy(count_, source.cpu_data(), mutable_cpu_data());
  }
}

template <typename Dtype>
void Blob<Dtype>::Update() {
  caffe_axpy<Dtype>(count_, Dtype(-1), cpu_diff(), mutable_cpu_data());
}

template <typename Dtype>
Dtype Blob<Dtype>::asum_data() const {
  return count_ ? caffe_cpu_asum(count_, cpu_data()) : Dtype(0);
}

template <typename Dtype>
Dtype Blob<Dtype>::asum_diff() const {
  return count_ ? caffe_cpu_asum(count_, cpu_diff()) : Dtype(0);
}

template <typename Dtype>
Dtype Blob<Dtype>::sumsq_data() const {
  return count_ ? caffe_cpu_dot(count_, cpu_data(), cpu_data()) : Dtype(0);
}

template <typename Dtype>
Dtype Blob<Dtype>::sumsq_diff() const {
  return count_ ? caffe_cpu_dot(count_, cpu_diff(), cpu_diff()) : Dtype(0);
}

template <typename Dtype>
void Blob<Dtype>::scale_data(Dtype scale_factor) {
  if (count_) caffe_scal(count_, scale_factor, mutable_cpu_data());
}

template <typename Dtype>
void Blob<Dtype>::scale_diff(Dtype scale_factor) {
  if (count_) caffe_scal(count_, scale_factor, mutable_cpu_diff());
}

template <typename Dtype>
void Blob<Dtype>::ShareData(const Blob& other) {
  CHECK_EQ(count_, other.count());
  data_ = other.data();
}

template <typename Dtype>
void Blob<Dtype>::ShareDiff(const Blob& other) {
  CHECK_EQ(count_, other.count());
  diff_ = other.diff();
}

template <typename Dtype>
bool Blob<Dtype>::ShapeEquals(const BlobProto& other) const {
  if (!other.has_shape() && (other.has_num() || other.has_channels() ||
                             other.has_height() || other.has_width())) {
    // Legacy protos match a blob of up to 4 axes padded with leading 1s.
    if (num_axes() > 4) return false;
    return LegacyShape(-4) == other.num() && LegacyShape(-3) == other.channels() &&
           LegacyShape(-2) == other.height() && LegacyShape(-1) == other.width();
  }
  return shape_ == BlobProtoShape(other);
}

template <typename Dtype>
void Blob<Dtype>::FromProto(const BlobProto& proto, bool reshape) {
  if (reshape) {
    Reshape(BlobProtoShape(proto));
  } else {
    CAFFE_REQUIRE(ShapeEquals(proto), ShapeError, "blob shape ", shape_string(),
                  " does not match the stored shape ", ShapeString(BlobProtoShape(proto)));
  }
  Dtype* data = mutable_cpu_data();
  if (proto.double_data_size() > 0) {
    CAFFE_REQUIRE(proto.double_data_size() == count_, ShapeError, "stored blob has ",
                  proto.double_data_size(), " values for shape ", shape_string());
    for (int i = 0; i < count_; ++i) data[i] = static_cast<Dtype>(proto.double_data(i));
  } else {
    CAFFE_REQUIRE(proto.data_size() == count_, ShapeError, "stored blob has ",
                  proto.data_size(), " values for shape ", shape_string());
    for (int i = 0; i < count_; ++i) data[i] = static_cast<Dtype>(proto.data(i));
  }
  if (proto.double_diff_size() > 0) {
    CAFFE_REQUIRE(proto.double_diff_size() == count_, ShapeError, "stored blob has ",
                  proto.double_diff_size(), " diff values for shape ", shape_string());
    Dtype* diff = mutable_cpu_diff();
    for (int i = 0; i < count_; ++i) diff[i] = static_cast<Dtype>(proto.double_diff(i));
  } else if (proto.diff_size() > 0) {
    CAFFE_REQUIRE(proto.diff_size() == count_, ShapeError, "stored blob has ",
                  proto.diff_size(), " diff values for shape ", shape_string());
    Dtype* diff = mutable_cpu_diff();
    for (int i = 0; i < count_; ++i) diff[i] = static_cast<Dtype>(proto.diff(i));
  }
}

namespace {
void WriteValues(const float* values, int count, google::protobuf::RepeatedField<float>* floats,
                 google::protobuf::RepeatedField<double>*) {
  floats->Reserve(count);
  for (int i = 0; i < count; ++i) floats->Add(values[i]);
}
void WriteValues(const double* values, int count, google::protobuf::RepeatedField<float>*,
                 google::protobuf::RepeatedField<double>* doubles) {
  doubles->Reserve(count);
  for (int i = 0; i < count; ++i) doubles->Add(values[i]);
}
}  // namespace

template <typename Dtype>
void Blob<Dtype>::ToProto(BlobProto* proto, bool write_diff) const {
  proto->Clear();
  for (int dim : shape_) proto->mutable_shape()->add_dim(dim);
  WriteValues(cpu_data(), count_, proto->mutable_data(), proto->mutable_double_data());
  if (write_diff) {
    WriteValues(cpu_diff(), count_, proto->mutable_diff(), proto->mutable_double_diff());
  }
}

INSTANTIATE_CLASS(Blob);

}  // namespace caffe
