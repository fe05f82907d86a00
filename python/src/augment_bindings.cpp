// caffe.augment's C++ half: the Augmenter the data layers use, applied to one
// numpy image, and the PNG preview grid (WriteAugmentPreview).
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
#include "caffe/augment/preview.hpp"
#include "caffe/common.hpp"
#include "caffe/data/augmentation_seed.hpp"

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

void Preview(const augment::Augmenter& augmenter, const std::vector<ImageArray>& images,
             int samples, const string& png_path, const std::vector<py::bytes>& keys) {
  std::vector<cv::Mat> mats;
  for (const ImageArray& image : images) mats.push_back(ImageMat(image, "a preview image"));
  std::vector<string> key_strings;
  for (const py::bytes& key : keys) key_strings.emplace_back(key);
  CAFFE_REQUIRE(key_strings.empty() || key_strings.size() == mats.size(), ShapeError,
                "preview got ", mats.size(), " images but ", key_strings.size(), " keys");
  py::gil_scoped_release release;
  augment::WriteAugmentPreview(augmenter, mats, samples, png_path, key_strings);
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
        py::arg("samples"), py::arg("png_path"), py::arg("keys"));
}

}  // namespace pycaffe
}  // namespace caffe
