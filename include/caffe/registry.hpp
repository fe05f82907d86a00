// A registry of named creators for one family of objects: layers by their
// `type` ("Convolution"), solvers by theirs ("SGD"). LayerRegistry and
// SolverRegistry are its two instances.
//
// Ownership: a creator returns a new object in a shared_ptr; the caller owns it.
// Registering the same type twice is a programming error and aborts at start-up
// (registration happens during static initialisation, from one line in each
// type's .cpp). Lookups afterwards are read-only and thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "caffe/common.hpp"

namespace caffe {

template <typename Product, typename Param>
class Registry {
 public:
  typedef std::function<shared_ptr<Product>(const Param&)> Creator;

  static void Add(const string& type, Creator creator) {
    auto& entries = Entries();
    CHECK_EQ(entries.count(type), 0u) << "type " << type << " is registered twice";
    entries[type] = std::move(creator);
  }

  static bool Has(const string& type) { return Entries().count(type) > 0; }

  // The registered types, sorted.
  static vector<string> Types() {
    vector<string> types;
    for (const auto& entry : Entries()) types.push_back(entry.first);
    return types;
  }

  // Creates the object of `type` from `param`. Throws ConfigError saying that
  // `what` (e.g. "layer 'conv1'") has an unknown type, listing the known ones.
  static shared_ptr<Product> Create(const string& type, const Param& param, const string& what) {
    const auto& entries = Entries();
    const auto it = entries.find(type);
    if (it == entries.end()) {
      string known;
      for (const auto& entry : entries) known += (known.empty() ? "" : ", ") + entry.first;
      CAFFE_THROW(ConfigError, what, " has unknown type '", type, "' (known types: ", known, ")");
    }
    return it->second(param);
  }

 private:
  // One map per instantiation; libcaffe instantiates both registries
  // explicitly, so every user of the shared library sees the same map.
  static std::map<string, Creator>& Entries();
};

template <typename Product, typename Param>
std::map<string, typename Registry<Product, Param>::Creator>& Registry<Product, Param>::Entries() {
  static std::map<string, Creator> entries;
  return entries;
}

// Registers a creator during static initialisation.
template <typename Product, typename Param>
struct Registerer {
  Registerer(const string& type, typename Registry<Product, Param>::Creator creator) {
    Registry<Product, Param>::Add(type, std::move(creator));
  }
};

}  // namespace caffe
