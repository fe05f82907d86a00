// A small stand-in for libFuzzer, so the fuzz targets run in CI with the
// project's own compiler: it replays corpus files and, for a set time,
// feeds mutations of them (bit flips, byte edits, insertions, deletions,
// copies, splices and dictionary tokens) to LLVMFuzzerTestOneInput. It has
// no coverage feedback: long runs should use the real libFuzzer
// (scripts/fuzz.sh), which links the same targets without this file.
//
//   fuzz_<target> [-runs=N] [-max_total_time=S] [-seed=N] [-timeout=S]
//                 [-dict=FILE] [-artifact_prefix=DIR/] CORPUS_DIR_OR_FILE...
//
// An input that crashes (signal, uncaught exception) or runs longer than
// -timeout seconds is written to <artifact_prefix>crash-<n> (or
// timeout-<n>) and the process exits non-zero, as libFuzzer does.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

using Bytes = std::string;

// What the signal handlers write out: the input being run.
const char* g_current_data = nullptr;
size_t g_current_size = 0;
char g_crash_path[4096];
char g_timeout_path[4096];

void WriteCurrent(const char* path) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  size_t written = 0;
  while (written < g_current_size) {
    const ssize_t n = write(fd, g_current_data + written, g_current_size - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(fd);
}

void Say(const char* text) {
  const ssize_t ignored = write(2, text, std::strlen(text));
  (void)ignored;
}

void OnCrash(int signal) {
  Say("fuzz driver: crash (");
  Say(strsignal(signal));
  Say("); input written to ");
  Say(g_crash_path);
  Say("\n");
  WriteCurrent(g_crash_path);
  std::signal(signal, SIG_DFL);
  raise(signal);
}

void OnTimeout(int) {
  Say("fuzz driver: timeout; input written to ");
  Say(g_timeout_path);
  Say("\n");
  WriteCurrent(g_timeout_path);
  _exit(70);
}

void InstallHandlers() {
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(signal, &OnCrash);
  std::signal(SIGALRM, &OnTimeout);
}

void Run(const Bytes& input, int timeout_seconds) {
  g_current_data = input.data();
  g_current_size = input.size();
  alarm(static_cast<unsigned>(timeout_seconds));
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  alarm(0);
}

Bytes ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// libFuzzer dictionary lines: name="token" or "token", with \xNN escapes.
std::vector<Bytes> ReadDictionary(const std::string& path) {
  std::vector<Bytes> tokens;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t open_quote = line.find('"');
    const size_t close_quote = line.rfind('"');
    if (line.empty() || line[0] == '#' || open_quote == std::string::npos ||
        close_quote <= open_quote) {
      continue;
    }
    Bytes token;
    for (size_t i = open_quote + 1; i < close_quote; ++i) {
      if (line[i] == '\\' && i + 1 < close_quote) {
        if (line[i + 1] == 'x' && i + 3 < close_quote) {
          token += static_cast<char>(std::stoi(line.substr(i + 2, 2), nullptr, 16));
          i += 3;
        } else {
          token += line[++i];
        }
      } else {
        token += line[i];
      }
    }
    if (!token.empty()) tokens.push_back(token);
  }
  return tokens;
}

class Mutator {
 public:
  Mutator(uint32_t seed, std::vector<Bytes> dictionary)
      : random_(seed), dictionary_(std::move(dictionary)) {}

  Bytes Mutate(const Bytes& original, const std::vector<Bytes>& corpus) {
    Bytes data = original;
    const int steps = 1 + Below(5);
    for (int i = 0; i < steps; ++i) Step(&data, corpus);
    if (data.size() > kMaxSize) data.resize(kMaxSize);
    return data;
  }

 private:
  static constexpr size_t kMaxSize = 1 << 20;

  size_t Below(size_t n) { return n == 0 ? 0 : random_() % n; }

  void Step(Bytes* data, const std::vector<Bytes>& corpus) {
    static const int64_t kInteresting[] = {0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF,
                                           0x7FFFFFFF, INT64_C(0xFFFFFFFF), 1 << 16, 1 << 24};
    const size_t size = data->size();
    switch (Below(8)) {
      case 0:  // flip a bit
        if (size) (*data)[Below(size)] ^= static_cast<char>(1 << Below(8));
        break;
      case 1:  // set a byte
        if (size) (*data)[Below(size)] = static_cast<char>(random_());
        break;
      case 2: {  // write an interesting integer
        if (size < 4) break;
        const int64_t value = kInteresting[Below(sizeof(kInteresting) / sizeof(kInteresting[0]))];
        const size_t width = size_t(1) << Below(4);
        const size_t at = Below(size - std::min(size, width) + 1);
        for (size_t b = 0; b < width && at + b < size; ++b) {
          (*data)[at + b] = static_cast<char>((value >> (8 * b)) & 0xFF);
        }
        break;
      }
      case 3: {  // insert random bytes
        const size_t count = 1 + Below(16);
        Bytes inserted;
        for (size_t b = 0; b < count; ++b) inserted += static_cast<char>(random_());
        data->insert(Below(size + 1), inserted);
        break;
      }
      case 4:  // delete a range
        if (size) {
          const size_t at = Below(size);
          data->erase(at, 1 + Below(std::min<size_t>(size - at, 64)));
        }
        break;
      case 5:  // copy a range elsewhere
        if (size) {
          const size_t at = Below(size);
          const Bytes piece = data->substr(at, 1 + Below(std::min<size_t>(size - at, 64)));
          data->insert(Below(size + 1), piece);
        }
        break;
      case 6: {  // splice with another input
        const Bytes& other = corpus[Below(corpus.size())];
        if (other.empty()) break;
        const size_t cut = Below(size + 1);
        const size_t from = Below(other.size());
        *data = data->substr(0, cut) + other.substr(from);
        break;
      }
      default:  // a dictionary token
        if (!dictionary_.empty()) {
          const Bytes& token = dictionary_[Below(dictionary_.size())];
          if (size && Below(2)) {
            const size_t at = Below(size);
            data->replace(at, std::min(token.size(), size - at), token);
          } else {
            data->insert(Below(size + 1), token);
          }
        }
        break;
    }
  }

  std::mt19937 random_;
  std::vector<Bytes> dictionary_;
};

bool Flag(const std::string& argument, const char* name, std::string* value) {
  const std::string prefix = std::string("-") + name + "=";
  if (argument.compare(0, prefix.size(), prefix) != 0) return false;
  *value = argument.substr(prefix.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  long runs = -1;
  double max_total_time = 0;
  uint32_t seed = static_cast<uint32_t>(std::random_device()());
  int timeout = 20;
  std::string dictionary, artifact_prefix;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    std::string value;
    if (Flag(argument, "runs", &value)) {
      runs = std::stol(value);
    } else if (Flag(argument, "max_total_time", &value)) {
      max_total_time = std::stod(value);
    } else if (Flag(argument, "seed", &value)) {
      seed = static_cast<uint32_t>(std::stoul(value));
    } else if (Flag(argument, "timeout", &value)) {
      timeout = std::stoi(value);
    } else if (Flag(argument, "dict", &value)) {
      dictionary = value;
    } else if (Flag(argument, "artifact_prefix", &value)) {
      artifact_prefix = value;
    } else if (!argument.empty() && argument[0] == '-') {
      std::cerr << "fuzz driver: ignoring unknown flag " << argument << "\n";
    } else {
      inputs.push_back(argument);
    }
  }
  std::snprintf(g_crash_path, sizeof(g_crash_path), "%scrash-%d", artifact_prefix.c_str(),
                static_cast<int>(getpid()));
  std::snprintf(g_timeout_path, sizeof(g_timeout_path), "%stimeout-%d",
                artifact_prefix.c_str(), static_cast<int>(getpid()));
  InstallHandlers();

  std::vector<Bytes> corpus;
  for (const std::string& input : inputs) {
    if (std::filesystem::is_directory(input)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(input)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) corpus.push_back(ReadAll(file));
    } else {
      corpus.push_back(ReadAll(input));
    }
  }
  for (const Bytes& input : corpus) Run(input, timeout);
  std::cerr << "fuzz driver: replayed " << corpus.size() << " corpus inputs\n";
  if (corpus.empty()) corpus.push_back(Bytes());
  if (runs == 0 || (runs < 0 && max_total_time <= 0)) return 0;

  Mutator mutator(seed, dictionary.empty() ? std::vector<Bytes>() : ReadDictionary(dictionary));
  std::mt19937 pick(seed ^ 0x9E3779B9u);
  const auto start = std::chrono::steady_clock::now();
  long done = 0;
  Bytes previous = corpus[0];
  for (; runs < 0 || done < runs; ++done) {
    if (max_total_time > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                            start).count() >= max_total_time) {
      break;
    }
    // Mostly fresh mutations of seeds, sometimes a further step from the
    // previous mutant to reach deeper edits.
    const Bytes& base = (pick() % 4 == 0) ? previous : corpus[pick() % corpus.size()];
    previous = mutator.Mutate(base, corpus);
    Run(previous, timeout);
  }
  std::cerr << "fuzz driver: " << done << " mutated inputs (seed " << seed << "), no crash\n";
  return 0;
}
