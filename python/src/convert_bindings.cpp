// The database builders from Python: caffe.convert_imageset and
// caffe.convert_triplet_db over the library functions the tools use.
//
// GIL: released for the conversion; the progress callback takes it back to
// call into Python. An exception raised by the callback is left pending in
// Python, travels through the C++ conversion as ProgressRaised (so the
// conversion cleans up its temporary database) and is re-raised unchanged.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "caffe/common.hpp"
#include "caffe/util/convert_imageset.hpp"
#include "caffe/util/triplet_convert.hpp"

namespace py = pybind11;

namespace caffe {
namespace pycaffe {
namespace {

// Raised through the C++ conversion when the progress callback raised in
// Python; the Python error stays pending until the GIL is back.
struct ProgressRaised {};

// Calls progress(done, total) under the GIL.
void ReportProgress(const py::object& progress, int64_t done, int64_t total) {
  py::gil_scoped_acquire acquire;
  try {
    progress(done, total);
  } catch (py::error_already_set& error) {
    error.restore();
    throw ProgressRaised();
  }
}

// Polls Python's signal handlers (under the GIL) before each image, so that
// Ctrl-C stops a conversion, removes its temporary database and raises
// KeyboardInterrupt.
void CheckPythonSignals() {
  py::gil_scoped_acquire acquire;
  if (PyErr_CheckSignals() != 0) throw ProgressRaised();
}

// Runs `convert` without the GIL, re-raising the callback's exception.
template <typename Convert>
auto RunWithoutGil(Convert convert) {
  try {
    py::gil_scoped_release release;
    return convert();
  } catch (const ProgressRaised&) {
    throw py::error_already_set();
  }
}

}  // namespace

void DefineConvert(py::module_& m) {
  m.def(
      "convert_imageset",
      [](const string& root, const string& list_file, const string& db_path,
         ConvertImagesetOptions options, py::object progress) {
        if (!progress.is_none()) {
          options.progress = [&progress](int done, int total) {
            ReportProgress(progress, done, total);
          };
        }
        options.check_interrupt = &CheckPythonSignals;
        return RunWithoutGil([&] { return ConvertImageset(root, list_file, db_path, options); });
      },
      py::arg("root"), py::arg("listfile"), py::arg("db_path"), py::arg("options"),
      py::arg("progress"));
  py::class_<ConvertImagesetOptions>(m, "ConvertImagesetOptions")
      .def(py::init<>())
      .def_readwrite("gray", &ConvertImagesetOptions::gray)
      .def_readwrite("shuffle", &ConvertImagesetOptions::shuffle)
      .def_readwrite("backend", &ConvertImagesetOptions::backend)
      .def_readwrite("resize_height", &ConvertImagesetOptions::resize_height)
      .def_readwrite("resize_width", &ConvertImagesetOptions::resize_width)
      .def_readwrite("check_size", &ConvertImagesetOptions::check_size)
      .def_readwrite("encoded", &ConvertImagesetOptions::encoded)
      .def_readwrite("encode_type", &ConvertImagesetOptions::encode_type)
      .def_readwrite("progress_interval", &ConvertImagesetOptions::progress_interval)
      .def_readwrite("overwrite", &ConvertImagesetOptions::overwrite)
      .def_readwrite("resume", &ConvertImagesetOptions::resume);

  py::class_<TripletConvertOptions>(m, "TripletConvertOptions")
      .def(py::init<>())
      .def_readwrite("backend", &TripletConvertOptions::backend)
      .def_readwrite("shuffle", &TripletConvertOptions::shuffle)
      .def_readwrite("seed", &TripletConvertOptions::seed)
      .def_readwrite("resize_height", &TripletConvertOptions::resize_height)
      .def_readwrite("resize_width", &TripletConvertOptions::resize_width)
      .def_readwrite("gray", &TripletConvertOptions::gray)
      .def_readwrite("encoded", &TripletConvertOptions::encoded)
      .def_readwrite("encode_type", &TripletConvertOptions::encode_type)
      .def_readwrite("check_size", &TripletConvertOptions::check_size)
      .def_readwrite("skip_missing", &TripletConvertOptions::skip_missing)
      .def_readwrite("overwrite", &TripletConvertOptions::overwrite)
      .def_readwrite("resume", &TripletConvertOptions::resume);
  // listfile None: sample from root/<class>/<image> (the tool's -folders).
  m.def(
      "convert_triplet_db",
      [](const string& root, py::object list_file, const string& db_path,
         TripletConvertOptions options, int triplets_per_anchor, uint32_t sample_seed,
         py::object progress) {
        vector<TripletEntry> entries;
        if (list_file.is_none()) {
          entries = SampleTripletsFromFolders(root, triplets_per_anchor, sample_seed);
        } else {
          entries = ReadTripletList(list_file.cast<string>());
        }
        options.check_interrupt = &CheckPythonSignals;
        TripletProgressCallback callback;
        if (!progress.is_none()) {
          callback = [&progress](const TripletConvertProgress& state) {
            ReportProgress(progress, state.done, state.total);
          };
        }
        const TripletConvertProgress result = RunWithoutGil([&] {
          return ConvertTriplets(root, std::move(entries), db_path, options, callback);
        });
        py::dict counts;
        counts["total"] = result.total;
        counts["written"] = result.written;
        counts["skipped"] = result.skipped;
        counts["seconds"] = result.seconds;
        return counts;
      },
      py::arg("root"), py::arg("listfile"), py::arg("db_path"), py::arg("options"),
      py::arg("triplets_per_anchor"), py::arg("sample_seed"), py::arg("progress"));
}

}  // namespace pycaffe
}  // namespace caffe
