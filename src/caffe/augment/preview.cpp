// The preview grid: cells, zoom and captions. See
// include/caffe/augment/preview.hpp.
#include "caffe/augment/preview.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "caffe/augment/ops.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/io.hpp"

namespace caffe {
namespace augment {

namespace {

constexpr int kGap = 4;  // pixels between cells
const cv::Scalar kBackground(64, 64, 64);
const cv::Scalar kText(235, 235, 235);
constexpr int kFont = cv::FONT_HERSHEY_PLAIN;
constexpr double kFontScale = 0.8;
constexpr int kLineHeight = 12;

// A 3-channel BGR view of an HWC buffer for display, zoomed.
cv::Mat ToDisplay(const cv::Mat& img, bool rgb, double zoom) {
  cv::Mat bgr;
  if (img.channels() == 1) {
    cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
  } else if (rgb) {
    cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR);
  } else {
    bgr = img;
  }
  if (zoom == 1) return bgr;
  cv::Mat zoomed;
  cv::resize(bgr, zoomed,
             cv::Size(std::max(1, static_cast<int>(std::lround(bgr.cols * zoom))),
                      std::max(1, static_cast<int>(std::lround(bgr.rows * zoom)))),
             0, 0, cv::INTER_NEAREST);
  return zoomed;
}

string Format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// The caption of a sample: fired ops, then the sampled values that differ
// from identity (positions - crop offsets, windows - are left out).
std::vector<string> SampleCaption(const SampledParams& p) {
  std::vector<string> lines;
  for (const FiredOp& op : p.fired_ops) {
    const OpSpec& spec = GetOp(op.type);
    string line = spec.name;
    const bool uses_magnitude = spec.strength(0, 1) != spec.strength(1, 1);
    if (uses_magnitude) {
      line += " " + string(op.sign < 0 ? "-" : spec.is_signed ? "+" : "") +
              Format(op.magnitude);
    }
    lines.push_back(line);
  }
  float v[SampledParams::kVectorSize];
  p.ToVector(v);
  const std::vector<string>& names = SampledParams::Names();
  const struct {
    const char* name;
    double identity;
  } shown[] = {{"angle_deg", 0}, {"scale", 1},      {"aspect", 1},
               {"shear_x", 0},   {"shear_y", 0},    {"translate_x", 0},
               {"translate_y", 0}, {"hflip", 0},    {"vflip", 0},
               {"brightness", 1}, {"contrast", 1},  {"saturation", 1},
               {"hue", 0},       {"gamma", 1},      {"cutouts", 0}};
  for (const auto& entry : shown) {
    const size_t i = std::find(names.begin(), names.end(), entry.name) - names.begin();
    CHECK_LT(i, names.size()) << entry.name;
    if (std::fabs(v[i] - entry.identity) > 1e-6) {
      lines.push_back(string(entry.name) + " " + Format(v[i]));
    }
  }
  return lines;
}

int TextWidth(const std::vector<string>& lines) {
  int width = 0;
  for (const string& line : lines) {
    int baseline = 0;
    width = std::max(width,
                     cv::getTextSize(line, kFont, kFontScale, 1, &baseline).width);
  }
  return width;
}

struct Cell {
  cv::Mat image;  // BGR, zoomed
  std::vector<string> caption;
};

}  // namespace

void WriteAugmentPreview(const Augmenter& augmenter,
                         const std::vector<PreviewRow>& rows,
                         const PreviewOptions& options, const string& png_path) {
  CAFFE_REQUIRE(options.samples >= 0, ConfigError, "augment_preview: samples = ",
                options.samples, " must be >= 0");
  CAFFE_REQUIRE(options.zoom > 0 && options.zoom <= 16, ConfigError,
                "augment_preview: zoom = ", options.zoom,
                " is outside the allowed range (0, 16]");
  CAFFE_REQUIRE(!rows.empty(), ConfigError, "augment_preview: no images to preview");
  const bool rgb = augmenter.param().channel_order() == AugmentationParameter::RGB;
  const int columns = options.samples + 1;
  std::vector<std::vector<Cell>> cells(rows.size());
  AugmentedImage out;
  for (size_t r = 0; r < rows.size(); ++r) {
    const cv::Mat& given = rows[r].image;
    CAFFE_REQUIRE(!given.empty() && given.depth() == CV_8U &&
                      (given.channels() == 1 || given.channels() == 3),
                  ShapeError, "augment_preview: image ", r,
                  " must be non-empty 8-bit with 1 or 3 channels");
    const cv::Mat img = given.isContinuous() ? given : given.clone();
    Cell input;
    input.image = ToDisplay(img, rgb, options.zoom);
    if (options.captions && !rows[r].label.empty()) input.caption = {rows[r].label};
    cells[r].push_back(input);
    for (int s = 0; s < options.samples; ++s) {
      RecordContext ctx;
      if (rows[r].key.empty()) {
        ctx.epoch = static_cast<uint64_t>(s);
        ctx.record = rows[r].record;
        ctx.slot = rows[r].slot;
      } else {
        ctx = RecordContext::FromKey(static_cast<uint64_t>(s), rows[r].key, rows[r].slot);
      }
      augmenter.Apply(img.data, img.rows, img.cols, img.channels(), ctx, TRAIN, &out);
      Cell sample;
      sample.image = ToDisplay(
          cv::Mat(out.height, out.width, CV_8UC(out.channels), out.u8.data()), rgb,
          options.zoom).clone();
      if (options.captions) sample.caption = SampleCaption(out.params);
      cells[r].push_back(sample);
    }
  }
  // One cell size for the whole grid: the largest image and caption.
  int cell_w = 1, image_h = 1;
  size_t caption_lines = 0;
  for (const auto& row : cells) {
    for (const Cell& cell : row) {
      cell_w = std::max({cell_w, cell.image.cols, TextWidth(cell.caption)});
      image_h = std::max(image_h, cell.image.rows);
      caption_lines = std::max(caption_lines, cell.caption.size());
    }
  }
  const int cell_h = image_h + static_cast<int>(caption_lines) * kLineHeight;
  const int grid_rows = static_cast<int>(rows.size());
  cv::Mat grid(grid_rows * cell_h + (grid_rows + 1) * kGap,
               columns * cell_w + (columns + 1) * kGap, CV_8UC3, kBackground);
  for (int r = 0; r < grid_rows; ++r) {
    const int y = kGap + r * (cell_h + kGap);
    for (int col = 0; col < columns; ++col) {
      const Cell& cell = cells[r][col];
      const int x = kGap + col * (cell_w + kGap);
      cell.image.copyTo(grid(cv::Rect(x, y, cell.image.cols, cell.image.rows)));
      for (size_t line = 0; line < cell.caption.size(); ++line) {
        cv::putText(grid, cell.caption[line],
                    cv::Point(x, y + image_h + static_cast<int>(line + 1) * kLineHeight - 2),
                    kFont, kFontScale, kText, 1, cv::LINE_8);
      }
    }
  }
  bool written = false;
  try {
    written = cv::imwrite(png_path, grid);
  } catch (const cv::Exception& e) {
    CAFFE_THROW(IOError, "augment_preview: cannot write ", png_path, ": ", e.what());
  }
  CAFFE_REQUIRE(written, IOError, "augment_preview: cannot write ", png_path);
}

void WriteAugmentPreviewFromFiles(const Augmenter& augmenter,
                                  const std::vector<string>& image_paths,
                                  const PreviewOptions& options,
                                  const string& png_path) {
  std::vector<PreviewRow> rows;
  for (const string& path : image_paths) {
    // Checked first so a missing file is our IOError, not an OpenCV warning.
    CAFFE_REQUIRE(std::ifstream(path).good(), IOError,
                  "augment_preview: cannot read image ", path);
    cv::Mat img = DecodeImage(ReadFileToString(path), true, 0, 0, 0,
                              ImageDecodeOptions(),
                              "augment_preview: image " + path);
    if (img.channels() == 4) cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
    PreviewRow row;
    row.image = img;
    row.record = rows.size();
    row.label = path;
    rows.push_back(row);
  }
  WriteAugmentPreview(augmenter, rows, options, png_path);
}

}  // namespace augment
}  // namespace caffe
