#include "caffe/util/triplet_convert.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "caffe/util/datum_io.hpp"
#include "caffe/util/db.hpp"
#include "caffe/util/db_output.hpp"

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

double PhysicalMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * page_size : 1e18;
}

// The position after the last record of a resumed database; checks that the
// record is the entry at its position (same list, same order).
int64_t ResumePosition(db::DB* database, const string& resumed_from,
                       const vector<TripletEntry>& entries) {
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  cursor->SeekToLast();
  if (!cursor->valid()) return 0;
  const string key = cursor->key();
  const size_t underscore = key.find('_');
  char* end = nullptr;
  const long long index = std::strtoll(key.c_str(), &end, 10);
  CAFFE_REQUIRE(underscore != string::npos && end == key.c_str() + underscore && index >= 0 &&
                    index < static_cast<long long>(entries.size()) &&
                    key.substr(underscore + 1) == entries[index].anchor,
                ConfigError, "cannot resume from ", resumed_from, ": its last record '", key,
                "' is not triplet ", index, " of this run (",
                index < static_cast<long long>(entries.size()) ? entries[index].origin
                                                                 : string("past the end"),
                "); was the list, -shuffle or -seed changed?");
  return index + 1;
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
      CAFFE_REQUIRE(std::isfinite(value), ParseError, list_file, ":", line_number, ": label '",
                    label, "' is not a finite number");
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
  // Refuse an impossible count up front, with the numbers that produce it,
  // rather than fail deep inside the allocator.
  size_t anchors = 0;
  for (const vector<string>& own : images) anchors += own.size() >= 2 ? own.size() : 0;
  const long double wanted = static_cast<long double>(anchors) * triplets_per_anchor;
  const long double bytes = wanted * (sizeof(TripletEntry) + 64);
  CAFFE_REQUIRE(bytes < 0.5L * PhysicalMemory(), OutOfMemoryError, "sampling ",
                triplets_per_anchor, " triplets per anchor for ", anchors, " anchor images in ",
                root_folder, " makes ", static_cast<double>(wanted), " triplets, about ",
                HumanBytes(static_cast<double>(bytes)), " of triplet list; this machine has ",
                HumanBytes(PhysicalMemory()), " (lower -triplets_per_anchor)");
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
  CAFFE_REQUIRE(!entries.empty(), DataError, "no triplets to convert (empty list?): nothing "
                "would be written to ", output_db);
  if (options.shuffle) {
    std::mt19937 generator(options.seed);
    std::shuffle(entries.begin(), entries.end(), generator);
  }
  TripletConvertProgress state;
  if (options.resume && fs::exists(output_db)) {
    LOG(INFO) << output_db << " is complete: nothing to resume";
    state.total = state.done = static_cast<int64_t>(entries.size());
    return state;
  }
  const OutputPlan plan = PrepareOutput(output_db, options.overwrite, options.resume);
  const string temp_name = TemporaryOutputName(output_db);
  std::unique_ptr<db::DB> database(db::GetDB(options.backend));
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
    int64_t first_index = 0;
    if (!plan.resumed_from.empty()) {
      database->Open(temp_name, db::WRITE);
      first_index = ResumePosition(database.get(), plan.resumed_from, entries);
      LOG(INFO) << "Resuming " << plan.resumed_from << " after " << first_index << " of "
                << state.total << " triplets";
      state.done = first_index;
    } else {
      database->Open(temp_name, db::NEW);
    }
    std::unique_ptr<db::Transaction> txn(database->NewTransaction());
    TripletDatum datum;
    string serialized;
    string missing;
    int64_t first_size = -1;
    int64_t pending = 0;
    for (int64_t index = first_index; index < state.total; ++index) {
      if (options.check_interrupt) options.check_interrupt();
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
      SerializeRecord(datum, entry.origin + " (anchor " + root_folder + entry.anchor + ")",
                      &serialized);
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
    CAFFE_REQUIRE(state.written > 0 || first_index > 0, DataError, "none of the ",
                  state.total, " triplets could be read (all skipped): nothing was written to ",
                  output_db);
    database->Close();
    database.reset();
    PublishOutput(temp_name, output_db);
  } catch (...) {
    database.reset();
    RemoveOutputTree(temp_name);
    throw;
  }
  report();
  return state;
}

}  // namespace caffe
