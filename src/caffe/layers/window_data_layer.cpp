#include "caffe/layers/window_data_layer.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "caffe/layer_factory.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"

namespace caffe {

namespace {

// The window file's whitespace-separated tokens, each with its line, read
// one after another; every failure names the file and the line.
class WindowFileTokens {
 public:
  explicit WindowFileTokens(const string& path) : path_(path) {
    std::ifstream file(path);
    CAFFE_REQUIRE(file.good(), IOError, "cannot open the window file ", path);
    string line;
    for (int number = 1; std::getline(file, line); ++number) {
      std::istringstream words(line);
      string word;
      while (words >> word) tokens_.push_back({word, number});
    }
  }

  bool done() const { return next_ >= tokens_.size(); }
  int line() const { return done() ? (tokens_.empty() ? 1 : tokens_.back().line) : tokens_[next_].line; }

  string Word(const char* what) {
    CAFFE_REQUIRE(!done(), ParseError, path_, ":", line(), ": the file ends where ", what,
                  " should be");
    return tokens_[next_++].text;
  }

  long long Integer(const char* what) {
    const int at = line();
    const string word = Word(what);
    size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CAFFE_REQUIRE(used == word.size() && !word.empty(), ParseError, path_, ":", at, ": ", what,
                  " must be an integer, got '", word, "'");
    return value;
  }

  float Real(const char* what) {
    const int at = line();
    const string word = Word(what);
    size_t used = 0;
    float value = 0;
    try {
      value = std::stof(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CAFFE_REQUIRE(used == word.size() && !word.empty() && std::isfinite(value), ParseError,
                  path_, ":", at, ": ", what, " must be a number, got '", word, "'");
    return value;
  }

  const string& path() const { return path_; }

 private:
  struct Token {
    string text;
    int line;
  };
  const string path_;
  vector<Token> tokens_;
  size_t next_ = 0;
};

}  // namespace

template <typename Dtype>
WindowDataLayer<Dtype>::WindowDataLayer(const LayerParameter& param)
    : BasePrefetchingDataLayer<Dtype>(param, param.data_param().prefetch(),
                                      "data_param.prefetch") {}

template <typename Dtype>
WindowDataLayer<Dtype>::~WindowDataLayer() {
  this->StopInternalThread();
}

template <typename Dtype>
void WindowDataLayer<Dtype>::DataLayerSetUp(const vector<Blob<Dtype>*>& bottom,
                                            const vector<Blob<Dtype>*>& top) {
  const WindowDataParameter& param = this->layer_param_.window_data_param();
  const TransformationParameter& transform = this->layer_param_.transform_param();
  for (const char* legacy : {"crop_size", "mirror", "mean_file"}) {
    if (param.GetReflection()->HasField(param,
                                        param.GetDescriptor()->FindFieldByName(legacy))) {
      LOG(WARNING) << this->Describe() << ": window_data_param." << legacy
                   << " is not read (WindowData takes it from transform_param, as in Caffe 1.0)";
    }
  }
  CAFFE_REQUIRE(transform.crop_size() > 0, ConfigError, this->Describe(),
                " needs transform_param.crop_size > 0 (the size windows are warped to)");
  CAFFE_REQUIRE(param.batch_size() > 0, ConfigError, this->Describe(),
                " needs window_data_param.batch_size > 0");
  CAFFE_REQUIRE(param.fg_fraction() >= 0 && param.fg_fraction() <= 1, ConfigError,
                this->Describe(), ": window_data_param.fg_fraction must be in [0, 1], got ",
                param.fg_fraction());
  CAFFE_REQUIRE(param.crop_mode() == "warp" || param.crop_mode() == "square", ConfigError,
                this->Describe(), ": window_data_param.crop_mode must be \"warp\" or \"square\", got \"",
                param.crop_mode(), "\"");
  crop_size_ = static_cast<int>(transform.crop_size());
  CAFFE_REQUIRE(2 * static_cast<int64_t>(param.context_pad()) < crop_size_, ConfigError,
                this->Describe(), ": window_data_param.context_pad (", param.context_pad(),
                ") must leave room in crop_size ", crop_size_);
  batch_size_ = static_cast<int>(param.batch_size());
  foreground_per_batch_ = static_cast<int>(static_cast<float>(batch_size_) * param.fg_fraction());

  // The Caffe stream is drawn from as upstream's layer draws from it: its
  // (unused here) transformer is seeded before and after the layer's own
  // generator, each time it would need random numbers.
  const bool transformer_draws = transform.mirror() || this->phase_ == TRAIN;
  if (transformer_draws) caffe_rng_rand();
  draw_seed_ = caffe_rng_rand();
  draws_.seed(draw_seed_);

  ReadWindowFile(param.source());
  CAFFE_REQUIRE(foreground_per_batch_ == 0 || !foreground_.empty(), ConfigError,
                this->Describe(), ": window file ", param.source(),
                " has no foreground window (overlap >= fg_threshold ", param.fg_threshold(),
                ") but each batch takes ", foreground_per_batch_);
  CAFFE_REQUIRE(foreground_per_batch_ == batch_size_ || !background_.empty(), ConfigError,
                this->Describe(), ": window file ", param.source(),
                " has no background window (overlap < bg_threshold ", param.bg_threshold(),
                ") but each batch takes ", batch_size_ - foreground_per_batch_);
  ReadMean();
  if (transformer_draws) caffe_rng_rand();

  const vector<int> data_shape{batch_size_, channels_, crop_size_, crop_size_};
  const vector<int> label_shape{batch_size_};
  top[0]->Reshape(data_shape);
  top[1]->Reshape(label_shape);
  for (auto& batch : this->prefetch_) {
    batch->blobs_ = {std::make_shared<Blob<Dtype>>(data_shape),
                     std::make_shared<Blob<Dtype>>(label_shape)};
  }
  LOG(INFO) << this->Describe() << ": " << images_.size() << " images, "
            << foreground_.size() << " foreground and " << background_.size()
            << " background windows; batches of " << batch_size_ << " ("
            << foreground_per_batch_ << " foreground), " << channels_ << "x" << crop_size_
            << "x" << crop_size_;
}

template <typename Dtype>
void WindowDataLayer<Dtype>::ReadWindowFile(const string& source) {
  const WindowDataParameter& param = this->layer_param_.window_data_param();
  WindowFileTokens tokens(source);
  CAFFE_REQUIRE(!tokens.done(), ParseError, source, ": the window file is empty");
  images_.clear();
  foreground_.clear();
  background_.clear();
  while (!tokens.done()) {
    const int header_line = tokens.line();
    const string hash = tokens.Word("'#'");
    CAFFE_REQUIRE(hash == "#", ParseError, source, ":", header_line,
                  ": expected '#' and an image index, got '", hash, "'");
    const long long index = tokens.Integer("the image index");
    CAFFE_REQUIRE(index == static_cast<long long>(images_.size()), ParseError, source, ":",
                  header_line, ": image index ", index, ", expected ", images_.size(),
                  " (images are numbered from 0 in file order)");
    Image image;
    image.path = param.root_folder() + tokens.Word("the image path");
    const int size_line = tokens.line();
    const long long channels = tokens.Integer("the image's channels");
    image.height = static_cast<int>(tokens.Integer("the image's height"));
    image.width = static_cast<int>(tokens.Integer("the image's width"));
    CAFFE_REQUIRE(channels == 3, ParseError, source, ":", size_line,
                  ": WindowData decodes every image as 3-channel colour, but image ", index,
                  " is given ", channels, " channels");
    const int windows_line = tokens.line();
    const long long windows = tokens.Integer("the number of windows");
    CAFFE_REQUIRE(windows >= 0, ParseError, source, ":", windows_line,
                  ": the number of windows must not be negative, got ", windows);
    for (long long w = 0; w < windows; ++w) {
      const int line = tokens.line();
      Window window;
      window.image = static_cast<int>(images_.size());
      const long long label = tokens.Integer("a window's class");
      const float overlap = tokens.Real("a window's overlap");
      window.x1 = static_cast<int>(tokens.Integer("a window's x1"));
      window.y1 = static_cast<int>(tokens.Integer("a window's y1"));
      window.x2 = static_cast<int>(tokens.Integer("a window's x2"));
      window.y2 = static_cast<int>(tokens.Integer("a window's y2"));
      CAFFE_REQUIRE(window.x1 <= window.x2 && window.y1 <= window.y2, ParseError, source, ":",
                    line, ": window (", window.x1, ", ", window.y1, ") - (", window.x2, ", ",
                    window.y2, ") has its corners the wrong way round");
      if (overlap >= param.fg_threshold()) {
        CAFFE_REQUIRE(label > 0, ParseError, source, ":", line, ": a foreground window (overlap ",
                      overlap, " >= fg_threshold) needs a positive class, got ", label);
        window.label = static_cast<float>(label);
        foreground_.push_back(window);
      } else if (overlap < param.bg_threshold()) {
        window.label = 0;
        background_.push_back(window);
      }
    }
    if (param.cache_images()) image.bytes = ReadFileToString(image.path);
    images_.push_back(std::move(image));
  }
}

template <typename Dtype>
void WindowDataLayer<Dtype>::ReadMean() {
  const TransformationParameter& transform = this->layer_param_.transform_param();
  mean_values_.clear();
  mean_blob_.Reshape(vector<int>{0});
  CAFFE_REQUIRE(!(transform.has_mean_file() && transform.mean_value_size() > 0), ConfigError,
                this->Describe(), ": transform_param sets both mean_file and mean_value; use one");
  if (transform.has_mean_file()) {
    BlobProto proto;
    try {
      ReadProtoFromBinaryFile(transform.mean_file(), &proto);
      mean_blob_.FromProto(proto);
    } catch (const Error& error) {
      RethrowWithContext(error, this->Describe() + ": mean_file " + transform.mean_file() + ": ");
    }
    const int axes = mean_blob_.num_axes();
    const int height = axes >= 2 ? mean_blob_.shape(-2) : 0;
    const int width = axes >= 2 ? mean_blob_.shape(-1) : 0;
    const int offset = (width - crop_size_) / 2;
    CAFFE_REQUIRE(axes >= 3 && mean_blob_.shape(-3) == channels_ && width >= crop_size_ &&
                      offset + crop_size_ <= height,
                  ShapeError, this->Describe(), ": mean_file ", transform.mean_file(),
                  " has shape ", mean_blob_.shape_string(), "; WindowData needs ", channels_,
                  " channels and a centre ", crop_size_, "x", crop_size_, " window");
  }
  if (transform.mean_value_size() > 0) {
    CAFFE_REQUIRE(transform.mean_value_size() == 1 || transform.mean_value_size() == channels_,
                  ConfigError, this->Describe(), ": transform_param has ",
                  transform.mean_value_size(), " mean_value entries; give 1 or ", channels_);
    for (int c = 0; c < channels_; ++c) {
      mean_values_.push_back(transform.mean_value(transform.mean_value_size() == 1 ? 0 : c));
    }
  }
}

template <typename Dtype>
int WindowDataLayer<Dtype>::DrawsPerWindow() const {
  return this->layer_param_.transform_param().mirror() ? 2 : 1;
}

template <typename Dtype>
void WindowDataLayer<Dtype>::load_batch(Batch<Dtype>* batch) {
  Dtype* data = batch->blobs_[0]->mutable_cpu_data();
  Dtype* labels = batch->blobs_[1]->mutable_cpu_data();
  std::fill(data, data + batch->blobs_[0]->count(), Dtype(0));
  const bool mirror = this->layer_param_.transform_param().mirror();
  const int counts[2] = {batch_size_ - foreground_per_batch_, foreground_per_batch_};
  const vector<Window>* lists[2] = {&background_, &foreground_};
  int item = 0;
  for (int kind = 0; kind < 2; ++kind) {
    for (int i = 0; i < counts[kind]; ++i, ++item) {
      const vector<Window>& list = *lists[kind];
      const Window& window = list[draws_() % list.size()];
      const bool flip = mirror && draws_() % 2;
      WarpWindow(window, flip, item, data);
      labels[item] = window.label;
    }
  }
}

template <typename Dtype>
void WindowDataLayer<Dtype>::WarpWindow(const Window& window, bool mirror, int item,
                                        Dtype* data) const {
  const WindowDataParameter& param = this->layer_param_.window_data_param();
  const Image& image = images_[window.image];
  cv::Mat decoded;
  try {
    const string bytes = param.cache_images() ? image.bytes : ReadFileToString(image.path);
    ImageDecodeOptions options;
    options.color = ImageDecodeOptions::COLOR;
    decoded = DecodeImage(bytes, true, 0, 0, 0, options, "image file " + image.path);
  } catch (...) {
    this->RethrowWithContext("");
  }
  int x1 = window.x1, y1 = window.y1, x2 = window.x2, y2 = window.y2;
  const auto where = [&] {
    return internal::Concat(this->Describe(), ": window (", window.x1, ", ", window.y1, ") - (",
                            window.x2, ", ", window.y2, ") of image file ", image.path, " (",
                            decoded.cols, "x", decoded.rows, ")");
  };
  cv::Size warped(crop_size_, crop_size_);
  int pad_top = 0, pad_left = 0;
  const int context_pad = static_cast<int>(param.context_pad());
  if (context_pad > 0 || param.crop_mode() == "square") {
    // Widen the window so that, warped to crop_size, context_pad pixels of
    // context lie on each side; the arithmetic is upstream's, in Dtype, so
    // the rounding matches.
    const Dtype context_scale =
        static_cast<Dtype>(crop_size_) / static_cast<Dtype>(crop_size_ - 2 * context_pad);
    Dtype half_height = static_cast<Dtype>(y2 - y1 + 1) / 2.0;
    Dtype half_width = static_cast<Dtype>(x2 - x1 + 1) / 2.0;
    const Dtype center_x = static_cast<Dtype>(x1) + half_width;
    const Dtype center_y = static_cast<Dtype>(y1) + half_height;
    if (param.crop_mode() == "square") half_width = half_height = std::max(half_width, half_height);
    x1 = static_cast<int>(std::round(center_x - half_width * context_scale));
    x2 = static_cast<int>(std::round(center_x + half_width * context_scale));
    y1 = static_cast<int>(std::round(center_y - half_height * context_scale));
    y2 = static_cast<int>(std::round(center_y + half_height * context_scale));
    const int unclipped_height = y2 - y1 + 1;
    const int unclipped_width = x2 - x1 + 1;
    const int cut_left = std::max(0, -x1), cut_top = std::max(0, -y1);
    const int cut_right = std::max(0, x2 - decoded.cols + 1);
    const int cut_bottom = std::max(0, y2 - decoded.rows + 1);
    x1 += cut_left;
    x2 -= cut_right;
    y1 += cut_top;
    y2 -= cut_bottom;
    CAFFE_REQUIRE(x1 <= x2 && y1 <= y2, DataError, where(), " lies outside the image");
    const Dtype scale_x = static_cast<Dtype>(crop_size_) / static_cast<Dtype>(unclipped_width);
    const Dtype scale_y = static_cast<Dtype>(crop_size_) / static_cast<Dtype>(unclipped_height);
    const auto scaled = [](int pixels, Dtype scale) {
      return static_cast<int>(std::round(static_cast<Dtype>(pixels) * scale));
    };
    warped.width = scaled(x2 - x1 + 1, scale_x);
    warped.height = scaled(y2 - y1 + 1, scale_y);
    pad_top = scaled(cut_top, scale_y);
    // A mirrored window is placed mirrored: its right-hand cut goes left.
    pad_left = mirror ? scaled(cut_right, scale_x) : scaled(cut_left, scale_x);
    warped.height = std::min(warped.height, crop_size_ - pad_top);
    warped.width = std::min(warped.width, crop_size_ - pad_left);
    CAFFE_REQUIRE(warped.width > 0 && warped.height > 0, DataError, where(),
                  " keeps too little of the image to warp");
  } else {
    CAFFE_REQUIRE(x1 >= 0 && y1 >= 0 && x2 < decoded.cols && y2 < decoded.rows, DataError, where(),
                  " does not lie inside the image");
  }
  cv::Mat warp;
  cv::resize(decoded(cv::Rect(x1, y1, x2 - x1 + 1, y2 - y1 + 1)), warp, warped, 0, 0,
             cv::INTER_LINEAR);
  if (mirror) cv::flip(warp, warp, 1);

  const Dtype scale = param.scale();
  const bool has_mean_file = mean_blob_.count() > 0;
  const int mean_height = has_mean_file ? mean_blob_.shape(-2) : 0;
  const int mean_width = has_mean_file ? mean_blob_.shape(-1) : 0;
  // Upstream offsets both axes of the mean by its width's margin.
  const int mean_offset = (mean_width - crop_size_) / 2;
  const Dtype* mean = has_mean_file ? mean_blob_.cpu_data() : nullptr;
  for (int h = 0; h < warp.rows; ++h) {
    const uint8_t* row = warp.ptr<uint8_t>(h);
    for (int w = 0; w < warp.cols; ++w) {
      for (int c = 0; c < channels_; ++c) {
        const Dtype pixel = static_cast<Dtype>(row[w * channels_ + c]);
        const int y = h + pad_top, x = w + pad_left;
        Dtype value = pixel;
        if (has_mean_file) {
          value -= mean[(c * mean_height + y + mean_offset) * mean_width + x + mean_offset];
        } else if (!mean_values_.empty()) {
          value -= mean_values_[c];
        }
        data[((item * channels_ + c) * crop_size_ + y) * crop_size_ + x] = value * scale;
      }
    }
  }
}

template <typename Dtype>
void WindowDataLayer<Dtype>::SkipBatches(int64_t batches) {
  draws_.seed(draw_seed_);
  draws_.discard(static_cast<uint64_t>(batches) * batch_size_ * DrawsPerWindow());
}

INSTANTIATE_CLASS(WindowDataLayer);
REGISTER_LAYER_CLASS(WindowData);

}  // namespace caffe
