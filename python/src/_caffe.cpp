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
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <climits>
#include <string>
#include <vector>

#include "caffe/blob.hpp"
#include "caffe/common.hpp"
#include "caffe/layer_factory.hpp"
#include "caffe/layers/python_layer.hpp"
#include "caffe/net.hpp"
#include "caffe/sgd_solvers.hpp"
#include "caffe/solver.hpp"
#include "caffe/util/datum_io.hpp"
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
typedef Solver<float> PySolver;

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
           [](const PyNet& net, int layer) { return BlobNames(net, net.bottom_ids().at(layer)); });
}

// --------------------------------------------------------------- Solvers ---

SolverParameter ReadSolverFile(const string& filename) {
  SolverParameter param;
  ReadSolverParamsFromTextFile(filename, &param);
  return param;
}

// Runs a solver call without the GIL while Python's signal handlers are
// polled once per iteration (and per test batch): Ctrl-C stops the solver
// after the iteration in progress, which leaves it consistent (iter, weights
// and history agree), and KeyboardInterrupt is raised once the call returns.
template <typename Run>
void RunInterruptible(PySolver& solver, Run run) {
  bool interrupted = false;
  solver.SetActionFunction([&interrupted]() {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) {
      interrupted = true;
      return SolverAction::STOP;
    }
    return SolverAction::NONE;
  });
  struct ResetAction {
    PySolver& solver;
    ~ResetAction() { solver.SetActionFunction(nullptr); }
  } reset{solver};
  try {
    py::gil_scoped_release release;
    run();
  } catch (...) {
    // The solver's own error wins; the pending signal's exception is dropped.
    if (interrupted) PyErr_Clear();
    throw;
  }
  if (interrupted) throw py::error_already_set();
}

template <typename SolverType>
void DefineSolverClass(py::module_& m, const char* name) {
  py::class_<SolverType, PySolver, shared_ptr<SolverType>>(m, name).def(
      py::init([](py::object path) {
        const SolverParameter param = ReadSolverFile(PathString(path));
        py::gil_scoped_release release;
        return std::make_shared<SolverType>(param);
      }),
      py::arg("filename"));
}

void DefineSolvers(py::module_& m) {
  py::class_<PySolver, shared_ptr<PySolver>>(m, "Solver")
      .def_property_readonly("net", &PySolver::net)
      .def_property_readonly("test_nets", &PySolver::test_nets)
      .def_property_readonly("iter", &PySolver::iter)
      .def_property_readonly("type", [](const PySolver& solver) { return string(solver.type()); })
      .def_property_readonly("_param_bytes",
                             [](const PySolver& solver) {
                               return py::bytes(solver.param().SerializeAsString());
                             })
      .def(
          "step",
          [](PySolver& solver, int iters) {
            RunInterruptible(solver, [&] { solver.Step(iters); });
          },
          py::arg("iters"))
      .def(
          "solve",
          [](PySolver& solver, py::object resume) {
            const string resume_file = resume.is_none() ? string() : PathString(resume);
            RunInterruptible(solver, [&] {
              solver.Solve(resume_file.empty() ? nullptr : resume_file.c_str());
            });
          },
          py::arg("resume") = py::none())
      .def("snapshot", &PySolver::Snapshot, py::call_guard<py::gil_scoped_release>())
      .def("restore",
           [](PySolver& solver, py::object path) { solver.Restore(PathString(path).c_str()); })
      .def("test_all", &PySolver::TestAll, py::call_guard<py::gil_scoped_release>());

  DefineSolverClass<SGDSolver<float>>(m, "SGDSolver");
  DefineSolverClass<NesterovSolver<float>>(m, "NesterovSolver");
  DefineSolverClass<AdaGradSolver<float>>(m, "AdaGradSolver");
  DefineSolverClass<RMSPropSolver<float>>(m, "RMSPropSolver");
  DefineSolverClass<AdaDeltaSolver<float>>(m, "AdaDeltaSolver");
  DefineSolverClass<AdamSolver<float>>(m, "AdamSolver");

  m.def("set_max_image_pixels", &SetMaxImagePixels, py::arg("pixels"),
        "Refuse images (files and encoded records) with more pixels than this.");
  m.def("get_max_image_pixels", &MaxImagePixels);

  m.def("get_solver", [](py::object path) {
    const SolverParameter param = ReadSolverFile(PathString(path));
    py::gil_scoped_release release;
    return SolverRegistry<float>::CreateSolver(param);
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
  m.def("set_mode_gpu", [] { Caffe::set_mode(Caffe::GPU); });
  m.def("set_device", &Caffe::SetDevice, py::arg("device_id"));
  m.def("set_random_seed", [](unsigned long long seed) { Caffe::set_random_seed(seed); },
        py::arg("seed"));
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
