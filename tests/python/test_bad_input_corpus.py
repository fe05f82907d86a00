"""The bad-input corpus (issue 11): hostile inputs through every tool and
pycaffe. Each case must be *clear*: a tool exits with status 1 and one error
message that names the culprit (file/line, layer, blob or DB); pycaffe raises
the expected caffe exception naming it. Anything else is classified as
'crash' (killed by a signal), 'hang' (timeout), 'silent' (exit 0 or no
exception) or 'unclear' (wrong status, type or message) and fails.

    python3 tests/python/test_bad_input_corpus.py   # prints the counts

(with build/python on PYTHONPATH and CAFFE_TOOL set, as run_python_tests.sh
does); docs/reliability.md quotes them.
"""
import collections
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import pytest

import caffe
from caffe.proto import caffe_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 60


def tools_dir():
    tool = os.environ.get('CAFFE_TOOL') or os.path.join(ROOT, 'build', 'tools', 'caffe')
    return os.path.dirname(os.path.abspath(tool))


# --------------------------------------------------------------- fixtures ---

def png(width, height, value=0):
    """A real grey 8-bit PNG."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b''.join(b'\0' + bytes([value]) * width for _ in range(height))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def png_bomb_header(side=30000):
    """The start of a PNG that would decode to side x side pixels."""
    ihdr = struct.pack('>IIBBBBB', side, side, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR' + ihdr +
            struct.pack('>I', zlib.crc32(b'IHDR' + ihdr) & 0xFFFFFFFF) + b'\0' * 64)


def datum(array, label=0):
    array = np.asarray(array, np.uint8)
    return caffe_pb2.Datum(channels=array.shape[0], height=array.shape[1], width=array.shape[2],
                           data=array.tobytes(), label=label).SerializeToString()


NET_INPUT = ('layer { name: "in" type: "Input" top: "x" top: "label"\n'
             '  input_param { shape { dim: 2 dim: 1 dim: 8 dim: 8 } shape { dim: 2 } } }\n')
NET_GOOD = NET_INPUT + (
    'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"\n'
    '  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }\n'
    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "loss" }\n')


def data_net(source, extra_transform=''):
    return ('layer { name: "data" type: "Data" top: "x" top: "label"\n'
            '  data_param { source: "%s" batch_size: 1 backend: LMDB } %s }\n'
            'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y"\n'
            '  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }\n'
            'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" bottom: "label" top: "l" }\n'
            % (source, extra_transform))


def solver(net='net.prototxt', extra=''):
    """A solver text; lines of `extra` replace the defaults of the same field."""
    defaults = ['net: "%s"' % net, 'base_lr: 0.01', 'lr_policy: "fixed"', 'max_iter: 2',
                'display: 0', 'snapshot_after_train: false']
    overridden = {line.split(':')[0].strip() for line in extra.splitlines() if ':' in line}
    kept = [line for line in defaults if line.split(':')[0] not in overridden]
    return '\n'.join(kept) + '\n' + extra


class Workspace:
    """One directory holding every file the cases refer to (by relative
    path; tools run inside it)."""

    def __init__(self, path):
        self.path = path
        for i in range(4):
            self.write('img/%d.png' % i, png(8, 8, 40 * i))
        self.write('img/big.png', png(16, 16))
        self.write('bomb.png', png_bomb_header())
        self.write('good.txt', 'img/0.png 0\nimg/1.png 1\nimg/2.png 2\n')
        self.write('triplets.txt', 'img/0.png img/1.png img/2.png 0 1\n')
        self.write('net.prototxt', NET_GOOD)
        self.write('solver.prototxt', solver(self.join('net.prototxt')))
        self.write('empty.caffemodel', b'')
        os.makedirs(self.join('adir'), exist_ok=True)
        self.write('random.caffemodel', bytes((i * 2654435761 >> 13) & 0xFF for i in range(4096)))
        self.write('model.h5', b'\x89HDF\r\n\x1a\n' + b'\0' * 200)
        net = caffe.Net(self.join('net.prototxt'), caffe.TEST)
        net.save(self.join('good.caffemodel'))
        model = open(self.join('good.caffemodel'), 'rb').read()
        self.write('truncated.caffemodel', model[:len(model) * 2 // 3])
        broken = caffe_pb2.NetParameter()
        broken.ParseFromString(model)
        for layer in broken.layer:
            if layer.name == 'ip':
                del layer.blobs[0].data[-1]
        self.write('short_blob.caffemodel', broken.SerializeToString())
        wrong = caffe_pb2.NetParameter()
        wrong.ParseFromString(model)
        for layer in wrong.layer:
            if layer.name == 'ip':
                layer.blobs[0].shape.dim[0] = 5
        self.write('wrong_shape.caffemodel', wrong.SerializeToString())
        # A snapshot, and a copy whose history does not fit the net.
        self.write('snap_solver.prototxt', solver(self.join('net.prototxt'),
                                                  'snapshot_prefix: "%s"\n' % self.join('snap')))
        sgd = caffe.SGDSolver(self.join('snap_solver.prototxt'))
        sgd.step(1)
        sgd.snapshot()
        state = caffe_pb2.SolverState()
        state.ParseFromString(open(self.join('snap_iter_1.solverstate'), 'rb').read())
        del state.history[0].data[-1]
        self.write('bad_history.solverstate', state.SerializeToString())
        self.write('garbage.solverstate', b'\x08\x01\x12\xff\xff\xff\x0f')
        # Databases.
        self.lmdb('db_good', [(b'%08d' % i, datum(np.full((1, 8, 8), i))) for i in range(5)])
        self.lmdb('db_not_datum', [(b'00000000', b'\xff\xfe garbage')])
        self.lmdb('db_bad_size', [(b'00000000', caffe_pb2.Datum(
            channels=1, height=8, width=8, data=b'\0' * 10).SerializeToString())])
        self.lmdb('db_mixed', [(b'0', datum(np.zeros((1, 8, 8)))), (b'1', datum(np.zeros((1, 4, 4))))])
        self.lmdb('db_bomb', [(b'0', caffe_pb2.Datum(encoded=True, data=png_bomb_header())
                              .SerializeToString())])
        self.lmdb('db_bad_png', [(b'0', caffe_pb2.Datum(encoded=True, data=b'\x89PNG garbage')
                                 .SerializeToString())])
        self.lmdb('db_empty', [])
        self.lmdb('db_late_garbage', [(b'%08d' % i, datum(np.full((1, 8, 8), i), i % 3))
                                      for i in range(6)] + [(b'99999999', b'\xff\xfe')])
        triplet = caffe_pb2.TripletDatum(channels=1, height=8, width=8, data_anchor=b'\1' * 64,
                                         data_pos=b'\2' * 64, data_neg=b'\3' * 64)
        self.lmdb('db_triplet_bad', [(b'0', triplet.SerializeToString()),
                                     (b'1', caffe_pb2.TripletDatum(
                                         channels=1, height=8, width=8, data_anchor=b'\1' * 3,
                                         data_pos=b'\2' * 64, data_neg=b'\3' * 64)
                                      .SerializeToString())])
        big = self.lmdb('db_truncated', [(b'%08d' % i, datum(np.full((3, 32, 32), i)))
                                         for i in range(50)])
        data = open(os.path.join(big, 'data.mdb'), 'rb').read()
        with open(os.path.join(big, 'data.mdb'), 'r+b') as f:
            f.truncate(len(data.rstrip(b'\0')) // 2)
        os.makedirs(self.join('db_garbage'), exist_ok=True)
        self.write('db_garbage/data.mdb', b'not an lmdb file at all' * 300)
        os.makedirs(self.join('db_no_data'), exist_ok=True)
        zero = self.lmdb('db_zero_page_size', [(b'0', datum(np.zeros((1, 2, 2))))])
        with open(os.path.join(zero, 'data.mdb'), 'r+b') as f:
            f.seek(40)
            f.write(b'\0\0\0\0')
        self.write('mean_wrong.binaryproto', caffe_pb2.BlobProto(
            num=1, channels=1, height=8, width=8, data=[0.0] * 10).SerializeToString())
        os.makedirs(self.join('existing_out'), exist_ok=True)
        os.makedirs(self.join('live.tmp-1'), exist_ok=True)  # pid 1 is always alive
        for cls in ('a',):
            os.makedirs(self.join('one_class/' + cls), exist_ok=True)
            for i in range(2):
                self.write('one_class/%s/%d.png' % (cls, i), png(4, 4))

    def join(self, name):
        return os.path.join(self.path, name)

    def write(self, name, content):
        path = self.join(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
            f.write(content)
        return path

    def lmdb(self, name, records):
        path = self.join(name)
        with caffe.db.open(path, 'lmdb', 'new') as db:
            with db.transaction() as txn:
                for key, value in records:
                    txn.put(key, value)
        return path


# ------------------------------------------------------------------ cases ---

Case = collections.namedtuple('Case', 'name tool args files needles exception')


def tool(name, program, args, needles, files=None):
    return Case(name, program, args, files or {}, needles, None)


def python(name, function, exception, needles):
    return Case(name, None, function, {}, needles, exception)


def net_case(name, text, needles):
    """One bad net through `caffe time`, `caffe test` and pycaffe."""
    return [tool(name + '/time', 'caffe', ['time', '-model', name + '.prototxt', '-iterations', '1'],
                 needles, {name + '.prototxt': text}),
            tool(name + '/test', 'caffe', ['test', '-model', name + '.prototxt',
                                           '-weights', 'good.caffemodel', '-iterations', '1'],
                 needles, {name + '.prototxt': text}),
            python(name + '/pycaffe', lambda ws, t=text, n=name: caffe.Net(
                ws.write(n + '.prototxt', t), caffe.TRAIN), caffe.CaffeError, needles)]


def solver_case(name, extra, needles, net=NET_GOOD):
    return [tool(name + '/train', 'caffe', ['train', '-solver', name + '.prototxt'], needles,
                 {name + '.prototxt': solver(name + '_net.prototxt', extra),
                  name + '_net.prototxt': net}),
            # get_solver builds the file's solver type, as `caffe train` does
            # (caffe.SGDSolver would build SGD whatever the file says, as upstream's).
            python(name + '/pycaffe', lambda ws, e=extra, n=name, t=net: caffe.get_solver(
                ws.write(n + '.prototxt', solver(ws.write(n + '_net.prototxt', t), e))),
                caffe.ConfigError, needles)]


def layer(text):
    return NET_INPUT + text


def build_cases():
    cases = []
    # convert_imageset: list files.
    for i, label in enumerate(['abc', '1.5', '99999999999999', '-99999999999', '0x10', '1e3',
                               'nan', '+-1', '']):
        cases.append(tool('convert_imageset/label_%d' % i, 'convert_imageset',
                          ['./', 'list%d.txt' % i, 'out'], ['list%d.txt:2' % i],
                          {'list%d.txt' % i: 'img/0.png 0\nimg/1.png %s\n' % label}))
    cases += [
        tool('convert_imageset/missing_list', 'convert_imageset', ['./', 'nope.txt', 'out'],
             ['nope.txt']),
        tool('convert_imageset/list_is_directory', 'convert_imageset', ['./', 'adir', 'out'],
             ['adir']),
        tool('convert_imageset/empty_list', 'convert_imageset', ['./', 'e.txt', 'out'],
             ['e.txt', 'nothing to convert'], {'e.txt': ''}),
        tool('convert_imageset/blank_list', 'convert_imageset', ['./', 'b.txt', 'out'],
             ['b.txt'], {'b.txt': '\n  \n\n'}),
        tool('convert_imageset/all_unreadable', 'convert_imageset', ['./', 'u.txt', 'out'],
             ['u.txt', 'none of the 2 images'], {'u.txt': 'no/1.png 1\nno/2.png 2\n'}),
        tool('convert_imageset/no_label', 'convert_imageset', ['./', 'n.txt', 'out'],
             ['n.txt:1'], {'n.txt': 'img/0.png\n'}),
        tool('convert_imageset/negative_height', 'convert_imageset',
             ['-resize_height=-4', '-resize_width=8', './', 'good.txt', 'out'], ['-4']),
        tool('convert_imageset/negative_width', 'convert_imageset',
             ['-resize_height=8', '-resize_width=-3', './', 'good.txt', 'out'], ['-3']),
        tool('convert_imageset/bomb', 'convert_imageset', ['./', 'bomb.txt', 'out'],
             ['bomb.png', '30000 x 30000'], {'bomb.txt': 'img/0.png 0\nbomb.png 1\n'}),
        tool('convert_imageset/bomb_encoded', 'convert_imageset',
             ['-encoded', './', 'bomb.txt', 'out'], ['bomb.png', '30000 x 30000'],
             {'bomb.txt': 'bomb.png 1\n'}),
        tool('convert_imageset/huge_resize', 'convert_imageset',
             ['-resize_height=100000', '-resize_width=100000', './', 'good.txt', 'out'],
             ['100000 x 100000']),
        tool('convert_imageset/pixel_limit', 'convert_imageset',
             ['-max_image_pixels=63', './', 'good.txt', 'out'], ['img/0.png', '8 x 8']),
        tool('convert_imageset/pixel_limit_zero', 'convert_imageset',
             ['-max_image_pixels=0', './', 'good.txt', 'out'], ['pixel limit']),
        tool('convert_imageset/unknown_backend', 'convert_imageset',
             ['-backend=sqlite', './', 'good.txt', 'out'], ['sqlite']),
        tool('convert_imageset/output_exists', 'convert_imageset',
             ['./', 'good.txt', 'existing_out'], ['existing_out', '-overwrite']),
        tool('convert_imageset/live_temporary', 'convert_imageset', ['./', 'good.txt', 'live'],
             ['live.tmp-1', 'process 1']),
        tool('convert_imageset/check_size', 'convert_imageset',
             ['-check_size', './', 'sizes.txt', 'out'], ['img/big.png', 'check_size'],
             {'sizes.txt': 'img/0.png 0\nimg/big.png 1\n'}),
        tool('convert_imageset/resume_shuffle', 'convert_imageset',
             ['-resume', '-shuffle', './', 'good.txt', 'out'], ['-resume', '-shuffle']),
        tool('convert_imageset/too_few_arguments', 'convert_imageset', ['./', 'good.txt'],
             ['convert_imageset']),
    ]
    # convert_triplet_db.
    for i, label in enumerate(['nan', 'inf', '-inf', 'x', '1e999', '0x']):
        cases.append(tool('convert_triplet_db/label_%d' % i, 'convert_triplet_db',
                          ['./', 't%d.txt' % i, 'out'], ['t%d.txt:1' % i],
                          {'t%d.txt' % i: 'img/0.png img/1.png img/2.png 1 %s\n' % label}))
    cases += [
        tool('convert_triplet_db/two_paths', 'convert_triplet_db', ['./', 't.txt', 'out'],
             ['t.txt:1'], {'t.txt': 'img/0.png img/1.png\n'}),
        tool('convert_triplet_db/empty_list', 'convert_triplet_db', ['./', 'e.txt', 'out'],
             ['no triplets'], {'e.txt': ''}),
        tool('convert_triplet_db/missing_list', 'convert_triplet_db', ['./', 'nope.txt', 'out'],
             ['nope.txt']),
        tool('convert_triplet_db/missing_image', 'convert_triplet_db', ['./', 'm.txt', 'out'],
             ['m.txt:1', 'img/9.png'], {'m.txt': 'img/0.png img/9.png img/2.png\n'}),
        tool('convert_triplet_db/all_skipped', 'convert_triplet_db',
             ['-skip_missing', './', 'm.txt', 'out'], ['none of the 1 triplets', 'out'],
             {'m.txt': 'img/0.png img/9.png img/2.png\n'}),
        tool('convert_triplet_db/size_mismatch', 'convert_triplet_db', ['./', 's.txt', 'out'],
             ['s.txt:1', 'img/big.png'], {'s.txt': 'img/0.png img/big.png img/2.png\n'}),
        tool('convert_triplet_db/negative_resize', 'convert_triplet_db',
             ['-resize_height=-1', '-resize_width=4', './', 'triplets.txt', 'out'],
             ['resize_height']),
        tool('convert_triplet_db/bomb', 'convert_triplet_db', ['./', 'b.txt', 'out'],
             ['bomb.png', '30000 x 30000'], {'b.txt': 'img/0.png bomb.png img/2.png\n'}),
        tool('convert_triplet_db/exists', 'convert_triplet_db', ['./', 'triplets.txt',
                                                                 'existing_out'],
             ['existing_out', '-overwrite']),
        tool('convert_triplet_db/live_temporary', 'convert_triplet_db',
             ['./', 'triplets.txt', 'live'], ['live.tmp-1', 'process 1']),
        tool('convert_triplet_db/unknown_backend', 'convert_triplet_db',
             ['-backend=bdb', './', 'triplets.txt', 'out'], ['bdb']),
        tool('convert_triplet_db/folders_one_class', 'convert_triplet_db',
             ['-folders', 'one_class', 'out'], ['one_class', 'two class folders']),
        tool('convert_triplet_db/folders_missing', 'convert_triplet_db',
             ['-folders', 'no_such_root', 'out'], ['no_such_root']),
        tool('convert_triplet_db/triplets_per_anchor_huge', 'convert_triplet_db',
             ['-folders', '-triplets_per_anchor=2000000000', 'two_classes', 'out'],
             ['2000000000 triplets per anchor'],
             {'two_classes/a/1.png': png(4, 4), 'two_classes/a/2.png': png(4, 4),
              'two_classes/b/1.png': png(4, 4), 'two_classes/b/2.png': png(4, 4)}),
        tool('convert_triplet_db/triplets_per_anchor_zero', 'convert_triplet_db',
             ['-folders', '-triplets_per_anchor=0', 'one_class', 'out'], ['triplets_per_anchor']),
        tool('convert_triplet_db/pixel_limit', 'convert_triplet_db',
             ['-max_image_pixels=10', './', 'triplets.txt', 'out'], ['img/0.png', '8 x 8']),
    ]
    # compute_image_mean.
    for name, needles in [
            ('db_missing', ['db_missing', 'does not exist']),
            ('good.txt', ['good.txt', 'not a directory']),
            ('db_no_data', ['db_no_data', 'data.mdb']),
            ('db_truncated', ['db_truncated', 'damaged', 'meta page']),
            ('db_garbage', ['db_garbage', 'meta page']),
            ('db_zero_page_size', ['db_zero_page_size', 'page size']),
            ('db_empty', ['db_empty', 'no records']),
            ('db_not_datum', ['db_not_datum', "'00000000'"]),
            ('db_bad_size', ['db_bad_size', "'00000000'", '10 bytes']),
            ('db_mixed', ['db_mixed', "'1'", '1x4x4']),
            ('db_bomb', ['db_bomb', "'0'", '30000 x 30000']),
            ('db_bad_png', ['db_bad_png', "'0'", 'decode']),
            ('db_triplet_bad', ['db_triplet_bad', "'1'", '3 bytes'])]:
        cases.append(tool('compute_image_mean/' + name, 'compute_image_mean', [name, 'mean.bp'],
                          needles))
    cases += [
        tool('compute_image_mean/leveldb_garbage', 'compute_image_mean',
             ['-backend=leveldb', 'db_garbage', 'mean.bp'], ['db_garbage']),
        tool('compute_image_mean/unknown_backend', 'compute_image_mean',
             ['-backend=xyz', 'db_good', 'mean.bp'], ['xyz']),
        tool('compute_image_mean/output_directory', 'compute_image_mean', ['db_good', 'adir'],
             ['adir']),
    ]
    # caffe: nets.
    cases += net_case('zero_channel', layer('').replace('dim: 1 dim: 8', 'dim: 0 dim: 8'),
                      ["'in'", 'dimension 1 = 0'])
    cases += net_case('sparse', layer(
        'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param {'
        ' num_output: 3 weight_filler { type: "gaussian" sparse: 100 } } }'), ["'ip'", 'sparse 100'])
    cases += net_case('spp_height', layer(
        'layer { name: "spp" type: "SPP" bottom: "x" top: "y" spp_param { pyramid_height: 40 } }'),
        ["'spp'", 'pyramid_height'])
    cases += net_case('spp_bins', layer(
        'layer { name: "spp" type: "SPP" bottom: "x" top: "y" spp_param { pyramid_height: 5 } }'),
        ["'spp'", '16 bins'])
    cases += net_case('nan_scale', layer(
        'layer { name: "p" type: "Power" bottom: "x" top: "y" power_param { scale: nan } }'),
        ["'p'", 'power_param.scale'])
    cases += net_case('inf_loss_weight', layer(
        'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param '
        '{ num_output: 3 } }\nlayer { name: "loss" type: "SoftmaxWithLoss" bottom: "y" '
        'bottom: "label" top: "l" loss_weight: inf }'), ["'loss'", 'loss_weight'])
    cases += net_case('nan_filler', layer(
        'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param '
        '{ num_output: 3 weight_filler { type: "gaussian" std: nan } } }'),
        ["'ip'", 'weight_filler.std'])
    cases += net_case('unknown_type', layer(
        'layer { name: "odd" type: "Frobnicate" bottom: "x" top: "y" }'), ["'odd'", 'Frobnicate'])
    cases += net_case('syntax', layer('layer { name: "ip" type: "InnerProduct" bottom: "x" '),
                      ['syntax.prototxt:'])
    cases += net_case('unknown_field', layer('layer { name: "ip" typo: 1 }'),
                      ['unknown_field.prototxt:3'])
    cases += net_case('missing_bottom', layer(
        'layer { name: "ip" type: "InnerProduct" bottom: "nothing" top: "y" '
        'inner_product_param { num_output: 1 } }'), ["'nothing'", "'ip'"])
    cases += net_case('conv_kernel_too_big', layer(
        'layer { name: "conv" type: "Convolution" bottom: "x" top: "y" convolution_param '
        '{ num_output: 2 kernel_size: 20 } }'), ["'conv'"])
    cases += net_case('bilinear_not_square', layer(
        'layer { name: "up" type: "Deconvolution" bottom: "x" top: "y" convolution_param '
        '{ num_output: 1 kernel_h: 2 kernel_w: 4 stride: 2 weight_filler { type: "bilinear" } } }'),
        ["'up'", 'bilinear'])
    cases += net_case('uniform_min_max', layer(
        'layer { name: "ip" type: "InnerProduct" bottom: "x" top: "y" inner_product_param '
        '{ num_output: 3 weight_filler { type: "uniform" min: 2 max: 1 } } }'),
        ["'ip'", 'min <= max'])
    cases += net_case('data_truncated_lmdb', data_net('db_truncated'), ['db_truncated'])
    cases += net_case('data_missing_lmdb', data_net('db_nowhere'), ['db_nowhere'])
    cases += net_case('mean_file_wrong', data_net('db_good', 'transform_param { mean_file: '
                                                  '"mean_wrong.binaryproto" }'),
                      ['mean_wrong.binaryproto', 'stored blob has 10'])
    cases += net_case('huge_input', layer('').replace(
        'dim: 2 dim: 1 dim: 8 dim: 8', 'dim: 100000 dim: 100000 dim: 8 dim: 8'), ["'in'"])
    # caffe: weights.
    for name, needles in [('empty.caffemodel', ['empty.caffemodel', 'empty']),
                          ('adir', ['adir', 'directory']),
                          ('random.caffemodel', ['random.caffemodel', 'stopped at byte']),
                          ('model.h5', ['model.h5', 'HDF5']),
                          ('truncated.caffemodel', ['truncated.caffemodel', "'ip'"]),
                          ('net.prototxt', ['net.prototxt', 'no weights']),
                          ('short_blob.caffemodel', ['short_blob.caffemodel', "'ip'",
                                                     'stored blob has']),
                          ('wrong_shape.caffemodel', ['wrong_shape.caffemodel', "'ip'"]),
                          ('missing.caffemodel', ['missing.caffemodel'])]:
        cases.append(tool('weights/train/' + name, 'caffe',
                          ['train', '-solver', 'solver.prototxt', '-weights', name], needles))
        cases.append(tool('weights/test/' + name, 'caffe',
                          ['test', '-model', 'net.prototxt', '-weights', name, '-iterations', '1'],
                          needles))
        cases.append(python('weights/pycaffe/' + name, lambda ws, n=name: caffe.Net(
            ws.join('net.prototxt'), caffe.TEST, weights=ws.join(n)), caffe.CaffeError, needles))
    # caffe: snapshots.
    for name, needles in [('bad_history.solverstate', ['bad_history.solverstate',
                                                       'history blob 0', "'ip'"]),
                          ('garbage.solverstate', ['garbage.solverstate', 'SolverState']),
                          ('empty.caffemodel', ['empty.caffemodel', 'empty']),
                          ('missing.solverstate', ['missing.solverstate'])]:
        cases.append(tool('snapshot/' + name, 'caffe',
                          ['train', '-solver', 'snap_solver.prototxt', '-snapshot', name], needles))
        cases.append(python('snapshot/pycaffe/' + name, lambda ws, n=name: caffe.SGDSolver(
            ws.join('snap_solver.prototxt')).restore(ws.join(n)), caffe.CaffeError, needles))
    # caffe: solvers.
    cases += solver_case('negative_max_iter', 'max_iter: -3\n', ['max_iter', '-3'])
    cases += solver_case('unsorted_steps', 'lr_policy: "multistep"\nstepvalue: 10\nstepvalue: 5\n',
                         ['stepvalue[1] = 5'])
    cases += solver_case('adam_beta2', 'type: "Adam"\nmomentum: 0.9\nmomentum2: 1\n',
                         ['momentum2'])
    cases += solver_case('nan_lr', 'base_lr: nan\n', ['base_lr', 'nan'])
    cases += solver_case('inf_momentum', 'momentum: inf\n', ['momentum', 'inf'])
    cases += solver_case('poly_zero', 'lr_policy: "poly"\npower: 1\nmax_iter: 0\n', ['poly'])
    cases += solver_case('multistep_none', 'lr_policy: "multistep"\n', ['multistep'])
    cases += solver_case('negative_test_interval', 'test_interval: -1\n', ['test_interval'])
    cases += solver_case('zero_test_iter', 'test_iter: 0\ntest_interval: 1\n', ['test_iter[0]'])
    cases += solver_case('delta_zero', 'type: "AdaGrad"\ndelta: 0\n', ['delta'])
    cases += [
        tool('train/no_solver', 'caffe', ['train'], ['-solver']),
        tool('train/missing_solver', 'caffe', ['train', '-solver', 'nope.prototxt'],
             ['nope.prototxt']),
        tool('train/solver_syntax', 'caffe', ['train', '-solver', 's.prototxt'],
             ['s.prototxt:2'], {'s.prototxt': 'net: "net.prototxt"\nbase_lr: {\n'}),
        tool('train/unknown_solver_type', 'caffe', ['train', '-solver', 's.prototxt'],
             ['Momentumless'], {'s.prototxt': solver(extra='type: "Momentumless"\n')}),
        tool('train/unknown_lr_policy', 'caffe', ['train', '-solver', 's.prototxt'],
             ['zigzag'], {'s.prototxt': solver(extra='lr_policy: "zigzag"\n')}),
        tool('train/snapshot_and_weights', 'caffe', ['train', '-solver', 'solver.prototxt',
                                                     '-snapshot', 'a', '-weights', 'b'],
             ['-snapshot', '-weights']),
        tool('train/gpu', 'caffe', ['train', '-solver', 'solver.prototxt', '-gpu', '0'], ['-gpu']),
        tool('train/bad_sigint_effect', 'caffe', ['train', '-solver', 'solver.prototxt',
                                                  '-sigint_effect', 'explode'], ['explode']),
        tool('train/pixel_limit_negative', 'caffe', ['train', '-solver', 'solver.prototxt',
                                                     '-max_image_pixels=-1'], ['pixel limit']),
        tool('test/no_weights', 'caffe', ['test', '-model', 'net.prototxt'], ['-weights']),
        tool('test/no_model', 'caffe', ['test', '-weights', 'good.caffemodel'], ['-model']),
        tool('time/bad_phase', 'caffe', ['time', '-model', 'net.prototxt', '-phase', 'DEPLOY'],
             ['DEPLOY']),
        tool('augment_preview/no_model', 'caffe', ['augment_preview'], ['-model']),
        tool('augment_preview/no_layer', 'caffe', ['augment_preview', '-model', 'net.prototxt'],
             ['net.prototxt', 'augmentation_param']),
    ]
    # extract_features.
    ef = ['good.caffemodel', 'net.prototxt']
    cases += [
        tool('extract_features/too_few', 'extract_features', ef, ['Usage']),
        tool('extract_features/batches_word', 'extract_features', ef + ['y', 'f', 'ten', 'lmdb'],
             ['ten']),
        tool('extract_features/batches_zero', 'extract_features', ef + ['y', 'f', '0', 'lmdb'],
             ['num_mini_batches']),
        tool('extract_features/no_blob', 'extract_features', ef + ['nope', 'f', '1', 'lmdb'],
             ["'nope'"]),
        tool('extract_features/count_mismatch', 'extract_features', ef + ['y', 'f,g', '1', 'lmdb'],
             ['1 blob names but 2']),
        tool('extract_features/exists', 'extract_features', ef + ['y', 'existing_out', '1', 'lmdb'],
             ['existing_out']),
        tool('extract_features/twice', 'extract_features', ef + ['y,x', 'f,f', '1', 'lmdb'],
             ['named twice']),
        tool('extract_features/gpu', 'extract_features', ef + ['y', 'f', '1', 'lmdb', 'GPU'],
             ['GPU']),
        tool('extract_features/empty_weights', 'extract_features',
             ['empty.caffemodel', 'net.prototxt', 'y', 'f', '1', 'lmdb'], ['empty.caffemodel']),
        tool('extract_features/backend', 'extract_features', ef + ['y', 'f', '1', 'redis'],
             ['redis']),
    ]
    # pycaffe: everything else.
    def iterate(path):
        return lambda ws: list(caffe.db.open(ws.join(path)))
    cases += [
        python('db/truncated', iterate('db_truncated'), caffe.DataError, ['db_truncated']),
        python('db/garbage', iterate('db_garbage'), caffe.DataError, ['db_garbage']),
        python('db/zero_page_size', iterate('db_zero_page_size'), caffe.DataError, ['page size']),
        python('db/no_data', iterate('db_no_data'), caffe.IOError, ['db_no_data']),
        python('db/missing', iterate('db_missing'), caffe.IOError, ['db_missing']),
        python('convert/label', lambda ws: caffe.convert_imageset(
            ws.path + '/', ws.write('l.txt', 'img/0.png x\n'), ws.join('out')),
            caffe.ParseError, ['l.txt:1']),
        python('convert/empty', lambda ws: caffe.convert_imageset(
            ws.path + '/', ws.write('l.txt', ''), ws.join('out')), caffe.DataError, ['l.txt']),
        python('convert/bomb', lambda ws: caffe.convert_imageset(
            ws.path + '/', ws.write('l.txt', 'bomb.png 1\n'), ws.join('out')),
            caffe.DataError, ['bomb.png']),
        python('convert/negative_resize', lambda ws: caffe.convert_imageset(
            ws.path + '/', ws.join('good.txt'), ws.join('out'), resize_height=-1,
            resize_width=2), caffe.ConfigError, ['-1']),
        python('convert_triplet/nan', lambda ws: caffe.convert_triplet_db(
            ws.path + '/', ws.write('t.txt', 'img/0.png img/1.png img/2.png nan\n'),
            ws.join('out')), caffe.ParseError, ['t.txt:1']),
        python('convert_triplet/exists', lambda ws: caffe.convert_triplet_db(
            ws.path + '/', ws.join('triplets.txt'), ws.join('existing_out')),
            caffe.IOError, ['existing_out']),
        python('pixels/zero', lambda ws: caffe.set_max_image_pixels(0), caffe.ConfigError,
               ['pixel limit']),
        python('blob/negative', lambda ws: caffe.Blob(2, -1), caffe.ShapeError, ['-1']),
        python('net/empty_batch_loss', empty_batch_forward, caffe.ShapeError, ["'loss'", 'empty']),
        python('net/missing_file', lambda ws: caffe.Net(ws.join('nonet.prototxt'), caffe.TEST),
               caffe.IOError, ['nonet.prototxt']),
        python('solver/missing_file', lambda ws: caffe.SGDSolver(ws.join('nosolver.prototxt')),
               caffe.IOError, ['nosolver.prototxt']),
        python('net/copy_from_random', lambda ws: caffe.Net(
            ws.join('net.prototxt'), caffe.TEST).copy_from(ws.join('random.caffemodel')),
            caffe.ParseError, ['random.caffemodel']),
    ]
    return cases


def empty_batch_forward(ws):
    net = caffe.Net(ws.join('net.prototxt'), caffe.TRAIN)
    net.blobs['x'].reshape(0, 1, 8, 8)
    net.blobs['label'].reshape(0)
    net.forward()


CASES = build_cases()


# ---------------------------------------------------------------- running ---

def run_case(case, workspace):
    """(verdict, detail): verdict is clear, crash, hang, silent or unclear."""
    for name, content in case.files.items():
        workspace.write(name, content)
    if case.tool is None:
        cwd = os.getcwd()
        try:
            os.chdir(workspace.path)  # relative paths inside nets, as the tools see them
            case.args(workspace)
        except case.exception as error:
            message = str(error)
            missing = [n for n in case.needles if n not in message]
            return ('unclear', 'message lacks %s: %s' % (missing, message)) if missing \
                else ('clear', message)
        except Exception as error:  # noqa: BLE001 - classifying is the point
            return 'unclear', 'raised %s: %s' % (type(error).__name__, error)
        finally:
            os.chdir(cwd)
        return 'silent', 'no exception'
    env = dict(os.environ)
    env.pop('GLOG_minloglevel', None)
    env['GLOG_minloglevel'] = '2'
    try:
        run = subprocess.run([os.path.join(tools_dir(), case.tool)] + case.args,
                             cwd=workspace.path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 'hang', 'no answer in %d s' % TIMEOUT
    output = run.stderr + run.stdout
    if run.returncode < 0:
        return 'crash', 'killed by signal %d: %s' % (-run.returncode, output[-2000:])
    if run.returncode == 0:
        return 'silent', 'exit 0: ' + output[-2000:]
    missing = [n for n in case.needles if n not in output]
    if run.returncode != 1 or missing:
        return 'unclear', 'exit %d, message lacks %s: %s' % (run.returncode, missing,
                                                               output[-2000:])
    return 'clear', output


@pytest.fixture(scope='module')
def workspace():
    path = tempfile.mkdtemp(prefix='caffe_bad_input_')
    try:
        yield Workspace(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_corpus_has_at_least_150_cases():
    assert len(CASES) >= 150
    assert len({case.name for case in CASES}) == len(CASES)
    tools = {case.tool for case in CASES}
    assert tools >= {None, 'caffe', 'convert_imageset', 'convert_triplet_db',
                     'compute_image_mean', 'extract_features'}


@pytest.mark.parametrize('case', CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly(case, workspace):
    verdict, detail = run_case(case, workspace)
    assert verdict == 'clear', detail
    # Nothing was left under an output name by a refused run.
    assert not os.path.exists(workspace.join('out'))


def main():
    os.environ.setdefault('GLOG_minloglevel', '2')
    path = tempfile.mkdtemp(prefix='caffe_bad_input_')
    try:
        ws = Workspace(path)
        counts = collections.Counter()
        for case in CASES:
            verdict, detail = run_case(case, ws)
            counts[verdict] += 1
            if verdict != 'clear':
                print('%-45s %s: %s' % (case.name, verdict, detail.splitlines()[0] if detail
                                        else ''))
            if os.path.exists(ws.join('out')):
                shutil.rmtree(ws.join('out'))
    finally:
        shutil.rmtree(path, ignore_errors=True)
    print('cases: %d, clear: %d, crash: %d, hang: %d, silently accepted: %d, unclear: %d' % (
        len(CASES), counts['clear'], counts['crash'], counts['hang'], counts['silent'],
        counts['unclear']))
    return 0 if counts['clear'] == len(CASES) else 1


if __name__ == '__main__':
    sys.exit(main())
