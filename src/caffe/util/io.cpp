#include "caffe/util/io.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cmath>
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
    line_ = line;
    column_ = column;
    message_ = message;
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const string&) override {}
  const string& first() const { return first_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const string& message() const { return message_; }

 private:
  string source_;
  string first_;
  int line_ = -1;
  int column_ = -1;
  string message_;
};

// The message type whose fields are being written at (line, column) of a text
// proto of type `root`: follows `name {` and `name: {` down and `}` back up.
// Null where the path leaves the schema (an unknown field on the way).
const google::protobuf::Descriptor* MessageAt(const string& text,
                                              const google::protobuf::Descriptor* root,
                                              int line, int column) {
  using google::protobuf::io::Tokenizer;
  // The parser has already reported the first error; the tokenizer needs a
  // collector of its own (it dereferences it on a lexical error such as "3N"
  // in a comment read with the wrong comment style), whose reports are not
  // wanted here. Text protos use '#' comments, as in TextFormat.
  struct Silent : google::protobuf::io::ErrorCollector {
    void AddError(int, google::protobuf::io::ColumnNumber, const string&) override {}
  } silent;
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  Tokenizer tokenizer(&input, &silent);
  tokenizer.set_comment_style(Tokenizer::SH_COMMENT_STYLE);
  std::vector<const google::protobuf::Descriptor*> open{root};
  string field_name;
  while (tokenizer.Next()) {
    const Tokenizer::Token& token = tokenizer.current();
    if (token.line > line || (token.line == line && token.column >= column)) break;
    if (token.type == Tokenizer::TYPE_IDENTIFIER) {
      field_name = token.text;
    } else if (token.text == "{" || token.text == "<") {
      const google::protobuf::Descriptor* outer = open.back();
      const google::protobuf::FieldDescriptor* field =
          outer ? outer->FindFieldByName(field_name) : nullptr;
      open.push_back(field ? field->message_type() : nullptr);
    } else if ((token.text == "}" || token.text == ">") && open.size() > 1) {
      open.pop_back();
    } else if (token.text != ":") {
      field_name.clear();
    }
  }
  return open.back();
}

// For "Unknown enumeration value ... for field "F"": the values field F of
// the message at the error's position allows, as " (allowed: A, B, C)".
string AllowedEnumValues(const string& text, const google::protobuf::Descriptor* root,
                         const TextErrorCollector& errors) {
  static const string kUnknownEnum = "Unknown enumeration value of ";
  static const string kForField = "for field \"";
  const string& message = errors.message();
  const size_t at = message.find(kForField);
  if (message.compare(0, kUnknownEnum.size(), kUnknownEnum) != 0 || at == string::npos) {
    return "";
  }
  const size_t name_begin = at + kForField.size();
  const string field_name = message.substr(name_begin, message.find('"', name_begin) - name_begin);
  const google::protobuf::Descriptor* type = MessageAt(text, root, errors.line(), errors.column());
  const google::protobuf::FieldDescriptor* field =
      type ? type->FindFieldByName(field_name) : nullptr;
  if (!field || !field->enum_type()) return "";
  string allowed;
  for (int i = 0; i < field->enum_type()->value_count(); ++i) {
    allowed += (i ? ", " : "") + field->enum_type()->value(i)->name();
  }
  return " (allowed for " + type->name() + "." + field_name + ": " + allowed + ")";
}

// Follows the wire format of `bytes` as `type` and describes the first place
// where it breaks: which field (path from the root, with the names of named
// elements such as layers) and at which byte. Empty when the structure is
// sound (then protobuf refused it for another reason).
class WireWalker {
 public:
  explicit WireWalker(const string& bytes)
      : input_(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size())),
        size_(bytes.size()) {
    input_.SetTotalBytesLimit(INT_MAX);
  }

  string Problem(const google::protobuf::Descriptor* type) {
    Walk(type, 0);
    return problem_;
  }

 private:
  using FieldDescriptor = google::protobuf::FieldDescriptor;

  // One open message on the way down: the field that holds it, and its
  // `name` once read (layers and params are named).
  struct Level {
    string field;
    string name;
  };

  bool Fail(const string& field, const string& what) {
    string path;
    for (const Level& level : levels_) {
      if (level.field.empty()) continue;
      path += (path.empty() ? "" : ".") + level.field;
      if (!level.name.empty()) path += " ('" + level.name + "')";
    }
    if (!field.empty()) path += (path.empty() ? "" : ".") + field;
    const bool at_end = input_.CurrentPosition() >= static_cast<int>(size_);
    problem_ = internal::Concat("stopped at byte ", input_.CurrentPosition(), " of ", size_,
                                path.empty() ? string() : " in " + path, ": ", what,
                                at_end && what.find("truncated") == string::npos
                                    ? " (the file ends there: truncated?)"
                                    : "");
    return false;
  }

  int Remaining() {
    return input_.BytesUntilLimit() >= 0 ? input_.BytesUntilLimit()
                                         : static_cast<int>(size_) - input_.CurrentPosition();
  }

  bool Walk(const google::protobuf::Descriptor* type, int depth) {
    if (depth > 100) return Fail("", "messages nested more than 100 deep");
    map<int, int> repeats;
    for (;;) {
      if (Remaining() == 0) return true;
      const uint32_t tag = input_.ReadTag();
      if (tag == 0) return Fail("", "field number 0, which no protobuf encoding contains");
      const int number = static_cast<int>(tag >> 3);
      const FieldDescriptor* field = type ? type->FindFieldByNumber(number) : nullptr;
      string name = field ? field->name() : internal::Concat("(unknown field ", number, ")");
      if (field && field->is_repeated()) name += internal::Concat("[", repeats[number]++, "]");
      uint64_t varint;
      uint32_t fixed32, length;
      uint64_t fixed64;
      switch (tag & 7) {
        case 0:
          if (!input_.ReadVarint64(&varint)) return Fail(name, "the number is cut off");
          break;
        case 1:
          if (!input_.ReadLittleEndian64(&fixed64)) return Fail(name, "the value is cut off");
          break;
        case 5:
          if (!input_.ReadLittleEndian32(&fixed32)) return Fail(name, "the value is cut off");
          break;
        case 2: {
          if (!input_.ReadVarint32(&length)) return Fail(name, "the length is cut off");
          const int remaining = Remaining();
          if (static_cast<int64_t>(length) > remaining) {
            // Look into what is there: the break inside names more (the
            // layer, its blob) than the cut-off length does.
            if (field && field->type() == FieldDescriptor::TYPE_MESSAGE) {
              input_.PushLimit(remaining);
              levels_.push_back({name, ""});
              if (!Walk(field->message_type(), depth + 1)) return false;
              levels_.pop_back();
            }
            return Fail(name, internal::Concat("it claims ", length, " bytes but only ",
                                               remaining, " remain (file truncated?)"));
          }
          if (field && field->type() == FieldDescriptor::TYPE_MESSAGE) {
            const auto limit = input_.PushLimit(static_cast<int>(length));
            levels_.push_back({name, ""});
            if (!Walk(field->message_type(), depth + 1)) return false;
            levels_.pop_back();
            input_.PopLimit(limit);
          } else if (field && field->type() == FieldDescriptor::TYPE_STRING &&
                     field->name() == "name" && !levels_.empty()) {
            input_.ReadString(&levels_.back().name, static_cast<int>(length));
          } else if (!input_.Skip(static_cast<int>(length))) {
            return Fail(name, "the bytes are cut off");
          }
          break;
        }
        case 3:
        case 4:
          return Fail(name, "a group marker (wire type 3/4), which caffe files never use");
        default:
          return Fail(name, internal::Concat("invalid wire type ", tag & 7,
                                             " (the bytes are not a protobuf encoding)"));
      }
    }
  }

  google::protobuf::io::CodedInputStream input_;
  size_t size_;
  vector<Level> levels_{{"", ""}};
  string problem_;
};

// Text-format files are printable: a binary file almost always holds control
// bytes other than whitespace.
bool LooksLikeText(const string& contents) {
  for (unsigned char c : contents) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
    if (c == 0x7F) return false;
  }
  return true;
}

bool IsHdf5(const string& contents) {
  return contents.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0;
}

string BinaryParseProblem(const string& filename, const string& contents,
                          const google::protobuf::Message& proto) {
  const string where = WireWalker(contents).Problem(proto.GetDescriptor());
  return internal::Concat(filename, ": not a valid binary ", proto.GetTypeName(), " (",
                          where.empty() ? "its fields are out of range" : where, ")");
}

}  // namespace

bool FileExists(const string& filename) {
  struct stat info;
  return stat(filename.c_str(), &info) == 0;
}

string ReadFileToString(const string& filename) {
  struct stat info;
  CAFFE_REQUIRE(stat(filename.c_str(), &info) != 0 || !S_ISDIR(info.st_mode), IOError, "'",
                filename, "' is a directory, not a file");
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
                                : errors.first() + AllowedEnumValues(text, proto->GetDescriptor(),
                                                                     errors));
  }
}

void ReadProtoFromTextFile(const string& filename, google::protobuf::Message* proto) {
  ReadProtoFromTextString(ReadFileToString(filename), filename, proto);
}

namespace {

bool ParseBinary(const string& contents, google::protobuf::Message* proto) {
  if (contents.size() > static_cast<size_t>(INT_MAX)) return false;
  google::protobuf::io::CodedInputStream input(
      reinterpret_cast<const uint8_t*>(contents.data()), static_cast<int>(contents.size()));
  input.SetTotalBytesLimit(INT_MAX);
  return proto->ParseFromCodedStream(&input) && input.ConsumedEntireMessage();
}

void RequireContent(const string& filename, const string& contents,
                    const google::protobuf::Message& proto) {
  CAFFE_REQUIRE(!contents.empty(), ParseError, filename, ": the file is empty (expected a ",
                proto.GetTypeName(), ")");
  CAFFE_REQUIRE(contents.size() <= static_cast<size_t>(INT_MAX), ParseError, filename,
                ": the file has ", contents.size(), " bytes, more than protobuf can read (2 GiB)");
  CAFFE_REQUIRE(!IsHdf5(contents), ParseError, filename, ": this is an HDF5 file; this build "
                "reads ", proto.GetTypeName(), " only as binary or text protobuf");
}

}  // namespace

void ReadProtoFromBinaryFile(const string& filename, google::protobuf::Message* proto) {
  const string contents = ReadFileToString(filename);
  RequireContent(filename, contents, *proto);
  if (!ParseBinary(contents, proto)) {
    CAFFE_THROW(ParseError, BinaryParseProblem(filename, contents, *proto));
  }
}

void ReadProtoFromBinaryOrTextFile(const string& filename, google::protobuf::Message* proto) {
  const string contents = ReadFileToString(filename);
  // An empty file is an empty message here: whether that is acceptable is
  // for the caller to say (weights for a net without parameters are).
  if (contents.empty()) return;
  RequireContent(filename, contents, *proto);
  if (ParseBinary(contents, proto)) return;
  proto->Clear();
  // Only a printable file can be text format; for anything else the text
  // parser's complaint ("non ascii codepoint") would hide what is wrong.
  if (!LooksLikeText(contents)) CAFFE_THROW(ParseError, BinaryParseProblem(filename, contents, *proto));
  ReadProtoFromTextString(contents, filename, proto);
}

namespace {

void CheckFinite(const google::protobuf::Message& proto, const string& context,
                 const string& path) {
  using google::protobuf::FieldDescriptor;
  if (proto.GetDescriptor() == BlobProto::descriptor()) return;
  const bool infinity_allowed = proto.GetDescriptor() == ClipParameter::descriptor();
  const google::protobuf::Reflection* reflection = proto.GetReflection();
  vector<const FieldDescriptor*> fields;
  reflection->ListFields(proto, &fields);
  for (const FieldDescriptor* field : fields) {
    const string name = path.empty() ? field->name() : path + "." + field->name();
    const int count = field->is_repeated() ? reflection->FieldSize(proto, field) : 1;
    for (int i = 0; i < count; ++i) {
      const string element =
          field->is_repeated() ? internal::Concat(name, "[", i, "]") : name;
      double value = 0;
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_FLOAT:
          value = field->is_repeated() ? reflection->GetRepeatedFloat(proto, field, i)
                                       : reflection->GetFloat(proto, field);
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          value = field->is_repeated() ? reflection->GetRepeatedDouble(proto, field, i)
                                       : reflection->GetDouble(proto, field);
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          CheckFinite(field->is_repeated() ? reflection->GetRepeatedMessage(proto, field, i)
                                           : reflection->GetMessage(proto, field),
                      context, element);
          continue;
        default:
          continue;
      }
      CAFFE_REQUIRE(!std::isnan(value), ConfigError, context, ": ", element,
                    " is nan; give a number");
      CAFFE_REQUIRE(infinity_allowed || std::isfinite(value), ConfigError, context, ": ",
                    element, " is ", value, "; give a finite number");
    }
  }
}

}  // namespace

void CheckFiniteFields(const google::protobuf::Message& proto, const string& context) {
  CheckFinite(proto, context, "");
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
