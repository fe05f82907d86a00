#!/usr/bin/env bash
# Checks that the generated caffe_pb2.py loads and round-trips messages with
# several protobuf runtimes (upb and pure-Python backends), each in a
# throwaway virtualenv under build/protobuf-check. Needs a built pycaffe
# (build/python/caffe/proto/caffe_pb2.py) and PyPI. Run by hand:
#
#   bash scripts/check_protobuf_versions.sh [VERSION ...]   # default: 4.25.9 5.29.6 6.33.6
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proto_dir="$root/build/python/caffe/proto"
[ -f "$proto_dir/caffe_pb2.py" ] || { echo "build pycaffe first (no $proto_dir/caffe_pb2.py)" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(4.25.9 5.29.6 6.33.6)
python="$(command -v "${PYTHON:-python3}")"
status=0
for version in "${versions[@]}"; do
  venv="$root/build/protobuf-check/$version"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q "protobuf==$version"
  for backend in upb python; do
    if PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=$backend PYTHONPATH="$proto_dir" \
        "$venv/bin/python" - <<'PY'
import caffe_pb2
from google.protobuf import text_format
net = text_format.Parse('name: "n" layer { name: "ip" type: "InnerProduct" '
                        'inner_product_param { num_output: 3 } }', caffe_pb2.NetParameter())
again = caffe_pb2.NetParameter.FromString(net.SerializeToString())
assert again.layer[0].inner_product_param.num_output == 3
assert caffe_pb2.SolverParameter().base_lr == 0 and caffe_pb2.TRAIN == 0
assert caffe_pb2.BlobShape.DESCRIPTOR.fields_by_name['dim'].GetOptions().packed
PY
    then
      echo "protobuf $version ($backend): ok"
    else
      echo "protobuf $version ($backend): FAILED"
      status=1
    fi
  done
done
exit $status
