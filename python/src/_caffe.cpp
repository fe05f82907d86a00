// caffe._caffe: the C++ half of pycaffe. It exposes Blob, Layer, Net and the
// solvers for float (as upstream pycaffe does); caffe/pycaffe.py adds the
// Pythonic conveniences (net.blobs, net.forward(**inputs), ...) on top.
//
// Errors: every caffe::Error becomes the matching caffe.errors class; an
// exception raised inside a Python layer comes back out unchanged.
// GIL: released around the long-running calls (net construction, forward,
// backward, solver steps); Python layers take it back when they run.
// Ctrl-C: solver.step()/solve() poll Python's signal handlers once per
// iteration and raise KeyboardInterrupt after the iteration in progress.
#include <glog/logging.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <climits>
#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/memory_data_layer.hpp"
#include "caffe/layers/python_layer.hpp"
#include "caffe/net.hpp"
#include "caffe/solver.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/blas_threads.hpp"
#include "caffe/util/hdf5.hpp"
#include "caffe/util/io.hpp"
#include "caffe/util/upgrade_proto.hpp"
#include "bindings.hpp"
#include "pycaffe_types.hpp"

namespace py = pybind11;

namespace caffe {
namespace pycaffe {

typedef Blob<float> PyBlob;
typedef Layer<float> PyLayer;
typedef Net<float> PyNet;

// pycaffe's exception classes, made at import from the engine's one list of
// error types (CAFFE_FOR_EACH_ERROR_TYPE): CaffeError, a RuntimeError, and one
// subclass per C++ type that also derives from the listed built-in, so that
// `except ValueError` keeps working. caffe.errors re-exports them. The
// references live as long as the process.
PyObject* g_caffe_error = nullptr;
#define CAFFE_PY_ERROR_CLASS(Name, PythonBase, Meaning) PyObject* g_##Name = nullptr;
CAFFE_FOR_EACH_ERROR_TYPE(CAFFE_PY_ERROR_CLASS)
#undef CAFFE_PY_ERROR_CLASS

void RegisterErrors(py::module_& m) {
  py::module_ builtins = py::module_::import("builtins");
  py::dict classes;
  auto make_class = [&](const char* name, py::tuple bases, const char* meaning) {
    py::dict body;
    body["__doc__"] = meaning;
    body["__module__"] = "caffe.errors";
    py::object type = builtins.attr("type")(name, bases, body);
    classes[name] = type;
    return type.release().ptr();
  };
  g_caffe_error = make_class("CaffeError", py::make_tuple(builtins.attr("RuntimeError")),
                             "Base class of every error reported by the caffe engine.");
#define CAFFE_PY_MAKE_ERROR_CLASS(Name, PythonBase, Meaning)                          \
  g_##Name = make_class(#Name,                                                         \
                        py::make_tuple(py::handle(g_caffe_error), builtins.attr(#PythonBase)), \
                        Meaning);
  CAFFE_FOR_EACH_ERROR_TYPE(CAFFE_PY_MAKE_ERROR_CLASS)
#undef CAFFE_PY_MAKE_ERROR_CLASS
  m.attr("_error_classes") = classes;

  py::register_exception_translator([](std::exception_ptr pending) {
#define CAFFE_PY_TRANSLATE_ERROR(Name, PythonBase, Meaning) \
  catch (const Name& error) {                               \
    PyErr_SetString(g_##Name, error.what());                \
  }
    try {
      if (pending) std::rethrow_exception(pending);
    } catch (const PythonLayerError& error) {
      if (error.exception()) {
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.exception())),
                        error.exception());
      } else {
        PyErr_SetString(g_caffe_error, error.what());
      }
    }
    CAFFE_FOR_EACH_ERROR_TYPE(CAFFE_PY_TRANSLATE_ERROR)
    catch (const Error& error) {
      PyErr_SetString(g_caffe_error, error.what());
    }
#undef CAFFE_PY_TRANSLATE_ERROR
  });
}

PyCallback::PyCallback(py::object callable) : callable_(std::move(callable)) {}

PyCallback::~PyCallback() {
  py::gil_scoped_acquire acquire;
  callable_ = py::object();
}

void PyCallback::operator()() const {
  py::gil_scoped_acquire acquire;
  callable_();
}

void PyCallback::operator()(int argument) const {
  py::gil_scoped_acquire acquire;
  callable_(argument);
}

// ------------------------------------------------------------------ Blob ---

// Exposes one tensor of a blob through the buffer protocol, so numpy views
// it without copying. Holds the Python blob object so the memory outlives
// neither the view nor the blob (as in upstream, a later reshape that grows
// the blob reallocates and leaves older views pointing at the old buffer).
struct BlobBuffer {
  py::object owner;
  PyBlob* blob;
  bool diff;
};

py::buffer_info DescribeBuffer(BlobBuffer& buffer) {
  static float empty_storage = 0;
  PyBlob& blob = *buffer.blob;
  float* data = &empty_storage;
  if (blob.count() > 0) data = buffer.diff ? blob.mutable_cpu_diff() : blob.mutable_cpu_data();
  vector<py::ssize_t> shape(blob.shape().begin(), blob.shape().end());
  vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = sizeof(float);
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return py::buffer_info(data, sizeof(float), py::format_descriptor<float>::format(),
                         static_cast<py::ssize_t>(shape.size()), shape, strides, false);
}

py::object BlobView(py::object self, bool diff) {
  BlobBuffer buffer{self, self.cast<PyBlob*>(), diff};
  return py::module_::import("numpy").attr("asarray")(py::cast(std::move(buffer)));
}

vector<int> ShapeFromArgs(const py::args& args) {
  py::sequence dims = args;
  // blob.reshape((2, 3)) and blob.reshape([2, 3]) mean blob.reshape(2, 3).
  if (args.size() == 1 && py::isinstance<py::sequence>(args[0])) dims = args[0];
  vector<int> shape;
  for (py::handle dim : dims) {
    const long long value = dim.cast<long long>();
    CAFFE_REQUIRE(value >= 0 && value <= INT_MAX, ShapeError, "blob dimension ", value,
                  " is out of range (shape ", py::str(py::tuple(dims)).cast<string>(), ")");
    shape.push_back(static_cast<int>(value));
  }
  return shape;
}

void DefineBlob(py::module_& m) {
  py::class_<BlobBuffer>(m, "_BlobBuffer", py::buffer_protocol()).def_buffer(&DescribeBuffer);

  py::class_<PyBlob, shared_ptr<PyBlob>>(m, "Blob")
      .def(py::init([](py::args args) { return std::make_shared<PyBlob>(ShapeFromArgs(args)); }))
      .def_property_readonly("shape",
                             [](const PyBlob& blob) { return py::tuple(py::cast(blob.shape())); })
      .def_property_readonly("count", [](const PyBlob& blob) { return blob.count(); })
      .def_property_readonly("num", &PyBlob::num)
      .def_property_readonly("channels", &PyBlob::channels)
      .def_property_readonly("height", &PyBlob::height)
      .def_property_readonly("width", &PyBlob::width)
      .def_property_readonly("_data", [](py::object self) { return BlobView(self, false); })
      .def_property_readonly("_diff", [](py::object self) { return BlobView(self, true); })
      .def("reshape", [](PyBlob& blob, py::args args) { blob.Reshape(ShapeFromArgs(args)); })
      .def("__repr__", [](const PyBlob& blob) {
        return "<caffe.Blob shape " + ShapeString(blob.shape()) + ">";
      });

  py::class_<BlobList>(m, "BlobVec")
      .def("__len__", [](const BlobList& list) { return list.blobs->size(); })
      .def("__getitem__", [](const BlobList& list, long long index) {
        const long long size = static_cast<long long>(list.blobs->size());
        if (index < 0) index += size;
        if (index < 0 || index >= size) throw py::index_error("blob index out of range");
        return (*list.blobs)[index];
      })
      .def("__iter__", [](const BlobList& list) {
        return py::iter(py::cast(vector<shared_ptr<PyBlob>>(*list.blobs)));
      })
      .def("add_blob", [](BlobList& list, py::args args) {
        list.blobs->push_back(std::make_shared<PyBlob>(ShapeFromArgs(args)));
      });
}

// ----------------------------------------------------------------- Layer ---

py::object LayerObject(const shared_ptr<PyLayer>& layer) {
  if (_object* self = PythonLayerSelf(*layer)) return py::reinterpret_borrow<py::object>(self);
  return py::cast(layer);
}

void DefineLayer(py::module_& m) {
  py::class_<PyLayer, shared_ptr<PyLayer>>(m, "Layer")
      .def_property_readonly("type", [](const PyLayer& layer) { return string(layer.type()); })
      .def_property_readonly("name",
                             [](const PyLayer& layer) { return layer.layer_param().name(); })
      .def_property_readonly(
          "blobs", [](PyLayer& layer) { return BlobList{&layer.blobs()}; },
          py::keep_alive<0, 1>());
}

// ------------------------------------------------------------------- Net ---

Phase PhaseFromObject(py::handle value) {
  const long long phase = py::int_(py::reinterpret_borrow<py::object>(value)).cast<long long>();
  CAFFE_REQUIRE(phase == TRAIN || phase == TEST, ConfigError, "phase must be caffe.TRAIN or "
                "caffe.TEST, got ", phase);
  return static_cast<Phase>(phase);
}

// A file name given as str or os.PathLike (pathlib.Path).
string PathString(py::handle value) {
  return py::module_::import("os").attr("fspath")(value).cast<string>();
}

// One name or a list of them; each a str or a path.
vector<string> PathList(py::handle value) {
  if (py::isinstance<py::str>(value) || py::hasattr(value, "__fspath__")) {
    return {PathString(value)};
  }
  vector<string> paths;
  for (py::handle item : value) paths.push_back(PathString(item));
  return paths;
}

vector<string> StringList(py::handle value) {
  if (py::isinstance<py::str>(value)) return {value.cast<string>()};
  return value.cast<vector<string>>();
}

// caffe.Net(network_file, phase, level=0, stages=None, weights=None) and the
// older caffe.Net(network_file, weights, phase); every argument after the
// file may also be given by keyword.
shared_ptr<PyNet> MakeNet(py::object network_path, py::args args, py::kwargs kwargs) {
  const string network_file = PathString(network_path);
  py::object phase, weights, level, stages;
  const bool weights_first =
      args.size() >= 1 && (py::isinstance<py::str>(args[0]) || py::hasattr(args[0], "__fspath__"));
  if (weights_first) {
    if (args.size() > 2) {
      throw py::type_error("Net(network_file, weights, phase) takes 3 arguments");
    }
    weights = args[0];
    if (args.size() == 2) phase = args[1];
  } else {
    if (args.size() > 4) throw py::type_error("too many arguments to Net()");
    py::object* slots[] = {&phase, &level, &stages, &weights};
    for (size_t i = 0; i < args.size(); ++i) *slots[i] = args[i];
  }
  for (auto item : kwargs) {
    const string key = item.first.cast<string>();
    py::object value = py::reinterpret_borrow<py::object>(item.second);
    py::object* slot = key == "phase"     ? &phase
                       : key == "weights" ? &weights
                       : key == "level"   ? &level
                       : key == "stages"  ? &stages
                                          : nullptr;
    if (!slot) throw py::type_error("Net() got an unexpected keyword argument '" + key + "'");
    if (*slot) throw py::type_error("Net() got multiple values for argument '" + key + "'");
    *slot = value;
  }
  if (!phase || phase.is_none()) {
    throw py::type_error("Net() needs a phase (caffe.TRAIN or caffe.TEST)");
  }
  const Phase net_phase = PhaseFromObject(phase);
  const int net_level = (level && !level.is_none()) ? level.cast<int>() : 0;
  const vector<string> net_stages =
      (stages && !stages.is_none()) ? StringList(stages) : vector<string>();
  const vector<string> weight_files =
      (weights && !weights.is_none()) ? PathList(weights) : vector<string>();
  py::gil_scoped_release release;
  auto net = std::make_shared<PyNet>(network_file, net_phase, net_level, &net_stages);
  for (const string& file : weight_files) net->CopyTrainedLayersFrom(file);
  return net;
}

void CheckLayerRange(const PyNet& net, int first, int last, bool forward) {
  const int size = static_cast<int>(net.layers().size());
  const bool ok = forward ? (0 <= first && first <= last + 1 && last < size)
                          : (0 <= last && last <= first + 1 && first < size);
  CAFFE_REQUIRE(ok, ConfigError, "layer range ", first, "..", last, " is not valid for net '",
                net.name(), "' with ", size, " layers");
}

// Adds `callable(layer_index)` to one of the net's hook lists.
void AddHook(PyNet& net, void (PyNet::*add)(PyNet::LayerHook), py::object callable) {
  if (!PyCallable_Check(callable.ptr())) throw py::type_error("net hooks must be callable");
  auto callback = std::make_shared<PyCallback>(std::move(callable));
  (net.*add)([callback](int layer) { (*callback)(layer); });
}

// Checks one array handed to set_input_arrays: float32, C-contiguous, 4-D,
// of the layer's item shape.
void CheckInputArray(const py::array& array, const char* what, const string& layer,
                     const vector<int>& item_shape) {
  CAFFE_REQUIRE(array.dtype().is(py::dtype::of<float>()), ConfigError, what,
                " array for layer '", layer, "' must be float32, got ",
                py::str(array.dtype()).cast<string>());
  CAFFE_REQUIRE(array.flags() & py::array::c_style, ConfigError, what, " array for layer '",
                layer, "' must be C-contiguous (numpy.ascontiguousarray)");
  vector<int> shape(array.shape(), array.shape() + array.ndim());
  CAFFE_REQUIRE(array.ndim() == 4 && vector<int>(shape.begin() + 1, shape.end()) == item_shape,
                ShapeError, what, " array for layer '", layer, "' has shape ",
                ShapeString(shape), "; expected N x ", item_shape[0], " x ", item_shape[1],
                " x ", item_shape[2]);
}

// Points the MemoryData layer `layer_id` at the arrays. The layer holds a
// reference to them (released with the GIL held) for as long as it uses them,
// whatever happens to the Python objects of the net and the arrays.
void SetInputArrays(PyNet& net, int layer_id, py::array data, py::array labels) {
  CAFFE_REQUIRE(layer_id >= 0 && layer_id < static_cast<int>(net.layers().size()), ConfigError,
                "net '", net.name(), "' has no layer ", layer_id);
  const string& name = net.layer_names()[layer_id];
  auto layer = std::dynamic_pointer_cast<MemoryDataLayer<float>>(net.layers()[layer_id]);
  CAFFE_REQUIRE(layer, ConfigError, "set_input_arrays needs a MemoryData layer, but layer '",
                name, "' is ", net.layers()[layer_id]->type());
  CheckInputArray(data, "data", name, {layer->channels(), layer->height(), layer->width()});
  CheckInputArray(labels, "labels", name, {1, 1, 1});
  CAFFE_REQUIRE(data.shape(0) == labels.shape(0), ShapeError, "set_input_arrays: ",
                data.shape(0), " data items but ", labels.shape(0), " labels for layer '", name,
                "'");
  CAFFE_REQUIRE(data.shape(0) > 0 && data.shape(0) % layer->batch_size() == 0, ShapeError,
                "set_input_arrays: the number of items (", data.shape(0),
                ") must be a positive multiple of layer '", name, "''s batch size (",
                layer->batch_size(), ")");
  std::shared_ptr<const void> owner(new py::object(py::make_tuple(data, labels)),
                                    [](const void* arrays) {
                                      py::gil_scoped_acquire acquire;
                                      delete static_cast<const py::object*>(arrays);
                                    });
  layer->Reset(static_cast<const float*>(data.data()), static_cast<const float*>(labels.data()),
               static_cast<int>(data.shape(0)), std::move(owner));
}

py::list BlobNames(const PyNet& net, const vector<int>& ids) {
  py::list names;
  for (int id : ids) names.append(net.blob_names()[id]);
  return names;
}

void DefineNet(py::module_& m) {
  py::class_<PyNet, shared_ptr<PyNet>>(m, "Net", py::dynamic_attr())
      .def(py::init(&MakeNet))
      .def("_forward",
           [](PyNet& net, int start, int end) {
             CheckLayerRange(net, start, end, true);
             py::gil_scoped_release release;
             return net.ForwardFromTo(start, end);
           })
      .def("_backward",
           [](PyNet& net, int start, int end) {
             CheckLayerRange(net, start, end, false);
             py::gil_scoped_release release;
             net.BackwardFromTo(start, end);
           })
      .def("reshape", &PyNet::Reshape, py::call_guard<py::gil_scoped_release>())
      .def("clear_param_diffs", &PyNet::ClearParamDiffs)
      .def("copy_from",
           [](PyNet& net, py::object path) {
             const string file = PathString(path);
             py::gil_scoped_release release;
             net.CopyTrainedLayersFrom(file);
           })
      .def("share_with", &PyNet::ShareTrainedLayersWith)
      .def("save",
           [](const PyNet& net, py::object path) {
             NetParameter param;
             net.ToProto(&param, false);
             WriteProtoToBinaryFile(param, PathString(path));
           })
      .def("_to_proto_bytes",
           [](const PyNet& net, bool write_diff) {
             NetParameter param;
             net.ToProto(&param, write_diff);
             return py::bytes(param.SerializeAsString());
           },
           py::arg("write_diff") = false)
      .def_property_readonly("name", &PyNet::name)
      .def_property_readonly("phase", &PyNet::phase)
      .def_property_readonly("_blobs", &PyNet::blobs)
      .def_property_readonly("_blob_names", &PyNet::blob_names)
      .def_property_readonly("_layer_names", &PyNet::layer_names)
      .def_property_readonly("_blob_loss_weights", &PyNet::blob_loss_weights)
      .def_property_readonly("layers",
                             [](const PyNet& net) {
                               py::list layers;
                               for (const auto& layer : net.layers()) {
                                 layers.append(LayerObject(layer));
                               }
                               return layers;
                             })
      .def_property_readonly("_inputs", &PyNet::input_blob_indices)
      .def_property_readonly("_outputs", &PyNet::output_blob_indices)
      .def("_top_names",
           [](const PyNet& net, int layer) { return BlobNames(net, net.top_ids().at(layer)); })
      .def("_bottom_names",
           [](const PyNet& net, int layer) { return BlobNames(net, net.bottom_ids().at(layer)); })
      .def("_top_ids", [](const PyNet& net, int layer) { return net.top_ids().at(layer); })
      .def("_bottom_ids", [](const PyNet& net, int layer) { return net.bottom_ids().at(layer); })
      .def("before_forward",
           [](PyNet& net, py::object hook) { AddHook(net, &PyNet::add_before_forward, hook); })
      .def("after_forward",
           [](PyNet& net, py::object hook) { AddHook(net, &PyNet::add_after_forward, hook); })
      .def("before_backward",
           [](PyNet& net, py::object hook) { AddHook(net, &PyNet::add_before_backward, hook); })
      .def("after_backward",
           [](PyNet& net, py::object hook) { AddHook(net, &PyNet::add_after_backward, hook); })
      .def("_set_input_arrays", &SetInputArrays)
      .def("save_hdf5",
           [](const PyNet& net, py::object path, bool write_diff) {
             const string file = PathString(path);
             py::gil_scoped_release release;
             SaveNetToHDF5(net, file, write_diff);
           },
           py::arg("filename"), py::arg("write_diff") = false)
      .def("load_hdf5", [](PyNet& net, py::object path) {
        const string file = PathString(path);
        py::gil_scoped_release release;
        CopyTrainedLayersFromHDF5(&net, file);
      });
}

}  // namespace pycaffe
}  // namespace caffe

PYBIND11_MODULE(_caffe, m) {
  using namespace caffe;
  using namespace caffe::pycaffe;
  m.doc() = "C++ core of pycaffe; use the `caffe` package instead.";
  RegisterErrors(m);

  py::enum_<Phase>(m, "Phase", py::arithmetic())
      .value("TRAIN", TRAIN)
      .value("TEST", TEST)
      .export_values();

  m.def("set_mode_cpu", [] { Caffe::set_mode(Caffe::CPU); });
  m.def("_set_device", &Caffe::SetDevice, py::arg("device_id"));
  m.def("set_blas_threads", &SetBlasThreads, py::arg("n"));
  m.def("blas_threads", &BlasThreads);
  m.def("default_blas_threads", &DefaultBlasThreads);
  // glog, as upstream's init_log(level, stderr): messages below `level`
  // (0 INFO, 1 WARNING, 2 ERROR) are dropped; `stderr` logs to stderr
  // instead of glog's files. InitGoogleLogging may run once per process.
  m.def("_init_log", [](int level, bool to_stderr) {
    FLAGS_minloglevel = level;
    FLAGS_logtostderr = to_stderr;
    if (!google::IsGoogleLoggingInitialized()) google::InitGoogleLogging("pycaffe");
  });
  m.def("log", [](const string& message) { LOG(INFO) << message; }, py::arg("message"));
  m.def("set_random_seed", [](unsigned long long seed) { Caffe::set_random_seed(seed); },
        py::arg("seed"));
  m.def("set_max_image_pixels", &SetMaxImagePixels, py::arg("pixels"),
        "Refuse images (files and encoded records) with more pixels than this.");
  m.def("get_max_image_pixels", &MaxImagePixels);
  m.def("layer_type_list", &LayerRegistry<float>::LayerTypeList);
  m.def("solver_type_list", &SolverRegistry<float>::SolverTypeList);
  m.attr("__version__") = CAFFE_VERSION;

  DefineBlob(m);
  DefineLayer(m);
  DefineNet(m);
  DefineSolvers(m);
  DefineDB(m);
  DefineConvert(m);
  DefineAugment(m);
}
