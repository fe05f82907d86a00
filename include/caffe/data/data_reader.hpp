// DataReader: reads a database's records in key order on a background thread
// and hands them to one consumer through a bounded queue, starting again from
// the first record after the last one.
//
// It knows nothing of what the records hold (Datum, TripletDatum, ...): a
// consumer gets the raw key and value bytes and decodes them itself.
//
// Errors: opening and reading happen on the reader's thread; a failure there
// (the database is missing, vanished or damaged, or holds no record) ends the
// thread and is rethrown, with its original type, by every later Read() or
// Peek() on the consumer's side.
//
// Ownership and threads: the consumer owns the reader. Read()/Peek() are
// called by one consumer thread at a time (it may change between calls, e.g.
// from the setup thread to a prefetch thread). Destroying the reader stops
// its thread wherever it is.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/blocking_queue.hpp"
#include "caffe/util/internal_thread.hpp"

namespace caffe {

struct DBRecord {
  string key;
  string value;
  // How many times the reader had wrapped around the database before this
  // record (0 on the first pass); augmentation draws depend on it.
  uint64_t epoch = 0;
};

class DataReader : public InternalThread {
 public:
  // Up to `queue_depth` records are read ahead of the consumer. The first
  // `skip_records` records (counted around the end) are passed over unread.
  DataReader(const string& source, DataParameter::DB backend, int queue_depth,
             uint64_t skip_records = 0);
  ~DataReader() override;

  // Launches the reading thread.
  void Start();
  // Blocks until the next record is read and moves it into *record.
  void Read(DBRecord* record);
  // The next record, left for the following Read(); its contents are valid
  // until that Read() (which moves them out).
  std::shared_ptr<const DBRecord> Peek();

  const string& source() const { return source_; }
  DataParameter::DB backend() const { return backend_; }

 protected:
  void InternalThreadEntry() override;
  void InternalThreadFailed(std::exception_ptr error) override;

 private:
  // A null entry in full_ marks the end of the stream: error_ says why.
  std::shared_ptr<DBRecord> PopFull();

  const string source_;
  const DataParameter::DB backend_;
  const uint64_t skip_records_;
  BlockingQueue<std::shared_ptr<DBRecord>> free_;
  BlockingQueue<std::shared_ptr<DBRecord>> full_;
  std::exception_ptr error_;
};

}  // namespace caffe
