// caffe.db's C++ half: a DB handle over caffe::db (LMDB / LevelDB).
//
// The handle remembers its mode and whether it is open, so that misuse
// (writing to a read-only database, using a closed one) is an IOError in
// Python rather than a failed internal check. Backend cursors and
// transactions must be destroyed before their DB is closed, whatever order
// Python drops objects in: each Python cursor/transaction registers with its
// handle, which releases their backend objects on close().
#include <pybind11/pybind11.h>

#include <memory>
#include <set>
#include <string>

#include "bindings.hpp"
#include "caffe/common.hpp"
#include "caffe/util/db.hpp"

namespace py = pybind11;

namespace caffe {
namespace pycaffe {
namespace {

// A cursor or transaction that holds a backend object of an OpenDB.
class Child {
 public:
  virtual ~Child() = default;
  virtual void Release() = 0;
};

struct OpenDB {
  std::unique_ptr<db::DB> db;
  std::set<Child*> children;
  string path;
  db::Mode mode = db::READ;
  bool open = false;

  void RequireOpen() const {
    CAFFE_REQUIRE(open, IOError, "database ", path, " is closed");
  }
  void RequireWritable() const {
    RequireOpen();
    CAFFE_REQUIRE(mode != db::READ, IOError, "database ", path,
                  " was opened read-only ('r'); open it with 'w' to write");
  }
};

db::Mode ParseMode(const string& mode) {
  if (mode == "r") return db::READ;
  if (mode == "w") return db::WRITE;
  if (mode == "new") return db::NEW;
  CAFFE_THROW(ConfigError, "database mode must be 'r', 'w' or 'new', got '", mode, "'");
}

// A write transaction; Put buffers, Commit writes. After Commit the
// transaction is spent: later puts go to a fresh backend transaction.
class PyTransaction : public Child {
 public:
  explicit PyTransaction(std::shared_ptr<OpenDB> db) : db_(std::move(db)) {
    db_->RequireWritable();
    db_->children.insert(this);
  }
  ~PyTransaction() override { db_->children.erase(this); }
  void Release() override { txn_.reset(); }
  void Put(const py::bytes& key, const py::bytes& value) {
    db_->RequireWritable();
    if (!txn_) txn_.reset(db_->db->NewTransaction());
    txn_->Put(string(key), string(value));
  }
  void Commit() {
    if (!txn_) return;
    db_->RequireWritable();
    py::gil_scoped_release release;
    txn_->Commit();
    txn_.reset();
  }
  // Drops what was not committed.
  void Abort() { txn_.reset(); }

 private:
  std::shared_ptr<OpenDB> db_;
  std::unique_ptr<db::Transaction> txn_;
};

// Iterates (key, value) pairs in key order.
class PyCursor : public Child {
 public:
  explicit PyCursor(std::shared_ptr<OpenDB> db) : db_(std::move(db)) {
    db_->RequireOpen();
    cursor_.reset(db_->db->NewCursor());
    db_->children.insert(this);
  }
  ~PyCursor() override { db_->children.erase(this); }
  void Release() override { cursor_.reset(); }
  py::tuple Next() {
    db_->RequireOpen();
    if (!cursor_->valid()) throw py::stop_iteration();
    py::tuple item = py::make_tuple(py::bytes(cursor_->key()), py::bytes(cursor_->value()));
    cursor_->Next();
    return item;
  }
  // The value stored under `key`, or None: one seek in the backend.
  py::object Find(const string& key) {
    db_->RequireOpen();
    cursor_->Seek(key);
    if (cursor_->valid() && cursor_->key() == key) return py::bytes(cursor_->value());
    return py::none();
  }

 private:
  std::shared_ptr<OpenDB> db_;
  std::unique_ptr<db::Cursor> cursor_;
};

std::shared_ptr<OpenDB> Open(const string& path, const string& backend, const string& mode) {
  auto handle = std::make_shared<OpenDB>();
  handle->mode = ParseMode(mode);
  handle->path = path;
  handle->db.reset(db::GetDB(backend));
  handle->db->Open(path, handle->mode);
  handle->open = true;
  return handle;
}

void Close(OpenDB& handle) {
  if (!handle.open) return;
  handle.open = false;
  for (Child* child : handle.children) child->Release();
  handle.db->Close();
}

}  // namespace

void DefineDB(py::module_& m) {
  py::class_<OpenDB, std::shared_ptr<OpenDB>>(m, "DB")
      .def_property_readonly("path", [](const OpenDB& db) { return db.path; })
      .def_property_readonly("closed", [](const OpenDB& db) { return !db.open; })
      .def_property_readonly("writable",
                             [](const OpenDB& db) { return db.open && db.mode != db::READ; })
      .def("close", &Close)
      .def("count",
           [](OpenDB& db) {
             db.RequireOpen();
             py::gil_scoped_release release;
             return db.db->Count();
           })
      .def("transaction",
           [](std::shared_ptr<OpenDB> db) { return std::make_unique<PyTransaction>(db); })
      .def("cursor", [](std::shared_ptr<OpenDB> db) { return std::make_unique<PyCursor>(db); });
  py::class_<PyTransaction>(m, "Transaction")
      .def("put", &PyTransaction::Put, py::arg("key"), py::arg("value"))
      .def("commit", &PyTransaction::Commit)
      .def("abort", &PyTransaction::Abort);
  py::class_<PyCursor>(m, "Cursor")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &PyCursor::Next)
      .def("find",
           [](PyCursor& cursor, const py::bytes& key) { return cursor.Find(string(key)); });
  m.def("db_open", &Open, py::arg("path"), py::arg("backend"), py::arg("mode"));
}

}  // namespace pycaffe
}  // namespace caffe
