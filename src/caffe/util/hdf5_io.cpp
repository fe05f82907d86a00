#include "caffe/util/hdf5_io.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <mutex>

namespace caffe {
namespace hdf5 {
namespace {

// libhdf5 prints its error stack to stderr by default; errors are reported
// through exceptions instead.
void SilenceLibraryErrors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

template <typename Dtype>
hid_t NativeType();
template <>
hid_t NativeType<float>() { return H5T_NATIVE_FLOAT; }
template <>
hid_t NativeType<double>() { return H5T_NATIVE_DOUBLE; }

string DimsString(const vector<hsize_t>& dims) {
  vector<int> shape;
  for (hsize_t d : dims) shape.push_back(d > INT_MAX ? INT_MAX : static_cast<int>(d));
  return ShapeString(shape);
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Reset();
    id_ = other.id_;
    close_ = other.close_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::Reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = -1;
}

bool LooksLikeHDF5(const string& path) {
  SilenceLibraryErrors();
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  std::fclose(file);
  return H5Fis_hdf5(path.c_str()) > 0;
}

Handle OpenFile(const string& path) {
  SilenceLibraryErrors();
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  CAFFE_REQUIRE(is_hdf5 >= 0, IOError, "cannot open HDF5 file ", path,
                " (missing or unreadable)");
  CAFFE_REQUIRE(is_hdf5 > 0, DataError, path, " is not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  CAFFE_REQUIRE(file.valid(), ParseError, path,
                ": has an HDF5 signature but is not a valid HDF5 file (damaged or truncated?)");
  return file;
}

Handle CreateFile(const string& path) {
  SilenceLibraryErrors();
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  CAFFE_REQUIRE(file.valid(), IOError, "cannot create HDF5 file ", path);
  return file;
}

bool HasLink(hid_t location, const string& name) {
  return H5Lexists(location, name.c_str(), H5P_DEFAULT) > 0;
}

Handle OpenGroup(hid_t location, const string& name, const string& file) {
  CAFFE_REQUIRE(HasLink(location, name), DataError, "HDF5 file ", file, " has no group '",
                name, "'");
  Handle group(H5Gopen2(location, name.c_str(), H5P_DEFAULT), H5Gclose);
  CAFFE_REQUIRE(group.valid(), DataError, "HDF5 file ", file, ": '", name,
                "' is not a group");
  return group;
}

Handle CreateGroup(hid_t location, const string& name, const string& file) {
  Handle group(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Gclose);
  CAFFE_REQUIRE(group.valid(), IOError, "cannot create group '", name, "' in HDF5 file ",
                file);
  return group;
}

vector<hsize_t> DatasetShape(hid_t location, const string& name, const string& file) {
  CAFFE_REQUIRE(HasLink(location, name), DataError, "HDF5 file ", file, " has no dataset '",
                name, "'");
  Handle dataset(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
  CAFFE_REQUIRE(dataset.valid(), DataError, "HDF5 file ", file, ": '", name,
                "' is not a dataset");
  Handle space(H5Dget_space(dataset.get()), H5Sclose);
  const int ndims = H5Sget_simple_extent_ndims(space.get());
  CAFFE_REQUIRE(ndims >= 0, DataError, "HDF5 file ", file, ": cannot read the shape of '",
                name, "'");
  vector<hsize_t> dims(ndims);
  if (ndims > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

template <typename Dtype>
void ReadDataset(hid_t location, const string& name, int min_dim, int max_dim,
                 Blob<Dtype>* blob, const string& file) {
  const vector<hsize_t> dims = DatasetShape(location, name, file);
  const int ndims = static_cast<int>(dims.size());
  const string expected = max_dim == INT_MAX   ? std::to_string(min_dim) + " or more"
                          : max_dim == min_dim ? std::to_string(min_dim)
                                               : std::to_string(min_dim) + " to " +
                                                     std::to_string(max_dim);
  CAFFE_REQUIRE(ndims >= min_dim && ndims <= max_dim, ShapeError, "HDF5 file ", file,
                ": dataset '", name, "' has ", ndims, " dimensions ", DimsString(dims),
                "; expected ", expected);
  vector<int> shape;
  for (hsize_t d : dims) {
    CAFFE_REQUIRE(d <= static_cast<hsize_t>(INT_MAX), ShapeError, "HDF5 file ", file,
                  ": dataset '", name, "' is too large ", DimsString(dims));
    shape.push_back(static_cast<int>(d));
  }
  Handle dataset(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(dataset.get()), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  CAFFE_REQUIRE(type_class == H5T_FLOAT || type_class == H5T_INTEGER, DataError, "HDF5 file ",
                file, ": dataset '", name, "' holds neither floats nor integers");
  blob->Reshape(shape);
  if (blob->count() == 0) return;
  const herr_t status = H5Dread(dataset.get(), NativeType<Dtype>(), H5S_ALL, H5S_ALL,
                                H5P_DEFAULT, blob->mutable_cpu_data());
  CAFFE_REQUIRE(status >= 0, DataError, "HDF5 file ", file, ": cannot read dataset '", name,
                "'");
}

template <typename Dtype>
void WriteDataset(hid_t location, const string& name, const Blob<Dtype>& blob, bool diff,
                  const string& file) {
  vector<hsize_t> dims(blob.shape().begin(), blob.shape().end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  CAFFE_REQUIRE(space.valid(), IOError, "HDF5 file ", file, ": cannot describe shape ",
                blob.shape_string(), " of dataset '", name, "'");
  Handle dataset(H5Dcreate2(location, name.c_str(), NativeType<Dtype>(), space.get(),
                            H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose);
  CAFFE_REQUIRE(dataset.valid(), IOError, "HDF5 file ", file, ": cannot create dataset '",
                name, "'");
  if (blob.count() == 0) return;
  const Dtype* values = diff ? blob.cpu_diff() : blob.cpu_data();
  CAFFE_REQUIRE(H5Dwrite(dataset.get(), NativeType<Dtype>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         values) >= 0,
                IOError, "HDF5 file ", file, ": cannot write dataset '", name, "'");
}

template <typename Dtype>
AppendableDataset AppendableDataset::Create(hid_t location, const string& name,
                                            const vector<int>& row_shape, const string& file) {
  AppendableDataset result;
  result.row_shape_ = row_shape;
  result.name_ = name;
  result.file_ = file;
  vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{1};
  hsize_t row_size = 1;
  for (int d : row_shape) {
    dims.push_back(d);
    max_dims.push_back(d);
    chunk.push_back(d > 0 ? d : 1);
    row_size *= d > 0 ? d : 1;
  }
  // About 64K values per chunk: whole rows, several of them when rows are small.
  chunk[0] = std::max<hsize_t>(1, 65536 / row_size);
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()),
               H5Sclose);
  Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(properties.get(), static_cast<int>(chunk.size()), chunk.data());
  result.dataset_ = Handle(H5Dcreate2(location, name.c_str(), NativeType<Dtype>(), space.get(),
                                      H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                           H5Dclose);
  CAFFE_REQUIRE(result.dataset_.valid(), IOError, "HDF5 file ", file,
                ": cannot create dataset '", name, "'");
  return result;
}

template <typename Dtype>
void AppendableDataset::Append(const Dtype* rows, int num_rows) {
  if (num_rows <= 0) return;
  vector<hsize_t> size{rows_ + num_rows}, offset{rows_}, count{static_cast<hsize_t>(num_rows)};
  for (int d : row_shape_) {
    size.push_back(d);
    offset.push_back(0);
    count.push_back(d);
  }
  CAFFE_REQUIRE(H5Dset_extent(dataset_.get(), size.data()) >= 0, IOError, "HDF5 file ", file_,
                ": cannot grow dataset '", name_, "'");
  Handle file_space(H5Dget_space(dataset_.get()), H5Sclose);
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset.data(), nullptr, count.data(),
                      nullptr);
  Handle memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                      H5Sclose);
  CAFFE_REQUIRE(H5Dwrite(dataset_.get(), NativeType<Dtype>(), memory_space.get(),
                         file_space.get(), H5P_DEFAULT, rows) >= 0,
                IOError, "HDF5 file ", file_, ": cannot append to dataset '", name_, "'");
  rows_ += num_rows;
}

#define INSTANTIATE_HDF5_IO(Dtype)                                                        \
  template void ReadDataset<Dtype>(hid_t, const string&, int, int, Blob<Dtype>*,           \
                                   const string&);                                        \
  template void WriteDataset<Dtype>(hid_t, const string&, const Blob<Dtype>&, bool,        \
                                    const string&);                                       \
  template AppendableDataset AppendableDataset::Create<Dtype>(hid_t, const string&,        \
                                                              const vector<int>&,          \
                                                              const string&);              \
  template void AppendableDataset::Append<Dtype>(const Dtype*, int)
INSTANTIATE_HDF5_IO(float);
INSTANTIATE_HDF5_IO(double);

}  // namespace hdf5
}  // namespace caffe
