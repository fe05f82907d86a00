// Fuzz target: the bytes are a data.mdb file; the database is opened
// read-only as the data layers open it and every record is read and parsed
// as a Datum. Damaged files must be refused with a DataError or IOError,
// never crash (liblmdb maps the file, so a short or bit-flipped file used
// to end in SIGBUS).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "caffe/proto/caffe.pb.h"
#include "caffe/util/db.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace caffe;
  fuzz::QuietLogging();
  if (size > (8 << 20)) return 0;
  const std::string dir = fuzz::ScratchDir() + "/lmdb";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir + "/lock.mdb");
  fuzz::WriteScratchFile("lmdb/data.mdb", data, size);
  try {
    std::unique_ptr<db::DB> database(db::GetDB("lmdb"));
    database->Open(dir, db::READ);
    std::unique_ptr<db::Cursor> cursor(database->NewCursor());
    Datum datum;
    for (int records = 0; cursor->valid() && records < 100000; cursor->Next(), ++records) {
      datum.ParseFromString(cursor->value());
      cursor->key();
    }
    cursor->SeekToLast();
  } catch (const Error&) {
  }
  return 0;
}
