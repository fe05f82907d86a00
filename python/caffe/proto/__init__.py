"""Python classes for proto/caffe.proto; caffe_pb2 is generated at build time."""
