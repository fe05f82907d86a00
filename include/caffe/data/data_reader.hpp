// DataReader: the record source of the data layers. It walks a stream of
// records (a database in key order, or an image list file) on a background
// thread and hands them to one consumer through a bounded queue, starting a
// new lap (epoch) at the first record after the last one.
//
// It knows nothing of what the records hold (Datum, TripletDatum, an image
// path, ...): a consumer gets the raw key and value bytes and decodes them
// itself (see record_format.hpp).
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
#include <functional>
#include <memory>
#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"
#include "caffe/util/blocking_queue.hpp"
#include "caffe/util/internal_thread.hpp"

namespace caffe {

// One record as stored: its key, its value bytes, and how many laps the
// reader had completed over the stream before it (0 on the first pass);
// augmentation draws depend on the epoch.
struct RawRecord {
  string key;
  string value;
  uint64_t epoch = 0;
};

// What a DataReader walks: one lap of records at a time. A new cursor is at
// the first record; SeekToFirst() starts the next lap (an image list
// reshuffles there).
class RecordCursor {
 public:
  virtual ~RecordCursor() = default;
  virtual void SeekToFirst() = 0;
  virtual void Next() = 0;
  // False once Next() moved past the lap's last record.
  virtual bool valid() const = 0;
  virtual string key() const = 0;
  virtual string value() const = 0;
};

class DataReader : public InternalThread {
 public:
  // Opens the stream, on the reader's thread.
  typedef std::function<std::unique_ptr<RecordCursor>()> Opener;

  // `description` names the stream in messages ("database /data/lmdb").
  // Up to `queue_depth` records are read ahead of the consumer. The first
  // `skip_records` records (counted around the end) are passed over unread.
  DataReader(const string& description, Opener open, int queue_depth,
             uint64_t skip_records = 0);
  // A database read in key order.
  DataReader(const string& source, DataParameter::DB backend, int queue_depth,
             uint64_t skip_records = 0);
  ~DataReader() override;

  // An Opener for a database; `description` for DataReader's messages.
  static Opener DatabaseOpener(const string& source, DataParameter::DB backend);
  static string DatabaseDescription(const string& source);

  // Launches the reading thread.
  void Start();
  // Blocks until the next record is read and moves it into *record.
  void Read(RawRecord* record);
  // The next record, left for the following Read(); its contents are valid
  // until that Read() (which moves them out).
  std::shared_ptr<const RawRecord> Peek();

  const string& description() const { return description_; }

 protected:
  void InternalThreadEntry() override;
  void InternalThreadFailed(std::exception_ptr error) override;

 private:
  // Moves the cursor past skip_records_ records; returns the epoch reached.
  uint64_t SkipRecords(RecordCursor* cursor);
  // A null entry in full_ marks the end of the stream: error_ says why.
  std::shared_ptr<RawRecord> PopFull();

  const string description_;
  const Opener open_;
  const uint64_t skip_records_;
  BlockingQueue<std::shared_ptr<RawRecord>> free_;
  BlockingQueue<std::shared_ptr<RawRecord>> full_;
  std::exception_ptr error_;
};

}  // namespace caffe
