#include "caffe/layers/python_layer.hpp"

#include <dlfcn.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <mutex>

#include "caffe/layer_factory.hpp"
#include "caffe/util/io.hpp"
#include "pycaffe_types.hpp"

namespace py = pybind11;

namespace caffe {

namespace {

std::mutex& DirectoriesMutex() {
  static std::mutex mutex;
  return mutex;
}

vector<string>& ModuleDirectories() {
  static vector<string> directories;
  return directories;
}

// Caller holds the GIL.
void PrependToSysPath(const string& directory) {
  py::list path = py::module_::import("sys").attr("path");
  const py::str entry(directory.empty() ? "." : directory);
  if (!path.contains(entry)) path.insert(0, entry);
}

// The directory holding the `caffe` package that belongs to this library:
// next to it in a build tree (build/python/{libcaffe_python.so,caffe/}), two
// levels up when installed (site-packages/caffe/lib/libcaffe_python.so).
string OwnPackageRoot() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void*>(&OwnPackageRoot), &info) || !info.dli_fname) return "";
  const string library_dir = DirName(info.dli_fname);
  for (const string& candidate : {library_dir, JoinPath(library_dir, "../..")}) {
    if (FileExists(JoinPath(candidate, "caffe/__init__.py"))) return candidate;
  }
  return "";
}

// Python buffers stdout when it is not a terminal; an embedded interpreter
// that is never finalised would lose what layers printed.
void FlushPythonStreams() {
  if (!Py_IsInitialized()) return;
  PyGILState_STATE state = PyGILState_Ensure();
  PyRun_SimpleString("import sys\nsys.stdout.flush()\nsys.stderr.flush()\n");
  PyGILState_Release(state);
}

// Starts an interpreter for programs that are not Python themselves, once.
// It honours PYTHONPATH and the usual site-packages, leaves signals to
// caffe, and is left running without the GIL held.
void EnsureInterpreter() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (Py_IsInitialized()) return;
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    const PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    CAFFE_REQUIRE(!PyStatus_Exception(status), ConfigError,
                  "cannot start the Python interpreter for Python layers: ",
                  status.err_msg ? status.err_msg : "unknown failure");
    {
      const string package_root = OwnPackageRoot();
      if (!package_root.empty()) PrependToSysPath(package_root);
      std::lock_guard<std::mutex> lock(DirectoriesMutex());
      for (const string& directory : ModuleDirectories()) PrependToSysPath(directory);
    }
    std::atexit(FlushPythonStreams);
    PyEval_SaveThread();
  });
}

// Formats the pending Python exception as Python prints it and returns it
// with a new reference to the exception object. Caller holds the GIL.
string DescribePythonException(py::error_already_set& error, _object** exception) {
  py::object value = error.value();
  if (error.trace()) PyException_SetTraceback(value.ptr(), error.trace().ptr());
  string text;
  try {
    py::object trace = error.trace() ? py::object(error.trace()) : py::object(py::none());
    py::object lines =
        py::module_::import("traceback").attr("format_exception")(error.type(), value, trace);
    text = py::str("").attr("join")(lines).cast<string>();
  } catch (const py::error_already_set&) {
    text = error.what();
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  *exception = value.release().ptr();
  return text;
}

[[noreturn]] void ThrowPythonError(const string& context, py::error_already_set& error) {
  _object* exception = nullptr;
  const string traceback = DescribePythonException(error, &exception);
  throw PythonLayerError(context + ":\n" + traceback, exception);
}

template <typename Dtype>
py::list BlobsToList(const vector<Blob<Dtype>*>& blobs) {
  py::list list;
  for (Blob<Dtype>* blob : blobs) list.append(py::cast(blob, py::return_value_policy::reference));
  return list;
}

}  // namespace

PythonLayerError::PythonLayerError(const string& message, _object* exception)
    : Error(message), exception_(exception, [](_object* object) {
        if (!object || !Py_IsInitialized()) return;
        py::gil_scoped_acquire gil;
        Py_DECREF(object);
      }) {}

_object* PythonLayerSelf(const Layer<float>& layer) {
  auto* python_layer = dynamic_cast<const PythonLayer<float>*>(&layer);
  return python_layer ? python_layer->self() : nullptr;
}

void AddPythonModuleDirectory(const string& directory) {
  {
    std::lock_guard<std::mutex> lock(DirectoriesMutex());
    ModuleDirectories().push_back(directory);
  }
  if (Py_IsInitialized()) {
    py::gil_scoped_acquire gil;
    PrependToSysPath(directory);
  }
}

template <typename Dtype>
PythonLayer<Dtype>::PythonLayer(const LayerParameter& param) : Layer<Dtype>(param) {
  const PythonParameter& python_param = param.python_param();
  CAFFE_REQUIRE(!python_param.module().empty() && !python_param.layer().empty(), ConfigError,
                this->Describe(), " needs python_param { module: ... layer: ... }");
  CAFFE_REQUIRE((std::is_same<Dtype, float>::value), ConfigError, this->Describe(),
                ": Python layers run in float nets only");
  EnsureInterpreter();
  py::gil_scoped_acquire gil;
  try {
    // Importing the package registers Blob and friends with pybind11.
    py::module_ caffe_module = py::module_::import("caffe");
    py::object layer_class =
        py::module_::import(python_param.module().c_str()).attr(python_param.layer().c_str());
    py::object self = layer_class();
    self.attr("param_str") = py::str(python_param.param_str());
    self.attr("phase") = caffe_module.attr(this->phase_ == TRAIN ? "TRAIN" : "TEST");
    if constexpr (std::is_same<Dtype, float>::value) {
      self.attr("blobs") = py::cast(pycaffe::BlobList{&this->blobs_});
    }
    self_ = self.release().ptr();
  } catch (py::error_already_set& error) {
    ThrowPythonError(internal::Concat(this->Describe(), ": cannot create Python layer ",
                                      python_param.module(), ".", python_param.layer()),
                     error);
  }
}

template <typename Dtype>
PythonLayer<Dtype>::~PythonLayer() {
  if (!self_ || !Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  Py_DECREF(self_);
}

template <typename Dtype>
void PythonLayer<Dtype>::CallMethod(const char* method, const vector<Blob<Dtype>*>& first,
                                    const vector<bool>* propagate_down,
                                    const vector<Blob<Dtype>*>& second) {
  py::gil_scoped_acquire gil;
  try {
    py::object function = py::reinterpret_borrow<py::object>(self_).attr(method);
    if (propagate_down) {
      function(BlobsToList(first), py::cast(*propagate_down), BlobsToList(second));
    } else {
      function(BlobsToList(first), BlobsToList(second));
    }
  } catch (py::error_already_set& error) {
    ThrowPythonError(internal::Concat(this->Describe(), ": Python exception in ", method, "()"),
                     error);
  }
}

template <typename Dtype>
void PythonLayer<Dtype>::LayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                    const vector<Blob<Dtype>*>& top) {
  CallMethod("setup", bottom, nullptr, top);
}

template <typename Dtype>
void PythonLayer<Dtype>::Reshape(const vector<Blob<Dtype>*>& bottom,
                                 const vector<Blob<Dtype>*>& top) {
  CallMethod("reshape", bottom, nullptr, top);
}

template <typename Dtype>
void PythonLayer<Dtype>::Forward_cpu(const vector<Blob<Dtype>*>& bottom,
                                     const vector<Blob<Dtype>*>& top) {
  CallMethod("forward", bottom, nullptr, top);
}

template <typename Dtype>
void PythonLayer<Dtype>::Backward_cpu(const vector<Blob<Dtype>*>& top,
                                      const vector<bool>& propagate_down,
                                      const vector<Blob<Dtype>*>& bottom) {
  CallMethod("backward", top, &propagate_down, bottom);
}

INSTANTIATE_CLASS(PythonLayer);

template <typename Dtype>
shared_ptr<Layer<Dtype>> CreatePythonLayer(const LayerParameter& param) {
  return std::make_shared<PythonLayer<Dtype>>(param);
}
REGISTER_LAYER_CREATOR(Python, CreatePythonLayer);

}  // namespace caffe
