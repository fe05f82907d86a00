#include "caffe/util/io.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace caffe {

namespace {

// Collects the text parser's complaints as "file:line:column: message".
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit TextErrorCollector(const string& source) : source_(source) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const string& message) override {
    if (!first_.empty()) return;
    first_ = internal::Concat(source_, ":", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const string&) override {}
  const string& first() const { return first_; }

 private:
  string source_;
  string first_;
};

}  // namespace

bool FileExists(const string& filename) {
  struct stat info;
  return stat(filename.c_str(), &info) == 0;
}

string ReadFileToString(const string& filename) {
  std::ifstream in(filename, std::ios::binary);
  CAFFE_REQUIRE(in.good(), IOError, "cannot open '", filename, "' for reading");
  std::ostringstream contents;
  contents << in.rdbuf();
  CAFFE_REQUIRE(!in.bad(), IOError, "error while reading '", filename, "'");
  return contents.str();
}

void ReadProtoFromTextString(const string& text, const string& source_name,
                             google::protobuf::Message* proto) {
  TextErrorCollector errors(source_name);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, proto)) {
    CAFFE_THROW(ParseError, errors.first().empty()
                                ? internal::Concat(source_name, ": cannot parse as ",
                                                   proto->GetTypeName())
                                : errors.first());
  }
}

void ReadProtoFromTextFile(const string& filename, google::protobuf::Message* proto) {
  ReadProtoFromTextString(ReadFileToString(filename), filename, proto);
}

void ReadProtoFromBinaryFile(const string& filename, google::protobuf::Message* proto) {
  const string contents = ReadFileToString(filename);
  google::protobuf::io::CodedInputStream input(
      reinterpret_cast<const uint8_t*>(contents.data()), static_cast<int>(contents.size()));
  input.SetTotalBytesLimit(INT_MAX);
  CAFFE_REQUIRE(proto->ParseFromCodedStream(&input) && input.ConsumedEntireMessage(),
                ParseError, filename, ": not a valid binary ", proto->GetTypeName());
}

void ReadProtoFromBinaryOrTextFile(const string& filename, google::protobuf::Message* proto) {
  try {
    ReadProtoFromBinaryFile(filename, proto);
  } catch (const ParseError&) {
    proto->Clear();
    ReadProtoFromTextFile(filename, proto);
  }
}

void WriteFileAtomically(const string& filename, const string& contents) {
  const string temporary = internal::Concat(filename, ".tmp-", getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    CAFFE_REQUIRE(out.good(), IOError, "cannot open '", temporary, "' for writing");
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out.good()) {
      std::remove(temporary.c_str());
      CAFFE_THROW(IOError, "error while writing '", temporary, "'");
    }
  }
  if (std::rename(temporary.c_str(), filename.c_str()) != 0) {
    std::remove(temporary.c_str());
    CAFFE_THROW(IOError, "cannot rename '", temporary, "' to '", filename, "'");
  }
}

void WriteProtoToTextFile(const google::protobuf::Message& proto, const string& filename) {
  string text;
  CHECK(google::protobuf::TextFormat::PrintToString(proto, &text));
  WriteFileAtomically(filename, text);
}

void WriteProtoToBinaryFile(const google::protobuf::Message& proto, const string& filename) {
  string bytes;
  CAFFE_REQUIRE(proto.SerializeToString(&bytes), IOError, "cannot serialise ",
                proto.GetTypeName(), " for '", filename, "' (is it larger than 2 GiB?)");
  WriteFileAtomically(filename, bytes);
}

string DirName(const string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

string JoinPath(const string& dir, const string& path) {
  if (dir.empty() || (!path.empty() && path[0] == '/')) return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

}  // namespace caffe
