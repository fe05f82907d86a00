// PythonLayer<Dtype>: a layer whose computation is a Python class.
//
//   layer { type: "Python"  python_param { module: "my_layers" layer: "MyLayer"
//                                          param_str: "{\"k\": 2}" } }
//
// Construction imports `module` and instantiates `layer` (a subclass of
// caffe.Layer), then sets its attributes `param_str`, `phase` and `blobs`
// (this layer's parameter blobs). SetUp/Reshape/Forward/Backward call the
// object's setup/reshape/forward/backward with lists of caffe.Blob.
//
// Lives in libcaffe_python, not in libcaffe, so that only programs that want
// Python layers depend on libpython. Inside a Python process (pycaffe) the
// running interpreter is used; in any other program (the caffe tool) the
// first Python layer starts an embedded interpreter, which stays up until the
// process exits. Every call into Python takes the GIL and releases it on
// return, so callers may run without it (pycaffe releases it around
// forward/backward/step) and several threads may own Python layers.
//
// A Python exception becomes a PythonLayerError naming the layer and the
// method and carrying the formatted traceback; the original exception object
// is kept so that pycaffe can re-raise it unchanged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "caffe/layer.hpp"

struct _object;  // CPython's PyObject; kept opaque so this header needs no Python.h.

namespace caffe {

class PythonLayerError : public Error {
 public:
  // `exception` is a new reference to the Python exception instance (or null);
  // this error takes it over and releases it under the GIL.
  PythonLayerError(const string& message, _object* exception);
  // Borrowed; null when the error did not come from a Python exception.
  _object* exception() const { return exception_.get(); }

 private:
  shared_ptr<_object> exception_;
};

template <typename Dtype>
class PythonLayer : public Layer<Dtype> {
 public:
  // Imports the module and creates the Python object. Throws ConfigError
  // when python_param is incomplete, PythonLayerError when Python fails
  // (module not found, class missing, constructor raising).
  explicit PythonLayer(const LayerParameter& param);
  ~PythonLayer() override;

  void LayerSetUp(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Reshape(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  const char* type() const override { return "Python"; }

  // The Python object (borrowed reference), as pycaffe's net.layers shows it.
  _object* self() const { return self_; }

 protected:
  void Forward_cpu(const vector<Blob<Dtype>*>& bottom, const vector<Blob<Dtype>*>& top) override;
  void Backward_cpu(const vector<Blob<Dtype>*>& top, const vector<bool>& propagate_down,
                    const vector<Blob<Dtype>*>& bottom) override;

 private:
  // Calls self_.<method>(args...) under the GIL, turning a Python exception
  // into a PythonLayerError.
  void CallMethod(const char* method, const vector<Blob<Dtype>*>& first,
                  const vector<bool>* propagate_down, const vector<Blob<Dtype>*>& second);

  _object* self_ = nullptr;  // owned reference
};

// The Python object behind `layer` when it is a PythonLayer (borrowed
// reference), else null. pycaffe shows it in net.layers, as upstream does.
_object* PythonLayerSelf(const Layer<float>& layer);

// Directories searched for Python layer modules (put at the front of
// sys.path) in addition to PYTHONPATH: programs that embed Python name the
// directories of their prototxt files here. Takes effect at once when the
// interpreter is already running. Thread-safe.
void AddPythonModuleDirectory(const string& directory);

}  // namespace caffe
