// Types shared by libcaffe_python (the Python layer) and the _caffe module.
// Both register or cast them through pybind11, so they must be one
// definition seen by both libraries. Internal: not part of the C++ API.
#pragma once

#include <memory>
#include <vector>

#include "caffe/blob.hpp"

namespace caffe {
namespace pycaffe {

// Python's view of a layer's parameter blobs (`layer.blobs`): indexable, and
// `add_blob(*shape)` appends a new parameter, as in upstream pycaffe. Points
// into the layer; whoever hands one to Python keeps the layer alive.
struct BlobList {
  vector<shared_ptr<Blob<float>>>* blobs;
};

}  // namespace pycaffe
}  // namespace caffe
