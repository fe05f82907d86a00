// The parts of the _caffe module defined outside _caffe.cpp. Each Define*
// adds its classes and functions to the module; errors they raise go through
// the translator that _caffe.cpp registers. Internal: not part of the C++ API.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

namespace caffe {
namespace pycaffe {

// _caffe.DB and _caffe.db_open (caffe.db wraps them).
void DefineDB(pybind11::module_& m);
// _caffe.convert_imageset (caffe.convert_imageset wraps it).
void DefineConvert(pybind11::module_& m);
// _caffe.Augmenter and _caffe.augment_preview (caffe.augment wraps them).
void DefineAugment(pybind11::module_& m);
// _caffe.Solver and its subclasses, get_solver.
void DefineSolvers(pybind11::module_& m);

// A file name given as str or os.PathLike (pathlib.Path).
std::string PathString(pybind11::handle value);

// A Python callable that C++ code calls back (net hooks, solver callbacks),
// possibly while the GIL is released: calling and destroying it take the GIL.
// A Python exception raised by the callable propagates as
// pybind11::error_already_set and comes out of the pycaffe call unchanged.
class PyCallback {
 public:
  explicit PyCallback(pybind11::object callable);
  ~PyCallback();
  PyCallback(const PyCallback&) = delete;
  PyCallback& operator=(const PyCallback&) = delete;

  void operator()() const;
  void operator()(int argument) const;

 private:
  pybind11::object callable_;
};

}  // namespace pycaffe
}  // namespace caffe
