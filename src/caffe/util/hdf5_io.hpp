// Reading and writing blobs as HDF5 datasets (libhdf5's C API), shared by the
// HDF5Data and HDF5Output layers and by the Net's HDF5 weights format.
// Internal: the public entry points are the layers and include/caffe/util/hdf5.hpp.
//
// Every failure throws a caffe::Error naming the file and the dataset; the
// library's own error printing is switched off so nothing else reaches stderr.
// HDF5 handles are owned by HDF5Handle (closed on destruction). libhdf5 from
// Debian is built without thread safety: callers must not use it from two
// threads at once (the layers only touch it from the net's thread).
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"

namespace caffe {
namespace hdf5 {

// Owns one HDF5 identifier (file, group, dataset, dataspace or property list)
// and closes it with the matching H5?close function.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() { Reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  DISABLE_COPY_AND_ASSIGN(Handle);

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void Reset();

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

// Opens an existing file read-only, or creates (truncates) one for writing.
// Whether `path` is a readable file that starts like an HDF5 file; prints
// nothing (libhdf5's error printing is turned off first).
bool LooksLikeHDF5(const string& path);

// Opens an HDF5 file for reading. IOError when it is missing or unreadable,
// DataError when it is not HDF5, ParseError when it has HDF5's signature but
// libhdf5 cannot open it (damaged or truncated).
Handle OpenFile(const string& path);
Handle CreateFile(const string& path);
bool HasLink(hid_t location, const string& name);
Handle OpenGroup(hid_t location, const string& name, const string& file);
Handle CreateGroup(hid_t location, const string& name, const string& file);

// The dimensions of dataset `name`; IOError when it is missing.
vector<hsize_t> DatasetShape(hid_t location, const string& name, const string& file);

// Reads a float or double dataset of min_dim..max_dim dimensions into
// `blob` (reshaped to the dataset's shape), converting to Dtype.
template <typename Dtype>
void ReadDataset(hid_t location, const string& name, int min_dim, int max_dim,
                 Blob<Dtype>* blob, const string& file);

// Writes the blob's data (or diff) as a new dataset of Dtype's precision.
template <typename Dtype>
void WriteDataset(hid_t location, const string& name, const Blob<Dtype>& blob, bool diff,
                  const string& file);

// A dataset that grows along its first axis: each Append adds rows.
class AppendableDataset {
 public:
  // Creates dataset `name` with rows of shape `row_shape` and no rows yet.
  template <typename Dtype>
  static AppendableDataset Create(hid_t location, const string& name,
                                  const vector<int>& row_shape, const string& file);
  template <typename Dtype>
  void Append(const Dtype* rows, int num_rows);
  const vector<int>& row_shape() const { return row_shape_; }
  hsize_t rows() const { return rows_; }

 private:
  Handle dataset_;
  vector<int> row_shape_;
  hsize_t rows_ = 0;
  string name_, file_;
};

}  // namespace hdf5
}  // namespace caffe
