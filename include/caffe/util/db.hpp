// Key-value databases holding serialized records (Datum and friends).
//
// DB is the backend-neutral handle; GetDB() builds an LMDB or LevelDB one.
// Ownership: GetDB, NewCursor and NewTransaction return objects the caller
// owns (wrap them in a smart pointer). A Cursor or Transaction must be
// destroyed before the DB that made it is closed or destroyed.
//
// Errors: a database that does not exist or cannot be opened/read/written
// throws IOError naming the path and carrying the library's own message. A
// database whose files are damaged (truncated, overwritten, bit-flipped) is a
// DataError naming the path and, while iterating, the last good key; it never
// crashes the process (see db_lmdb.cpp for how LMDB files are checked).
//
// Thread-safety: one DB may hand out cursors to several threads; each Cursor
// and Transaction is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {
namespace db {

// READ opens an existing database read-only; WRITE opens an existing one for
// writing; NEW creates one and fails if something already exists there.
enum Mode { READ, WRITE, NEW };

// Iterates the records of a database in key order. A new cursor is
// positioned at the first record.
class Cursor {
 public:
  Cursor() = default;
  virtual ~Cursor() = default;
  DISABLE_COPY_AND_ASSIGN(Cursor);

  virtual void SeekToFirst() = 0;
  // Positions at the record with the greatest key (resuming a conversion).
  virtual void SeekToLast() = 0;
  // Positions on the first record whose key is >= `key` (invalid when there
  // is none). Backends seek directly; this fallback walks from the start.
  virtual void Seek(const string& key) {
    for (SeekToFirst(); valid() && this->key() < key; Next()) {
    }
  }
  virtual void Next() = 0;
  // The current record; only meaningful while valid().
  virtual string key() const = 0;
  virtual string value() const = 0;
  // False once Next() moved past the last record (or the DB is empty).
  virtual bool valid() const = 0;
};

// Buffers writes; Commit() makes them durable in one go.
class Transaction {
 public:
  Transaction() = default;
  virtual ~Transaction() = default;
  DISABLE_COPY_AND_ASSIGN(Transaction);

  virtual void Put(const string& key, const string& value) = 0;
  virtual void Commit() = 0;
};

class DB {
 public:
  DB() = default;
  virtual ~DB() = default;
  DISABLE_COPY_AND_ASSIGN(DB);

  virtual void Open(const string& source, Mode mode) = 0;
  virtual void Close() = 0;
  virtual Cursor* NewCursor() = 0;
  virtual Transaction* NewTransaction() = 0;
  // The number of records. LMDB reads it from its statistics; this fallback
  // (used by LevelDB, which keeps no count) walks every key.
  virtual size_t Count() {
    std::unique_ptr<Cursor> cursor(NewCursor());
    size_t count = 0;
    for (; cursor->valid(); cursor->Next()) ++count;
    return count;
  }
};

DB* GetDB(DataParameter::DB backend);
// "lmdb" or "leveldb"; anything else is a ConfigError.
DB* GetDB(const string& backend);

}  // namespace db
}  // namespace caffe
