// A net's parameters in upstream Caffe's HDF5 weights layout, for
// pycaffe's Net.save_hdf5/load_hdf5 and for weights files given to
// Net::CopyTrainedLayersFrom (which recognises HDF5 files by content).
//
// Layout: group "data" holds one group per layer, named after the layer, with
// datasets "0", "1", ... for its parameter blobs (weights, bias, ...); with
// write_diff a group "diff" holds the gradients the same way. A parameter
// shared with an earlier layer (`param { name }`) is written once, by the
// layer that owns it. Files written by upstream Caffe load here and the
// other way round.
//
// Errors: IOError (file cannot be opened or written), DataError (not HDF5,
// layout missing), ShapeError (a dataset's shape differs from the layer's
// blob, naming layer, blob and both shapes). Not thread-safe (libhdf5 is
// used from one thread at a time).
#pragma once

#include <string>

#include "caffe/net.hpp"

namespace caffe {

// True when `filename` exists and is an HDF5 file.
bool IsHDF5File(const string& filename);

template <typename Dtype>
void SaveNetToHDF5(const Net<Dtype>& net, const string& filename, bool write_diff = false);

// Copies parameters of layers found in the file by name; layers the file
// does not have are left alone, as with .caffemodel files.
template <typename Dtype>
void CopyTrainedLayersFromHDF5(Net<Dtype>* net, const string& filename);

}  // namespace caffe
