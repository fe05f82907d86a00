// caffe._caffe's solvers: Solver (the base class every solver object is),
// SGDSolver and the other update rules, and get_solver. step() and solve()
// raise KeyboardInterrupt after the iteration in progress on Ctrl-C. caffe/pycaffe.py
// adds `param` (a live view of the SolverParameter) on top.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "bindings.hpp"
#include "caffe/net.hpp"
#include "caffe/sgd_solvers.hpp"
#include "caffe/solver.hpp"
#include "caffe/util/upgrade_proto.hpp"

namespace py = pybind11;

namespace caffe {
namespace pycaffe {
namespace {

typedef Solver<float> PySolver;
typedef Net<float> PyNet;

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

// Wraps an optional Python callable as a C++ callback (empty for None).
std::function<void()> Callback(py::object callable) {
  if (callable.is_none()) return nullptr;
  if (!PyCallable_Check(callable.ptr())) throw py::type_error("solver callbacks must be callable");
  auto callback = std::make_shared<PyCallback>(std::move(callable));
  return [callback] { (*callback)(); };
}

// Python's class hierarchy follows C++'s: the other update rules derive
// from SGDSolver (and so have its `lr`).
template <typename SolverType, typename Base>
py::class_<SolverType, Base, shared_ptr<SolverType>> DefineSolverClass(py::module_& m,
                                                                       const char* name) {
  py::class_<SolverType, Base, shared_ptr<SolverType>> solver_class(m, name);
  solver_class.def(py::init([](py::object path) {
                     const SolverParameter param = ReadSolverFile(PathString(path));
                     py::gil_scoped_release release;
                     return std::make_shared<SolverType>(param);
                   }),
                   py::arg("filename"));
  return solver_class;
}

}  // namespace

void DefineSolvers(py::module_& m) {
  py::class_<PySolver, shared_ptr<PySolver>>(m, "Solver", py::dynamic_attr())
      .def_property_readonly("net", &PySolver::net)
      .def_property_readonly("test_nets", &PySolver::test_nets)
      .def_property_readonly("iter", &PySolver::iter)
      .def_property_readonly("type", [](const PySolver& solver) { return string(solver.type()); })
      .def_property_readonly("_param_bytes",
                             [](const PySolver& solver) {
                               return py::bytes(solver.param().SerializeAsString());
                             })
      .def("_update_param",
           [](PySolver& solver, const py::bytes& serialized) {
             SolverParameter param;
             CAFFE_REQUIRE(param.ParseFromString(string(serialized)), ParseError,
                           "solver parameters do not parse");
             solver.UpdateParam(param);
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
      .def("test_all", &PySolver::TestAll, py::call_guard<py::gil_scoped_release>())
      .def("apply_update", &PySolver::ApplyUpdate, py::call_guard<py::gil_scoped_release>())
      .def(
          "add_callback",
          [](PySolver& solver, py::object on_start, py::object on_gradients_ready) {
            solver.add_callback(Callback(on_start), Callback(on_gradients_ready));
          },
          py::arg("on_start"), py::arg("on_gradients_ready"))
      .def(
          "share_weights",
          [](PySolver& solver, PyNet& net) { net.ShareTrainedLayersWith(solver.net().get()); },
          py::arg("net"));

  typedef SGDSolver<float> PySGDSolver;
  // The learning rate this iteration's update uses, under the lr_policy.
  DefineSolverClass<PySGDSolver, PySolver>(m, "SGDSolver")
      .def_property_readonly("lr", &PySGDSolver::GetLearningRate);
  DefineSolverClass<NesterovSolver<float>, PySGDSolver>(m, "NesterovSolver");
  DefineSolverClass<AdaGradSolver<float>, PySGDSolver>(m, "AdaGradSolver");
  DefineSolverClass<RMSPropSolver<float>, PySGDSolver>(m, "RMSPropSolver");
  DefineSolverClass<AdaDeltaSolver<float>, PySGDSolver>(m, "AdaDeltaSolver");
  DefineSolverClass<AdamSolver<float>, PySGDSolver>(m, "AdamSolver");

  m.def("get_solver", [](py::object path) {
    const SolverParameter param = ReadSolverFile(PathString(path));
    py::gil_scoped_release release;
    return SolverRegistry<float>::CreateSolver(param);
  });
}

}  // namespace pycaffe
}  // namespace caffe
