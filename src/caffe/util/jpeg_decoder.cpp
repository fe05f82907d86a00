#include "caffe/util/jpeg_decoder.hpp"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

namespace caffe {

namespace {

// libjpeg reports a fatal error by calling error_exit, which must not return:
// it jumps back to the Session's setjmp.
struct ErrorManager {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

void ErrorExit(j_common_ptr info) {
  std::longjmp(reinterpret_cast<ErrorManager*>(info->err)->jump, 1);
}

// Warnings are counted (num_warnings) and otherwise kept quiet: a warning
// sends the file to cv::imdecode, which handles damaged files its own way.
void EmitMessage(j_common_ptr info, int level) {
  if (level < 0) ++info->err->num_warnings;
}

void OutputMessage(j_common_ptr) {}

// One decompression, destroyed on every way out.
class Session {
 public:
  Session() {
    info_.err = jpeg_std_error(&errors_.manager);
    errors_.manager.error_exit = ErrorExit;
    errors_.manager.emit_message = EmitMessage;
    errors_.manager.output_message = OutputMessage;
    jpeg_create_decompress(&info_);
  }
  ~Session() { jpeg_destroy_decompress(&info_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  jpeg_decompress_struct* info() { return &info_; }
  std::jmp_buf& jump() { return errors_.jump; }

 private:
  jpeg_decompress_struct info_;
  ErrorManager errors_;
};

bool HasExif(jpeg_decompress_struct* info) {
  for (jpeg_saved_marker_ptr marker = info->marker_list; marker; marker = marker->next) {
    if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 4 &&
        std::memcmp(marker->data, "Exif", 4) == 0) {
      return true;
    }
  }
  return false;
}

// Reads the header and chooses the output colour space as cv::imdecode does
// for the flags `color` stands for; false when the fast path does not take
// the file. Must be called inside the session's setjmp.
bool StartHeader(Session* session, const std::string& bytes, ImageDecodeOptions::Color color,
                 int* channels) {
  jpeg_decompress_struct* info = session->info();
  jpeg_mem_src(info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(info, JPEG_APP0 + 1, 8);
  if (jpeg_read_header(info, TRUE) != JPEG_HEADER_OK) return false;
  if (HasExif(info) || info->err->num_warnings > 0) return false;
  const bool grey_file = info->num_components == 1 && info->jpeg_color_space == JCS_GRAYSCALE;
  const bool colour_file = info->num_components == 3 && (info->jpeg_color_space == JCS_YCbCr ||
                                                          info->jpeg_color_space == JCS_RGB);
  if (!grey_file && !colour_file) return false;
  const bool grey_out =
      color == ImageDecodeOptions::GRAY || (color == ImageDecodeOptions::NATIVE && grey_file);
  info->out_color_space = grey_out ? JCS_GRAYSCALE : JCS_EXT_BGR;
  *channels = grey_out ? 1 : 3;
  return true;
}

}  // namespace

bool JpegDecoder::LooksLikeJpeg(const std::string& bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 &&
         static_cast<unsigned char>(bytes[2]) == 0xFF;
}

bool JpegDecoder::Header(const std::string& bytes, ImageDecodeOptions::Color color, int* height,
                         int* width, int* channels) {
  if (!LooksLikeJpeg(bytes)) return false;
  Session session;
  if (setjmp(session.jump())) return false;
  if (!StartHeader(&session, bytes, color, channels)) return false;
  *height = static_cast<int>(session.info()->image_height);
  *width = static_cast<int>(session.info()->image_width);
  return true;
}

bool JpegDecoder::Decode(const std::string& bytes, ImageDecodeOptions::Color color,
                         cv::Mat* out) {
  if (!LooksLikeJpeg(bytes)) return false;
  Session session;
  jpeg_decompress_struct* info = session.info();
  if (setjmp(session.jump())) return false;
  int channels = 0;
  if (!StartHeader(&session, bytes, color, &channels)) return false;
  jpeg_start_decompress(info);
  out->create(static_cast<int>(info->output_height), static_cast<int>(info->output_width),
              CV_8UC(channels));
  while (info->output_scanline < info->output_height) {
    JSAMPROW row = out->ptr<uint8_t>(static_cast<int>(info->output_scanline));
    jpeg_read_scanlines(info, &row, 1);
  }
  jpeg_finish_decompress(info);
  return info->err->num_warnings == 0;
}

bool JpegDecoder::DecodeRows(const std::string& bytes, ImageDecodeOptions::Color color, int top,
                             int rows, int left, int cols,
                             const std::function<void(int r, const uint8_t* pixels)>& row) {
  if (!LooksLikeJpeg(bytes)) return false;
  Session session;
  jpeg_decompress_struct* info = session.info();
  if (setjmp(session.jump())) return false;
  int channels = 0;
  if (!StartHeader(&session, bytes, color, &channels)) return false;
  if (top < 0 || left < 0 || rows < 0 || cols <= 0 ||
      static_cast<JDIMENSION>(top + rows) > info->image_height ||
      static_cast<JDIMENSION>(left + cols) > info->image_width) {
    return false;
  }
  jpeg_start_decompress(info);
  // The decoder widens the column window to whole iMCUs: [x_offset,
  // x_offset + x_width) holds [left, left + cols). Its first and last
  // columns are upsampled from chroma as if they were the image's edge
  // (unlike a whole decode), so an iMCU more is asked for on each side.
  const int imcu_cols = info->max_h_samp_factor * DCTSIZE;
  const int first = std::max(left - imcu_cols, 0);
  const int end = std::min<int>(left + cols + imcu_cols, static_cast<int>(info->image_width));
  JDIMENSION x_offset = static_cast<JDIMENSION>(first);
  JDIMENSION x_width = static_cast<JDIMENSION>(end - first);
  if (x_width < info->output_width) jpeg_crop_scanline(info, &x_offset, &x_width);
  row_buffer_.resize(static_cast<size_t>(info->output_width) * channels);
  const size_t shift = static_cast<size_t>(left - static_cast<int>(x_offset)) * channels;
  // Rows above the window are skipped without being decoded, up to an iMCU
  // row before it: the upsampler needs the rows just above (with rows
  // skipped right up to the window, its first rows can come out unlike a
  // whole decode's).
  const int imcu_rows = info->max_v_samp_factor * DCTSIZE;
  const int skipped = std::max(top / imcu_rows - 1, 0) * imcu_rows;
  if (skipped > 0 && jpeg_skip_scanlines(info, static_cast<JDIMENSION>(skipped)) !=
                         static_cast<JDIMENSION>(skipped)) {
    return false;
  }
  for (int r = skipped - top; r < rows; ++r) {
    JSAMPROW buffer = row_buffer_.data();
    if (jpeg_read_scanlines(info, &buffer, 1) != 1) return false;
    if (info->err->num_warnings > 0) return false;
    if (r >= 0) row(r, row_buffer_.data() + shift);
  }
  jpeg_abort_decompress(info);
  return info->err->num_warnings == 0;
}

}  // namespace caffe
