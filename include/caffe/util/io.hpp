// Reading and writing protobuf files.
//
// Readers throw IOError when a file cannot be opened and ParseError when its
// content does not parse; a text-format ParseError names file, line, column
// and the parser's complaint. Writers never leave a half-written file under
// the final name: they write `<name>.tmp-<pid>` and rename it into place.
#pragma once

#include <google/protobuf/message.h>

#include <string>

#include "caffe/common.hpp"
#include "caffe/proto/caffe.pb.h"

namespace caffe {

void ReadProtoFromTextFile(const string& filename, google::protobuf::Message* proto);
// Parses text already in memory; `source_name` is used in error messages.
void ReadProtoFromTextString(const string& text, const string& source_name,
                             google::protobuf::Message* proto);
void ReadProtoFromBinaryFile(const string& filename, google::protobuf::Message* proto);
// Reads a binary proto, or a text one when the binary parse fails (as
// upstream does for .caffemodel and .binaryproto files).
void ReadProtoFromBinaryOrTextFile(const string& filename, google::protobuf::Message* proto);

void WriteProtoToTextFile(const google::protobuf::Message& proto, const string& filename);
void WriteProtoToBinaryFile(const google::protobuf::Message& proto, const string& filename);
// Writes `contents` to `filename` atomically (temporary file + rename).
void WriteFileAtomically(const string& filename, const string& contents);

// Throws ConfigError naming `context` and the field's path when a float or
// double field of `proto` (recursively) is NaN, or infinite where only a
// finite value makes sense (ClipParameter's min/max may be infinite).
// Stored weights (BlobProto) are not checked.
void CheckFiniteFields(const google::protobuf::Message& proto, const string& context);

string ReadFileToString(const string& filename);
bool FileExists(const string& filename);
// Directory part of a path ("" for a bare name), and path joining that leaves
// absolute second parts alone.
string DirName(const string& path);
string JoinPath(const string& dir, const string& path);

}  // namespace caffe
