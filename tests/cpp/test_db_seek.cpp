// Cursor::Seek and DB::Count on both backends (what caffe.db's get() and
// len() use), against the slow reference: a walk from the first key.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "caffe/util/db.hpp"
#include "util/data_fixtures.hpp"

namespace caffe {
namespace {

using testing_data::TempDir;
using testing_data::WriteDB;

class DBSeekTest : public ::testing::TestWithParam<string> {};

// Keys 00000000, 00000002, ..., 00000198: every even number.
vector<pair<string, string>> EvenKeys() {
  vector<pair<string, string>> records;
  for (int i = 0; i < 200; i += 2) {
    char key[16];
    std::snprintf(key, sizeof(key), "%08d", i);
    records.emplace_back(key, string("value ") + key);
  }
  return records;
}

// The reference: walk from the first record to the first key >= `key`.
string WalkTo(db::DB* database, const string& key) {
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  for (; cursor->valid(); cursor->Next()) {
    if (cursor->key() >= key) return cursor->key();
  }
  return "<end>";
}

TEST_P(DBSeekTest, SeekLandsOnTheFirstKeyNotBelowAndCountCounts) {
  TempDir dir;
  const string path = dir.Join("db");
  WriteDB(GetParam(), path, EvenKeys());
  std::unique_ptr<db::DB> database(db::GetDB(GetParam()));
  database->Open(path, db::READ);
  EXPECT_EQ(database->Count(), 100u);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  for (const string key : {"00000000", "00000001", "00000100", "00000101", "00000198", "0",
                           "00000199", "9"}) {
    cursor->Seek(key);
    EXPECT_EQ(cursor->valid() ? cursor->key() : string("<end>"), WalkTo(database.get(), key))
        << key;
  }
  cursor->Seek("00000050");
  ASSERT_TRUE(cursor->valid());
  EXPECT_EQ(cursor->value(), "value 00000050");
  cursor->Next();  // iteration continues from the seek
  EXPECT_EQ(cursor->key(), "00000052");
}

TEST_P(DBSeekTest, EmptyDatabase) {
  TempDir dir;
  const string path = dir.Join("db");
  WriteDB(GetParam(), path, {});
  std::unique_ptr<db::DB> database(db::GetDB(GetParam()));
  database->Open(path, db::READ);
  EXPECT_EQ(database->Count(), 0u);
  std::unique_ptr<db::Cursor> cursor(database->NewCursor());
  cursor->Seek("00000000");
  EXPECT_FALSE(cursor->valid());
}

INSTANTIATE_TEST_SUITE_P(Backends, DBSeekTest, ::testing::Values("lmdb", "leveldb"));

}  // namespace
}  // namespace caffe
