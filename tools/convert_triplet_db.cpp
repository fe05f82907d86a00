// convert_triplet_db: builds an LMDB/LevelDB of TripletDatum records for the
// TripletData layer, either from a list file of
// "anchor positive negative [label ...]" lines (paths relative to ROOTFOLDER)
// or, with -folders, by sampling triplets from ROOTFOLDER/<class>/<image>.
// The work is done by caffe::ConvertTriplets (caffe/util/triplet_convert.hpp).
#include <gflags/gflags.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "caffe/common.hpp"
#include "caffe/util/datum_io.hpp"
#include "caffe/util/db_output.hpp"
#include "caffe/util/triplet_convert.hpp"

DEFINE_bool(gray, false, "Read images as grayscale (else colour)");
DEFINE_bool(shuffle, false, "Shuffle the triplets (with -seed) before writing");
DEFINE_string(backend, "lmdb", "The backend {lmdb, leveldb} for storing the result");
DEFINE_int32(resize_width, 0, "Width images are resized to");
DEFINE_int32(resize_height, 0, "Height images are resized to");
DEFINE_bool(check_size, false, "Check that all raw triplets have the same image size");
DEFINE_bool(encoded, false, "Store the images encoded (see -encode_type)");
DEFINE_string(encode_type, "", "Encoding of stored images ('png', 'jpg', ...); empty: "
              "each file's own extension");
DEFINE_bool(skip_missing, false, "Skip triplets with an image that cannot be read (else stop)");
DEFINE_bool(overwrite, false, "Replace an existing output database (atomically)");
DEFINE_bool(resume, false, "Continue the conversion a killed run left in DB_NAME.tmp-<pid>, "
            "after its last committed triplet (same list, -shuffle and -seed)");
DEFINE_int64(max_image_pixels, caffe::MaxImagePixels(),
             "Refuse images with more pixels than this (decompression bombs)");
DEFINE_bool(folders, false, "Sample triplets from ROOTFOLDER/<class>/<image> instead of "
            "reading LISTFILE (then omit LISTFILE)");
DEFINE_int32(triplets_per_anchor, 1, "With -folders: triplets sampled per anchor image");
DEFINE_int32(seed, 0, "Seed of -folders sampling and of -shuffle");

namespace {

using caffe::string;

string Seconds(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << seconds << " s";
  return out.str();
}

int Run(int argc, char** argv) {
  const bool folders = FLAGS_folders;
  if (argc != (folders ? 3 : 4)) {
    gflags::ShowUsageWithFlagsRestrict(argv[0], "tools/convert_triplet_db");
    return 1;
  }
  string root = argv[1];
  // Sampled paths are relative to the root, joined as ROOTFOLDER + path.
  if (folders && !root.empty() && root.back() != '/') root += '/';
  const string output = argv[folders ? 2 : 3];
  caffe::SetMaxImagePixels(FLAGS_max_image_pixels);
  caffe::vector<caffe::TripletEntry> entries =
      folders ? caffe::SampleTripletsFromFolders(root, FLAGS_triplets_per_anchor,
                                                 static_cast<uint32_t>(FLAGS_seed))
              : caffe::ReadTripletList(argv[2]);
  LOG(INFO) << "A total of " << entries.size() << " triplets.";
  caffe::TripletConvertOptions options;
  options.backend = FLAGS_backend;
  options.shuffle = FLAGS_shuffle;
  options.seed = static_cast<uint32_t>(FLAGS_seed);
  options.resize_height = FLAGS_resize_height;
  options.resize_width = FLAGS_resize_width;
  options.gray = FLAGS_gray;
  options.encoded = FLAGS_encoded;
  options.encode_type = FLAGS_encode_type;
  options.check_size = FLAGS_check_size;
  options.skip_missing = FLAGS_skip_missing;
  options.overwrite = FLAGS_overwrite;
  options.resume = FLAGS_resume;
  options.check_interrupt = &caffe::InterruptGuard::ThrowIfInterrupted;
  const caffe::TripletConvertProgress result = caffe::ConvertTriplets(
      root, std::move(entries), output, options,
      [](const caffe::TripletConvertProgress& progress) {
        LOG(INFO) << "Processed " << progress.done << " of " << progress.total
                  << " triplets (" << static_cast<int64_t>(progress.rate)
                  << " triplets/s, ETA " << Seconds(progress.eta_seconds) << ")";
      });
  LOG(INFO) << "Wrote " << result.written << " triplets to " << output << ", skipped "
            << result.skipped << ", in " << Seconds(result.seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "Convert image triplets to the leveldb/lmdb TripletDatum format\n"
      "read by the TripletData layer.\n"
      "Usage:\n"
      "    convert_triplet_db [FLAGS] ROOTFOLDER/ LISTFILE DB_NAME\n"
      "    convert_triplet_db -folders [FLAGS] ROOTFOLDER/ DB_NAME\n"
      "LISTFILE lines: anchor positive negative [label ...]\n");
  caffe::GlobalInit(&argc, &argv);
  // Ctrl-C or SIGTERM stops the conversion between two triplets; its
  // temporary database is removed before the process ends by the signal.
  caffe::InterruptGuard interrupt_guard;
  try {
    return Run(argc, argv);
  } catch (const caffe::InterruptedError& e) {
    std::cerr << "convert_triplet_db: " << e.what() << "; removed the partial output"
              << std::endl;
    caffe::InterruptGuard::RaisePendingSignal();
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "convert_triplet_db: error: out of memory" << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "convert_triplet_db: error: " << e.what() << std::endl;
    return 1;
  }
}
