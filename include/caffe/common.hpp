// Basic types, the error hierarchy and the per-thread runtime context.
//
// Errors: anything a user can cause (bad files, bad parameters, bad data,
// incompatible shapes) throws a subclass of caffe::Error with a message that
// names the file/line, layer, blob or DB key involved. CHECK is reserved for
// internal invariants that no input can break.
//
// Thread-safety: Caffe::Get() returns a context private to the calling thread,
// so its RNG and mode can be used without locking.
#pragma once

#include <glog/logging.h>

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace caffe {

using std::map;
using std::pair;
using std::set;
using std::shared_ptr;
using std::string;
using std::vector;

class Error : public std::runtime_error {
 public:
  explicit Error(const string& message) : std::runtime_error(message) {}
};

// The one list of error types a user can cause: (C++ class, the Python built-in
// exception its pycaffe class also derives from, what it means). The C++ classes
// below, pycaffe's exception classes (caffe.errors) and RethrowWithContext are
// all generated from it, so a new type is one line here.
#define CAFFE_FOR_EACH_ERROR_TYPE(X)                                                   \
  X(ParseError, ValueError, "A text or binary proto (net, solver, model) that does not parse.") \
  X(IOError, OSError, "A file or database that cannot be opened, read or written.")    \
  X(ConfigError, ValueError,                                                           \
    "A parameter value that is invalid or inconsistent (unknown layer type, missing "  \
    "required field, out-of-range option).")                                           \
  X(ShapeError, ValueError, "Blobs or arrays whose shapes do not fit together.")       \
  X(DataError, ValueError, "A database record, database file or image that cannot be decoded.") \
  X(OutOfMemoryError, MemoryError,                                                     \
    "An allocation the machine cannot satisfy; the message says what was being "       \
    "allocated and which input made it that large.")

#define CAFFE_DECLARE_ERROR_TYPE(Name, PythonBase, Meaning) \
  class Name : public Error {                               \
   public:                                                  \
    using Error::Error;                                     \
  };
CAFFE_FOR_EACH_ERROR_TYPE(CAFFE_DECLARE_ERROR_TYPE)
#undef CAFFE_DECLARE_ERROR_TYPE

// Throws an error of the same type as `error` whose message is `prefix`
// followed by the original message (to add the layer, file or record that a
// lower level did not know about). Call it from the catch block that caught
// `error`: an error of a type not in the list is rethrown unchanged.
[[noreturn]] void RethrowWithContext(const Error& error, const string& prefix);
// "1.5 GiB", "12 MiB", "512 bytes": sizes in messages.
string HumanBytes(double bytes);

namespace internal {
template <typename... Args>
string Concat(const Args&... args) {
  std::ostringstream stream;
  (stream << ... << args);
  return stream.str();
}
}  // namespace internal

// CAFFE_THROW(ShapeError, "layer ", name, " expects ", n, " bottoms");
#define CAFFE_THROW(ErrorType, ...) \
  throw ErrorType(::caffe::internal::Concat(__VA_ARGS__))
#define CAFFE_REQUIRE(condition, ErrorType, ...)   \
  do {                                             \
    if (!(condition)) CAFFE_THROW(ErrorType, __VA_ARGS__); \
  } while (0)

// Explicit instantiation of a class template for the two supported types.
#define INSTANTIATE_CLASS(classname) \
  template class classname<float>;   \
  template class classname<double>

#define DISABLE_COPY_AND_ASSIGN(classname) \
  classname(const classname&) = delete;    \
  classname& operator=(const classname&) = delete

// Sets up glog and gflags the way the command-line tools expect.
void GlobalInit(int* pargc, char*** pargv);

class Caffe {
 public:
  // Same engine as upstream Caffe, so a given seed yields the same stream.
  typedef boost::mt19937 rng_t;
  enum Brew { CPU, GPU };

  // The calling thread's context, created on first use.
  static Caffe& Get();

  static rng_t* rng() { return &Get().rng_; }
  static void set_random_seed(uint64_t seed);
  static Brew mode() { return Get().mode_; }
  // GPU is refused with a ConfigError: this build has no device code.
  static void set_mode(Brew mode);
  static void SetDevice(int device_id);
  static void DeviceQuery();
  // A seed derived from the clock and the process, for unseeded runs.
  static uint64_t cluster_seedgen();

 private:
  Caffe();
  rng_t rng_;
  Brew mode_;
};

// One draw from the calling thread's generator.
unsigned int caffe_rng_rand();

}  // namespace caffe
