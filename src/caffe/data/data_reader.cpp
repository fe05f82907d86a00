#include "caffe/data/data_reader.hpp"

#include <utility>

#include "caffe/util/db.hpp"

namespace caffe {

namespace {

// A database's cursor, keeping the database open.
class DatabaseCursor : public RecordCursor {
 public:
  DatabaseCursor(const string& source, DataParameter::DB backend)
      : database_(db::GetDB(backend)) {
    database_->Open(source, db::READ);
    cursor_.reset(database_->NewCursor());
  }
  void SeekToFirst() override { cursor_->SeekToFirst(); }
  void Next() override { cursor_->Next(); }
  string key() const override { return cursor_->key(); }
  string value() const override { return cursor_->value(); }
  bool valid() const override { return cursor_->valid(); }

 private:
  std::unique_ptr<db::DB> database_;
  // Declared after the database: destroyed first.
  std::unique_ptr<db::Cursor> cursor_;
};

}  // namespace

DataReader::DataReader(const string& description, Opener open, int queue_depth,
                       uint64_t skip_records)
    : description_(description), open_(std::move(open)), skip_records_(skip_records) {
  CAFFE_REQUIRE(queue_depth > 0, ConfigError, "DataReader for ", description,
                ": queue depth must be positive, got ", queue_depth);
  for (int i = 0; i < queue_depth; ++i) free_.push(std::make_shared<RawRecord>());
}

DataReader::DataReader(const string& source, DataParameter::DB backend, int queue_depth,
                       uint64_t skip_records)
    : DataReader(DatabaseDescription(source), DatabaseOpener(source, backend), queue_depth,
                 skip_records) {}

DataReader::~DataReader() { StopInternalThread(); }

DataReader::Opener DataReader::DatabaseOpener(const string& source,
                                              DataParameter::DB backend) {
  return [source, backend]() -> std::unique_ptr<RecordCursor> {
    return std::make_unique<DatabaseCursor>(source, backend);
  };
}

string DataReader::DatabaseDescription(const string& source) { return "database " + source; }

// Reading draws no random numbers, and must not shift the caller's stream:
// upstream's data layer reads on its prefetch thread and takes no extra draw.
void DataReader::Start() { StartInternalThreadWithoutSeed(); }

uint64_t DataReader::SkipRecords(RecordCursor* cursor) {
  uint64_t epoch = 0;
  uint64_t lap_position = 0;
  for (uint64_t left = skip_records_; left > 0 && !must_stop(); --left) {
    cursor->Next();
    ++lap_position;
    if (cursor->valid()) continue;
    // Now the lap length is known: pass the whole laps without reading them.
    // Each lap still starts with SeekToFirst (where an image list shuffles).
    const uint64_t whole_laps = (left - 1) / lap_position;
    for (uint64_t lap = 0; lap <= whole_laps; ++lap) cursor->SeekToFirst();
    epoch += 1 + whole_laps;
    left = (left - 1) % lap_position + 1;
    lap_position = 0;
  }
  return epoch;
}

void DataReader::InternalThreadEntry() {
  std::unique_ptr<RecordCursor> cursor = open_();
  CAFFE_REQUIRE(cursor->valid(), DataError, description_, " holds no records");
  uint64_t epoch = SkipRecords(cursor.get());
  for (;;) {
    std::shared_ptr<RawRecord> record = free_.pop();
    record->key = cursor->key();
    record->value = cursor->value();
    record->epoch = epoch;
    full_.push(std::move(record));
    cursor->Next();
    if (!cursor->valid()) {
      LOG(INFO) << "Restarting data prefetching from start.";
      cursor->SeekToFirst();
      ++epoch;
    }
  }
}

void DataReader::InternalThreadFailed(std::exception_ptr error) {
  // Published before the end marker: the queue's mutex orders the two.
  error_ = error;
  full_.push(nullptr);
}

std::shared_ptr<RawRecord> DataReader::PopFull() {
  CHECK(is_started()) << "DataReader::Start() must come before reading " << description_;
  std::shared_ptr<RawRecord> record = full_.peek();
  if (!record) std::rethrow_exception(error_);
  return full_.pop();
}

void DataReader::Read(RawRecord* record) {
  std::shared_ptr<RawRecord> next = PopFull();
  std::swap(record->key, next->key);
  std::swap(record->value, next->value);
  record->epoch = next->epoch;
  free_.push(std::move(next));
}

std::shared_ptr<const RawRecord> DataReader::Peek() {
  CHECK(is_started()) << "DataReader::Start() must come before reading " << description_;
  std::shared_ptr<RawRecord> record = full_.peek();
  if (!record) std::rethrow_exception(error_);
  return record;
}

}  // namespace caffe
