// convert_imageset: builds an LMDB/LevelDB of Datum records from a list file
// of "relative/path LABEL" lines, with upstream Caffe's flags and record
// format (keys "%08d_<path>", list order unless -shuffle).
//
// The conversion itself is caffe::ConvertImageset
// (include/caffe/util/convert_imageset.hpp), shared with pycaffe.
#include <gflags/gflags.h>

#include <exception>
#include <iostream>

#include "caffe/common.hpp"
#include "caffe/util/convert_imageset.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db_output.hpp"

DEFINE_bool(gray, false, "When this option is on, treat images as grayscale ones");
DEFINE_bool(shuffle, false, "Randomly shuffle the order of images and their labels");
DEFINE_string(backend, "lmdb", "The backend {lmdb, leveldb} for storing the result");
DEFINE_int32(resize_width, 0, "Width images are resized to");
DEFINE_int32(resize_height, 0, "Height images are resized to");
DEFINE_bool(check_size, false, "When this option is on, check that all the datum have the same size");
DEFINE_bool(encoded, false, "When this option is on, the encoded image will be save in datum");
DEFINE_string(encode_type, "", "Optional: What type should we encode the image as ('png','jpg',...).");
DEFINE_bool(overwrite, false, "Replace an existing output database (atomically)");
DEFINE_bool(resume, false, "Continue the conversion a killed run left in DB_NAME.tmp-<pid>, "
            "after its last committed record");
DEFINE_int64(max_image_pixels, caffe::MaxImagePixels(),
             "Refuse images with more pixels than this (decompression bombs)");

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "Convert a set of images to the leveldb/lmdb\n"
      "format used as input for Caffe.\n"
      "Usage:\n"
      "    convert_imageset [FLAGS] ROOTFOLDER/ LISTFILE DB_NAME\n"
      "The ImageNet dataset for the training demo is at\n"
      "    http://www.image-net.org/download-images\n");
  caffe::GlobalInit(&argc, &argv);
  if (argc < 4) {
    gflags::ShowUsageWithFlagsRestrict(argv[0], "tools/convert_imageset");
    return 1;
  }
  // Ctrl-C or SIGTERM stops the conversion between two images; its
  // temporary database is removed before the process ends by the signal.
  caffe::InterruptGuard interrupt_guard;
  try {
    caffe::SetMaxImagePixels(FLAGS_max_image_pixels);
    caffe::ConvertImagesetOptions options;
    options.gray = FLAGS_gray;
    options.shuffle = FLAGS_shuffle;
    options.backend = FLAGS_backend;
    options.resize_height = FLAGS_resize_height;
    options.resize_width = FLAGS_resize_width;
    options.check_size = FLAGS_check_size;
    options.encoded = FLAGS_encoded;
    options.encode_type = FLAGS_encode_type;
    options.overwrite = FLAGS_overwrite;
    options.resume = FLAGS_resume;
    options.check_interrupt = &caffe::InterruptGuard::ThrowIfInterrupted;
    caffe::ConvertImageset(argv[1], argv[2], argv[3], options);
    return 0;
  } catch (const caffe::InterruptedError& e) {
    std::cerr << "convert_imageset: " << e.what() << "; removed the partial output "
              << caffe::TemporaryOutputName(argv[3]) << std::endl;
    caffe::InterruptGuard::RaisePendingSignal();
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "convert_imageset: error: out of memory" << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "convert_imageset: error: " << e.what() << std::endl;
    return 1;
  }
}
