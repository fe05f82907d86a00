"""Regenerates the fuzz seed corpus in fuzz/corpus/ from the repository's
examples and the upstream digits fixtures. Run it with the build's pycaffe
and tools (rarely needed: the corpus is committed):

    PYTHONPATH=build/python python3 fuzz/make_seed_corpus.py \
        /path/to/reference build/tools/caffe
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import caffe
from caffe.proto import caffe_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def out(target, name, data):
    os.makedirs(os.path.join(HERE, 'corpus', target), exist_ok=True)
    with open(os.path.join(HERE, 'corpus', target, name), 'wb') as f:
        f.write(data)


# Layer snippets on a 1x2x8x8 input, one small net each, so mutations start
# from every layer family the net builder knows.
SNIPPETS = {
    'conv': 'type: "Convolution" convolution_param { num_output: 2 kernel_size: 3 pad: 1 '
            'weight_filler { type: "gaussian" std: 0.1 } }',
    'deconv': 'type: "Deconvolution" convolution_param { num_output: 2 kernel_size: 2 stride: 2 '
              'weight_filler { type: "bilinear" } }',
    'pool': 'type: "Pooling" pooling_param { pool: MAX kernel_size: 2 stride: 2 }',
    'spp': 'type: "SPP" spp_param { pyramid_height: 2 }',
    'ip': 'type: "InnerProduct" inner_product_param { num_output: 3 weight_filler { type: "xavier" } }',
    'lrn': 'type: "LRN" lrn_param { local_size: 3 }',
    'bn': 'type: "BatchNorm"',
    'scale': 'type: "Scale" scale_param { bias_term: true }',
    'crop': 'type: "Crop" crop_param { axis: 2 offset: 1 }',
    'reshape': 'type: "Reshape" reshape_param { shape { dim: 0 dim: -1 } }',
    'flatten': 'type: "Flatten"',
    'slice': 'type: "Slice" slice_param { axis: 1 slice_point: 1 }',
    'softmax': 'type: "Softmax"',
    'power': 'type: "Power" power_param { power: 2 scale: 0.5 shift: 1 }',
    'tile': 'type: "Tile" tile_param { axis: 1 tiles: 2 }',
    'reduction': 'type: "Reduction" reduction_param { axis: 1 }',
    'mvn': 'type: "MVN"',
    'im2col': 'type: "Im2col" convolution_param { kernel_size: 2 }',
    'argmax': 'type: "ArgMax" argmax_param { top_k: 2 }',
}


def prototxt_seeds():
    for path in glob.glob(os.path.join(ROOT, 'examples', '**', '*.prototxt'), recursive=True):
        if 'solver' not in os.path.basename(path):
            with open(path, 'rb') as f:
                out('net_prototxt', os.path.basename(path), f.read())
    for name, body in SNIPPETS.items():
        tops = 'top: "y1" top: "y2"' if name == 'slice' else 'top: "y"'
        text = ('name: "%s"\nlayer { name: "in" type: "Input" top: "x" top: "label"\n'
                '  input_param { shape { dim: 1 dim: 2 dim: 8 dim: 8 } shape { dim: 1 } } }\n'
                'layer { name: "%s" bottom: "x" %s %s }\n' % (name, name, tops, body))
        out('net_prototxt', name + '.prototxt', text.encode())
    out('net_prototxt', 'loss.prototxt', b'''layer { name: "in" type: "Input" top: "x" top: "label"
  input_param { shape { dim: 2 dim: 5 } shape { dim: 2 } } }
layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param { num_output: 3 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "loss" loss_weight: 1 }
layer { name: "acc" type: "Accuracy" bottom: "y" bottom: "label" top: "acc" }
''')


def weights_seeds(caffe_tool):
    # The net must match fuzz/fuzz_weights.cpp's.
    with open(os.path.join(HERE, 'fuzz_weights.cpp')) as f:
        source = f.read()
    net = source.split('const char* kNet = R"(')[1].split(')";')[0]
    work = tempfile.mkdtemp()
    try:
        with open(os.path.join(work, 'solver.prototxt'), 'w') as f:
            f.write('net_param { %s }\ntype: "Adam" base_lr: 0.01 momentum: 0.9 lr_policy: "fixed"\n'
                    'max_iter: 1 display: 0 snapshot_prefix: "%s/seed"\n' % (net, work))
        subprocess.run([caffe_tool, 'train', '-solver', os.path.join(work, 'solver.prototxt')],
                       check=True, capture_output=True)
        with open(os.path.join(work, 'seed_iter_1.caffemodel'), 'rb') as f:
            model = f.read()
        with open(os.path.join(work, 'seed_iter_1.solverstate'), 'rb') as f:
            state = f.read()
    finally:
        shutil.rmtree(work)
    # The target's first byte chooses: even, a caffemodel; odd, a solverstate.
    out('weights', 'model.caffemodel', b'\x00' + model)
    parsed = caffe_pb2.NetParameter()
    parsed.ParseFromString(model)
    out('weights', 'model.prototxt', b'\x00' + str(parsed).encode())
    out('weights', 'state.solverstate', b'\x01' + state)


def record_seeds(reference):
    with caffe.db.open(os.path.join(reference, 'digits', 'train_lmdb')) as db:
        raw = [value for _, value in zip(range(2), db)]
    with caffe.db.open(os.path.join(reference, 'digits', 'train_png_lmdb')) as db:
        encoded = [value for _, value in zip(range(2), db)]
    out('records', 'raw.datum', raw[0][1])
    out('records', 'encoded_png.datum', encoded[0][1])
    datum = caffe_pb2.Datum()
    datum.ParseFromString(raw[1][1])
    floats = caffe_pb2.Datum(channels=1, height=2, width=3, float_data=[0.5] * 6, label=4)
    out('records', 'float.datum', floats.SerializeToString())
    anchor = caffe_pb2.Datum()
    anchor.ParseFromString(encoded[0][1])
    triplet = caffe_pb2.TripletDatum(channels=datum.channels, height=datum.height,
                                     width=datum.width, data_anchor=datum.data,
                                     data_pos=datum.data, data_neg=datum.data, label=[1.0, 2.0])
    out('records', 'raw.triplet', triplet.SerializeToString())
    encoded_triplet = caffe_pb2.TripletDatum(encoded=True, data_anchor=anchor.data,
                                             data_pos=anchor.data, data_neg=anchor.data)
    out('records', 'encoded.triplet', encoded_triplet.SerializeToString())


def lmdb_seeds():
    work = tempfile.mkdtemp()
    try:
        path = os.path.join(work, 'db')
        with caffe.db.open(path, 'lmdb', 'new') as db:
            with db.transaction() as txn:
                for i in range(12):
                    txn.put_datum(b'%08d' % i, np.full((1, 3, 4), i, np.uint8), label=i)
                txn.put(b'big', bytes(range(256)) * 24)  # an overflow page
        with open(os.path.join(path, 'data.mdb'), 'rb') as f:
            data = f.read()
        # Trailing free pages hold nothing the fuzzer needs.
        out('lmdb', 'small.mdb', data.rstrip(b'\0') + b'\0' * (-len(data.rstrip(b'\0')) % 4096))
    finally:
        shutil.rmtree(work)


if __name__ == '__main__':
    prototxt_seeds()
    weights_seeds(sys.argv[2])
    record_seeds(sys.argv[1])
    lmdb_seeds()
