#include "caffe/engine.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "caffe/common.hpp"

namespace caffe {

namespace {

Engine BuildDefault() { return OnednnAvailable() ? Engine::kOnednn : Engine::kCaffe; }

// Read once when libcaffe loads; no exception may leave a static
// initializer, so a value that is not understood is reported and ignored.
Engine InitialDefault() {
  const char* chosen = std::getenv("CAFFE_ENGINE");
  if (chosen == nullptr || *chosen == '\0' || std::strcmp(chosen, "DEFAULT") == 0) {
    return BuildDefault();
  }
  if (std::strcmp(chosen, "CAFFE") == 0) return Engine::kCaffe;
  if (std::strcmp(chosen, "ONEDNN") == 0) {
    if (OnednnAvailable()) return Engine::kOnednn;
    std::fprintf(stderr, "caffe: CAFFE_ENGINE=ONEDNN, but this build has no oneDNN; "
                         "using the CAFFE engine\n");
    return Engine::kCaffe;
  }
  std::fprintf(stderr, "caffe: ignoring CAFFE_ENGINE='%s' (expected DEFAULT, CAFFE or ONEDNN)\n",
               chosen);
  return BuildDefault();
}

std::atomic<Engine>& DefaultEngineSetting() {
  static std::atomic<Engine> setting{InitialDefault()};
  return setting;
}

// Makes the environment variable take effect (and report) at load time.
const Engine loaded_default = DefaultEngineSetting().load();

}  // namespace

bool OnednnAvailable() {
#ifdef CAFFE_HAVE_ONEDNN
  return true;
#else
  return false;
#endif
}

Engine DefaultEngine() { return DefaultEngineSetting().load(); }

void SetDefaultEngine(Engine engine) {
  CAFFE_REQUIRE(engine != Engine::kOnednn || OnednnAvailable(), ConfigError,
                "the ONEDNN engine was requested, but this build has no oneDNN "
                "(configure with -DCAFFE_USE_ONEDNN=ON and libdnnl-dev installed)");
  DefaultEngineSetting().store(engine);
}

std::string EngineName(Engine engine) { return engine == Engine::kOnednn ? "ONEDNN" : "CAFFE"; }

}  // namespace caffe
