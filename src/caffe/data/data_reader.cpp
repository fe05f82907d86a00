#include "caffe/data/data_reader.hpp"

#include "caffe/util/db.hpp"

namespace caffe {

DataReader::DataReader(const string& source, DataParameter::DB backend, int queue_depth,
                       uint64_t skip_records)
    : source_(source), backend_(backend), skip_records_(skip_records) {
  CAFFE_REQUIRE(queue_depth > 0, ConfigError, "DataReader for ", source,
                ": queue depth must be positive, got ", queue_depth);
  for (int i = 0; i < queue_depth; ++i) free_.push(std::make_shared<DBRecord>());
}

DataReader::~DataReader() { StopInternalThread(); }

// Reading draws no random numbers, and must not shift the caller's stream:
// upstream's data layer reads on its prefetch thread and takes no extra draw.
void DataReader::Start() { StartInternalThreadWithoutSeed(); }

void DataReader::InternalThreadEntry() {
  std::unique_ptr<db::DB> database(db::GetDB(backend_));
  database->Open(source_, db::READ);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  CAFFE_REQUIRE(cursor->valid(), DataError, "database ", source_, " holds no records");
  uint64_t epoch = 0;
  uint64_t to_skip = skip_records_;
  for (uint64_t passed = 0; to_skip > 0 && !must_stop(); --to_skip) {
    cursor->Next();
    ++passed;
    if (!cursor->valid()) {
      // Now the record count is known: skip whole laps at once.
      epoch = (to_skip - 1) / passed + 1;
      to_skip = (to_skip - 1) % passed + 1;
      cursor->SeekToFirst();
    }
  }
  for (;;) {
    std::shared_ptr<DBRecord> record = free_.pop();
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

std::shared_ptr<DBRecord> DataReader::PopFull() {
  CHECK(is_started()) << "DataReader::Start() must come before reading " << source_;
  std::shared_ptr<DBRecord> record = full_.peek();
  if (!record) std::rethrow_exception(error_);
  return full_.pop();
}

void DataReader::Read(DBRecord* record) {
  std::shared_ptr<DBRecord> next = PopFull();
  std::swap(record->key, next->key);
  std::swap(record->value, next->value);
  record->epoch = next->epoch;
  free_.push(std::move(next));
}

std::shared_ptr<const DBRecord> DataReader::Peek() {
  CHECK(is_started()) << "DataReader::Start() must come before reading " << source_;
  std::shared_ptr<DBRecord> record = full_.peek();
  if (!record) std::rethrow_exception(error_);
  return record;
}

}  // namespace caffe
