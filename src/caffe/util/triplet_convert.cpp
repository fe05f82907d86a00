#include "caffe/util/triplet_convert.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"

namespace caffe {
namespace {

namespace fs = std::filesystem;

const int kTripletsPerCommit = 1000;

string RecordKey(int64_t index, const string& anchor) {
  char prefix[24];
  std::snprintf(prefix, sizeof(prefix), "%08lld", static_cast<long long>(index));
  return string(prefix) + "_" + anchor;
}

string Extension(const string& path) {
  const size_t dot = path.rfind('.');
  if (dot == string::npos || path.find('/', dot) != string::npos) return "";
  string extension = path.substr(dot + 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

void RemoveTree(const string& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) LOG(WARNING) << "could not remove " << path << ": " << error.message();
}

}  // namespace

vector<TripletEntry> ReadTripletList(const string& list_file) {
  std::ifstream in(list_file);
  CAFFE_REQUIRE(in.good(), IOError, "cannot open list file ", list_file);
  vector<TripletEntry> entries;
  string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    TripletEntry entry;
    if (!(fields >> entry.anchor)) continue;
    CAFFE_REQUIRE(fields >> entry.positive >> entry.negative, ParseError, list_file, ":",
                  line_number, ": expected 'ANCHOR POSITIVE NEGATIVE [LABEL ...]', got '",
                  line, "'");
    string label;
    while (fields >> label) {
      char* end = nullptr;
      const float value = std::strtof(label.c_str(), &end);
      CAFFE_REQUIRE(end && *end == '\0', ParseError, list_file, ":", line_number,
                    ": label '", label, "' is not a number");
      entry.labels.push_back(value);
    }
    entry.origin = internal::Concat(list_file, ":", line_number);
    entries.push_back(std::move(entry));
  }
  return entries;
}

vector<TripletEntry> SampleTripletsFromFolders(const string& root_folder,
                                               int triplets_per_anchor, uint32_t seed) {
  CAFFE_REQUIRE(triplets_per_anchor > 0, ConfigError,
                "triplets_per_anchor must be positive, got ", triplets_per_anchor);
  std::error_code error;
  CAFFE_REQUIRE(fs::is_directory(root_folder, error), IOError, "root folder ", root_folder,
                " is not a directory");
  vector<string> classes;
  for (const auto& entry : fs::directory_iterator(root_folder)) {
    if (entry.is_directory()) classes.push_back(entry.path().filename().string());
  }
  std::sort(classes.begin(), classes.end());
  vector<vector<string>> images(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    for (const auto& entry : fs::directory_iterator(fs::path(root_folder) / classes[c])) {
      if (entry.is_regular_file()) {
        images[c].push_back(classes[c] + "/" + entry.path().filename().string());
      }
    }
    std::sort(images[c].begin(), images[c].end());
  }
  // Classes with images can serve as negatives.
  vector<int> non_empty;
  for (size_t c = 0; c < classes.size(); ++c) {
    if (!images[c].empty()) non_empty.push_back(static_cast<int>(c));
  }
  CAFFE_REQUIRE(non_empty.size() >= 2, DataError, "root folder ", root_folder,
                " needs at least two class folders holding images, found ", non_empty.size());
  std::mt19937 generator(seed);
  auto uniform = [&generator](size_t n) {
    return static_cast<size_t>(generator() % static_cast<uint32_t>(n));
  };
  vector<TripletEntry> entries;
  for (size_t c = 0; c < classes.size(); ++c) {
    const vector<string>& own = images[c];
    if (own.size() < 2) {
      if (!own.empty()) {
        LOG(WARNING) << "class folder " << classes[c] << " holds one image: no positive for it";
      }
      continue;
    }
    vector<int> other_classes;
    for (int other : non_empty) {
      if (other != static_cast<int>(c)) other_classes.push_back(other);
    }
    for (size_t a = 0; a < own.size(); ++a) {
      for (int t = 0; t < triplets_per_anchor; ++t) {
        // Any image of the class but the anchor itself.
        size_t p = uniform(own.size() - 1);
        if (p >= a) ++p;
        const int negative_class = other_classes[uniform(other_classes.size())];
        const vector<string>& others = images[negative_class];
        TripletEntry entry;
        entry.anchor = own[a];
        entry.positive = own[p];
        entry.negative = others[uniform(others.size())];
        entry.labels = {static_cast<float>(c), static_cast<float>(negative_class)};
        entry.origin = internal::Concat("sampled triplet #", entries.size());
        entries.push_back(std::move(entry));
      }
    }
  }
  return entries;
}

bool ReadTripletToDatum(const string& root_folder, const TripletEntry& entry,
                        const TripletConvertOptions& options, TripletDatum* datum,
                        string* missing) {
  const string* paths[3] = {&entry.anchor, &entry.positive, &entry.negative};
  Datum images[3];
  const bool encode = options.encoded || !options.encode_type.empty();
  for (int slot = 0; slot < 3; ++slot) {
    const string file = root_folder + *paths[slot];
    const string encoding = encode ? (options.encode_type.empty() ? Extension(file)
                                                                  : options.encode_type)
                                   : "";
    if (!ReadImageToDatum(file, 0, options.resize_height, options.resize_width, !options.gray,
                          encoding, &images[slot])) {
      *missing = file;
      return false;
    }
  }
  datum->Clear();
  if (encode) {
    datum->set_encoded(true);
  } else {
    for (int slot = 1; slot < 3; ++slot) {
      CAFFE_REQUIRE(images[slot].channels() == images[0].channels() &&
                        images[slot].height() == images[0].height() &&
                        images[slot].width() == images[0].width(),
                    DataError, entry.origin, ": image ", root_folder + *paths[slot], " is ",
                    images[slot].channels(), "x", images[slot].height(), "x",
                    images[slot].width(), " but the anchor ", root_folder + entry.anchor,
                    " is ", images[0].channels(), "x", images[0].height(), "x",
                    images[0].width(), " (channels x height x width); use -resize_height "
                    "and -resize_width, or -encoded");
    }
    datum->set_channels(images[0].channels());
    datum->set_height(images[0].height());
    datum->set_width(images[0].width());
  }
  datum->set_data_anchor(images[0].data());
  datum->set_data_pos(images[1].data());
  datum->set_data_neg(images[2].data());
  for (float label : entry.labels) datum->add_label(label);
  return true;
}

TripletConvertProgress ConvertTriplets(const string& root_folder,
                                       vector<TripletEntry> entries, const string& output_db,
                                       const TripletConvertOptions& options,
                                       const TripletProgressCallback& progress) {
  CAFFE_REQUIRE(options.resize_height >= 0 && options.resize_width >= 0, ConfigError,
                "resize_height and resize_width must not be negative");
  std::error_code error;
  const bool output_exists = fs::exists(output_db, error);
  CAFFE_REQUIRE(!output_exists || options.overwrite, IOError, "output database ", output_db,
                " already exists (pass -overwrite to replace it)");
  if (options.shuffle) {
    std::mt19937 generator(options.seed);
    std::shuffle(entries.begin(), entries.end(), generator);
  }
  const string temp_name = output_db + ".tmp-" + std::to_string(getpid());
  std::unique_ptr<db::DB> database(db::GetDB(options.backend));
  TripletConvertProgress state;
  state.total = static_cast<int64_t>(entries.size());
  const auto start = std::chrono::steady_clock::now();
  auto report = [&]() {
    state.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.rate = state.seconds > 0 ? state.done / state.seconds : 0;
    state.eta_seconds = state.rate > 0 ? (state.total - state.done) / state.rate : 0;
    if (progress) progress(state);
  };
  try {
    database->Open(temp_name, db::NEW);
    std::unique_ptr<db::Transaction> txn(database->NewTransaction());
    TripletDatum datum;
    string serialized;
    string missing;
    int64_t first_size = -1;
    int64_t pending = 0;
    for (int64_t index = 0; index < state.total; ++index) {
      const TripletEntry& entry = entries[index];
      ++state.done;
      if (!ReadTripletToDatum(root_folder, entry, options, &datum, &missing)) {
        CAFFE_REQUIRE(options.skip_missing, IOError, entry.origin, ": cannot read image ",
                      missing, " (pass -skip_missing to skip such triplets)");
        LOG(WARNING) << entry.origin << ": skipping, cannot read image " << missing;
        ++state.skipped;
        continue;
      }
      if (options.check_size && !datum.encoded()) {
        const int64_t size = datum.data_anchor().size();
        if (first_size < 0) first_size = size;
        CAFFE_REQUIRE(size == first_size, DataError, entry.origin, ": images of ",
                      datum.channels(), "x", datum.height(), "x", datum.width(), " (", size,
                      " bytes) differ from the first triplet's ", first_size,
                      " bytes (-check_size)");
      }
      CHECK(datum.SerializeToString(&serialized));
      txn->Put(RecordKey(index, entry.anchor), serialized);
      ++state.written;
      if (++pending == kTripletsPerCommit) {
        txn->Commit();
        txn.reset(database->NewTransaction());
        pending = 0;
        report();
      }
    }
    txn->Commit();
    txn.reset();
    database->Close();
    database.reset();
    if (output_exists) RemoveTree(output_db);
    fs::rename(temp_name, output_db, error);
    CAFFE_REQUIRE(!error, IOError, "cannot move ", temp_name, " to ", output_db, ": ",
                  error.message());
  } catch (...) {
    database.reset();
    RemoveTree(temp_name);
    throw;
  }
  report();
  return state;
}

}  // namespace caffe
