// The parts of the _caffe module defined outside _caffe.cpp. Each Define*
// adds its classes and functions to the module; errors they raise go through
// the translator that _caffe.cpp registers. Internal: not part of the C++ API.
#pragma once

#include <pybind11/pybind11.h>

namespace caffe {
namespace pycaffe {

// _caffe.DB and _caffe.db_open (caffe.db wraps them).
void DefineDB(pybind11::module_& m);
// _caffe.convert_imageset (caffe.convert_imageset wraps it).
void DefineConvert(pybind11::module_& m);
// _caffe.Augmenter and _caffe.augment_preview (caffe.augment wraps them).
void DefineAugment(pybind11::module_& m);

}  // namespace pycaffe
}  // namespace caffe
