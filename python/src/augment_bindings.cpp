// caffe.augment's C++ half: the Augmenter the data layers use, applied to one
// numpy image, the PNG preview grids (WriteAugmentPreview, WriteLayerPreview),
// the names of the sampled parameters and the op table.
//
// The parameter arrives serialized (caffe/augment.py accepts a caffe_pb2
// message or prototxt text); an unset random_seed draws one from caffe's RNG,
// as the Data layer does, so caffe.set_random_seed makes it reproducible.
// Apply and the preview release the GIL; the Augmenter is immutable, so one
// object may be used from several Python threads.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "caffe/augment/augmenter.hpp"
#include "caffe/augment/ops.hpp"
#include "caffe/augment/preview.hpp"
#include "caffe/common.hpp"
#include "caffe/data/augmentation_seed.hpp"
#include "caffe/util/upgrade_proto.hpp"

namespace py = pybind11;

namespace caffe {
namespace pycaffe {
namespace {

typedef py::array_t<uint8_t, py::array::c_style> ImageArray;

std::shared_ptr<augment::Augmenter> MakeAugmenter(const py::bytes& serialized) {
  AugmentationParameter param;
  CAFFE_REQUIRE(param.ParseFromString(string(serialized)), ParseError,
                "cannot parse the serialized AugmentationParameter");
  return std::make_shared<augment::Augmenter>(WithResolvedSeed(param));
}

// An H x W (grey) or H x W x C uint8 array as a cv::Mat sharing its memory.
cv::Mat ImageMat(const ImageArray& image, const char* what) {
  CAFFE_REQUIRE(image.ndim() == 2 || image.ndim() == 3, ShapeError, what,
                " must be an H x W or H x W x C uint8 array, got ", image.ndim(), " dimensions");
  const int channels = image.ndim() == 3 ? static_cast<int>(image.shape(2)) : 1;
  CAFFE_REQUIRE(image.shape(0) > 0 && image.shape(1) > 0 && channels >= 1 && channels <= 4,
                ShapeError, what, " has shape ", image.shape(0), " x ", image.shape(1), " x ",
                channels, "; needs a positive size and 1 to 4 channels");
  return cv::Mat(static_cast<int>(image.shape(0)), static_cast<int>(image.shape(1)),
                 CV_8UC(channels), const_cast<uint8_t*>(image.data()));
}

py::tuple Apply(const augment::Augmenter& augmenter, const ImageArray& image, uint64_t epoch,
                const py::bytes& key, int slot, Phase phase) {
  const cv::Mat mat = ImageMat(image, "the image");
  const auto context = augment::RecordContext::FromKey(epoch, string(key), slot);
  augment::AugmentedImage out;
  {
    py::gil_scoped_release release;
    augmenter.Apply(mat.data, mat.rows, mat.cols, mat.channels(), context, phase, &out);
  }
  ImageArray result(std::vector<py::ssize_t>{out.height, out.width, out.channels});
  std::copy(out.u8.begin(), out.u8.end(), result.mutable_data());
  const py::ssize_t vector_size = augment::SampledParams::kVectorSize;
  py::array_t<float> params(std::vector<py::ssize_t>{vector_size});
  out.params.ToVector(params.mutable_data());
  return py::make_tuple(result, params, out.params.augmented);
}

augment::PreviewOptions Options(int samples, double zoom, bool captions) {
  augment::PreviewOptions options;
  options.samples = samples;
  options.zoom = zoom;
  options.captions = captions;
  return options;
}

void Preview(const augment::Augmenter& augmenter, const std::vector<ImageArray>& images,
             int samples, const string& png_path, const std::vector<py::bytes>& keys,
             const std::vector<int>& slots, double zoom, bool captions) {
  CAFFE_REQUIRE(keys.empty() || keys.size() == images.size(), ShapeError, "preview got ",
                images.size(), " images but ", keys.size(), " keys");
  CAFFE_REQUIRE(slots.empty() || slots.size() == images.size(), ShapeError, "preview got ",
                images.size(), " images but ", slots.size(), " slots");
  std::vector<augment::PreviewRow> rows(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    rows[i].image = ImageMat(images[i], "a preview image");
    rows[i].record = i;
    if (!keys.empty()) rows[i].key = string(keys[i]);
    if (!slots.empty()) rows[i].slot = slots[i];
    rows[i].label = rows[i].key.empty() ? caffe::internal::Concat("image ", i) : rows[i].key;
    if (!slots.empty()) rows[i].label += caffe::internal::Concat(" slot ", slots[i]);
  }
  py::gil_scoped_release release;
  augment::WriteAugmentPreview(augmenter, rows, Options(samples, zoom, captions), png_path);
}

void LayerPreview(const string& model, const string& layer, int records, int samples,
                  double zoom, bool captions, const string& png_path) {
  NetParameter net;
  ReadNetParamsFromTextFile(model, &net);
  augment::LayerPreviewOptions options;
  static_cast<augment::PreviewOptions&>(options) = Options(samples, zoom, captions);
  options.layer = layer;
  options.model = model;
  options.records = records;
  py::gil_scoped_release release;
  augment::WriteLayerPreview(net, options, png_path);
}

py::list OpTableRows() {
  static const char* const kKinds[] = {"none", "geometric", "pixel"};
  py::list rows;
  for (int i = 0; i < augment::OpTableSize(); ++i) {
    const augment::OpSpec& op = augment::OpTable()[i];
    rows.append(py::make_tuple(op.name, static_cast<int>(op.type),
                               kKinds[static_cast<int>(op.kind)], op.is_signed, op.mapping));
  }
  return rows;
}

}  // namespace

void DefineAugment(py::module_& m) {
  py::class_<augment::Augmenter, std::shared_ptr<augment::Augmenter>>(m, "Augmenter")
      .def(py::init(&MakeAugmenter), py::arg("serialized_param"))
      .def_property_readonly("seed", &augment::Augmenter::seed)
      .def("_param_bytes",
           [](const augment::Augmenter& augmenter) {
             return py::bytes(augmenter.param().SerializeAsString());
           })
      .def("output_size",
           [](const augment::Augmenter& augmenter, int height, int width) {
             int out_h = 0, out_w = 0;
             augmenter.OutputSize(height, width, &out_h, &out_w);
             return py::make_tuple(out_h, out_w);
           })
      .def("_apply", &Apply, py::arg("image"), py::arg("epoch"), py::arg("key"),
           py::arg("slot"), py::arg("phase"));
  m.def("augment_preview", &Preview, py::arg("augmenter"), py::arg("images"),
        py::arg("samples"), py::arg("png_path"), py::arg("keys"), py::arg("slots"),
        py::arg("zoom"), py::arg("captions"));
  m.def("augment_layer_preview", &LayerPreview, py::arg("model"), py::arg("layer"),
        py::arg("records"), py::arg("samples"), py::arg("zoom"), py::arg("captions"),
        py::arg("png_path"));
  m.def("augment_param_names", &augment::SampledParams::Names);
  m.def("augment_op_table", &OpTableRows);
}

}  // namespace pycaffe
}  // namespace caffe
