"""Child nets: the built-in ones (generated with NetSpec, sized to the input)
and the user's own train/val prototxt, and how a candidate policy and the
search's databases are put into them.

A net template is a NetParameter with TRAIN-phase data layers (Data or
TripletData) that read the training set and TEST-phase ones that read the
validation set. For each child training the TRAIN layers get the policy as
`augmentation_param` (with the child's seed), and sources and batch sizes
are set; the rest of the net is the user's, unchanged.

Built-in nets (scale 1/256 on the input; classification when the database
holds Datum records, an embedding tower with TripletLoss when it holds
TripletDatum records):
  basic           conv 3x3 (16, 32, 64, ...) + ReLU + 2x2 max pool stages,
                  as many as halve the input to about 6..12 pixels; then
                  inner product 128, ReLU, dropout 0.25, and the head.
  wrn_<d>_<k>     a pre-activation wide ResNet of depth d (d = 6n + 4) and
                  width k: three groups of n blocks (16k, 32k, 64k filters,
                  strides 1, 2, 2), BatchNorm + Scale, global average pool.
Heads: classification ends in InnerProduct(classes), SoftmaxWithLoss and
Accuracy (top "accuracy", in both phases); triplets in InnerProduct(32),
TripletLoss (normalize, margin 0.2) and TripletAccuracy (top "accuracy").
"""
import copy
import math
import os
import re

from google.protobuf import text_format

from ..errors import ConfigError, IOError as CaffeIOError, ParseError
from ..net_spec import NetSpec, layers as L, params as P
from ..proto import caffe_pb2

DATA_TYPES = ('Data', 'TripletData')
TRAIN, TEST = caffe_pb2.TRAIN, caffe_pb2.TEST
SCALE = 0.00390625
EMBEDDING_SIZE = 32


def _conv(bottom, num_output, kernel=3, stride=1, pad=1, bias=True):
    return L.Convolution(bottom, num_output=num_output, kernel_size=kernel, stride=stride,
                         pad=pad, bias_term=bias, weight_filler=dict(type='msra'),
                         bias_filler=dict(type='constant'))


def _basic_trunk(n, bottom, height, width):
    stages = max(1, int(math.floor(math.log2(max(1, min(height, width)) / 6.0))))
    top = bottom
    for stage in range(stages):
        conv = _conv(top, 16 * 2 ** stage)
        setattr(n, 'conv%d' % (stage + 1), conv)
        relu = L.ReLU(conv, in_place=True)
        setattr(n, 'relu%d' % (stage + 1), relu)
        pool = L.Pooling(relu, pool=P.Pooling.MAX, kernel_size=2, stride=2)
        setattr(n, 'pool%d' % (stage + 1), pool)
        top = pool
    n.fc1 = L.InnerProduct(top, num_output=128, weight_filler=dict(type='msra'),
                           bias_filler=dict(type='constant'))
    n.fc1_relu = L.ReLU(n.fc1, in_place=True)
    n.fc1_drop = L.Dropout(n.fc1_relu, dropout_ratio=0.25, in_place=True)
    return n.fc1_drop


def _bn_relu(n, name, bottom):
    setattr(n, name + '_bn', L.BatchNorm(bottom))
    setattr(n, name + '_scale', L.Scale(getattr(n, name + '_bn'), bias_term=True,
                                        in_place=True))
    setattr(n, name + '_relu', L.ReLU(getattr(n, name + '_scale'), in_place=True))
    return getattr(n, name + '_relu')


def _wrn_trunk(n, bottom, depth, widen):
    if depth < 10 or (depth - 4) % 6:
        raise ConfigError('wrn_<depth>_<width> needs depth = 6n + 4 >= 10 (10, 16, 22, 28, '
                          '40, ...), got %d' % depth)
    if widen < 1:
        raise ConfigError('wrn_<depth>_<width> needs width >= 1, got %d' % widen)
    blocks = (depth - 4) // 6
    n.conv0 = _conv(bottom, 16)
    top, channels = n.conv0, 16
    for group, (width, stride) in enumerate(((16 * widen, 1), (32 * widen, 2),
                                             (64 * widen, 2))):
        for block in range(blocks):
            name = 'g%db%d' % (group + 1, block + 1)
            block_stride = stride if block == 0 else 1
            pre = _bn_relu(n, name + '_a', top)
            conv_a = _conv(pre, width, stride=block_stride)
            setattr(n, name + '_conv_a', conv_a)
            mid = _bn_relu(n, name + '_b', conv_a)
            conv_b = _conv(mid, width)
            setattr(n, name + '_conv_b', conv_b)
            if channels != width or block_stride != 1:
                shortcut = _conv(pre, width, kernel=1, stride=block_stride, pad=0, bias=False)
                setattr(n, name + '_shortcut', shortcut)
            else:
                shortcut = top
            top = L.Eltwise(conv_b, shortcut)
            setattr(n, name + '_sum', top)
            channels = width
    final = _bn_relu(n, 'final', top)
    n.global_pool = L.Pooling(final, pool=P.Pooling.AVE, global_pooling=True)
    return n.global_pool


def builtin_net(name, info):
    """The NetParameter template of built-in net `name` ('basic' or
    'wrn_<depth>_<width>') for the data described by `info` (a DBInfo)."""
    n = NetSpec()
    triplet = info.kind == 'triplet'
    if triplet:
        n.data = L.TripletData(triplet_data_param=dict(batch_size=1, layout=0, num_threads=1),
                               transform_param=dict(scale=SCALE), include=dict(phase=TRAIN))
    else:
        n.data, n.label = L.Data(data_param=dict(batch_size=1, backend=P.Data.LMDB),
                                 transform_param=dict(scale=SCALE), ntop=2,
                                 include=dict(phase=TRAIN))
    match = re.fullmatch(r'wrn_(\d+)_(\d+)', name)
    if name == 'basic':
        features = _basic_trunk(n, n.data, info.height, info.width)
    elif match:
        features = _wrn_trunk(n, n.data, int(match.group(1)), int(match.group(2)))
    else:
        raise ConfigError("unknown child net %r: use 'basic', 'wrn_<depth>_<width>' (e.g. "
                          "wrn_16_2) or the path of a train/val prototxt" % name)
    filler = dict(type='msra')
    if triplet:
        n.embedding = L.InnerProduct(features, num_output=EMBEDDING_SIZE, weight_filler=filler)
        triplet_param = dict(margin=0.2, normalize=True)
        n.loss = L.TripletLoss(n.embedding, triplet_loss_param=triplet_param)
        n.accuracy = L.TripletAccuracy(n.embedding, triplet_loss_param=triplet_param)
    else:
        if info.num_classes < 2:
            raise ConfigError('database %s has a single class (labels are all %d): nothing to '
                              'classify' % (info.path, info.num_classes - 1))
        n.score = L.InnerProduct(features, num_output=info.num_classes, weight_filler=filler)
        n.loss = L.SoftmaxWithLoss(n.score, n.label)
        n.accuracy = L.Accuracy(n.score, n.label)
    net = n.to_proto()
    net.name = '%s_%s' % (name, 'triplet' if triplet else 'classifier')
    test_layer = copy.deepcopy(net.layer[0])
    test_layer.include[0].phase = TEST
    net.layer.insert(1, test_layer)
    return net


def read_net(path):
    """The NetParameter of a prototxt file; ParseError names file and line."""
    path = os.fspath(path)
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError as error:
        raise CaffeIOError('cannot read net %s: %s' % (path, error.strerror)) from None
    net = caffe_pb2.NetParameter()
    try:
        text_format.Parse(text, net)
    except text_format.ParseError as error:
        raise ParseError('%s:%s' % (path, error)) from None
    return net


def _phases(layer):
    """The phases a layer is in, from its include/exclude rules (phase only)."""
    phases = {TRAIN, TEST}
    if layer.include:
        phases = {rule.phase for rule in layer.include if rule.HasField('phase')} or phases
    for rule in layer.exclude:
        if rule.HasField('phase'):
            phases.discard(rule.phase)
    return phases


def data_layers(net):
    """(train layers, test layers) among the net's Data/TripletData layers."""
    train = [layer for layer in net.layer if layer.type in DATA_TYPES and TRAIN in _phases(layer)]
    test = [layer for layer in net.layer if layer.type in DATA_TYPES and TEST in _phases(layer)]
    return train, test


def user_template(path):
    """The user's train/val net as a template: a data layer that serves both
    phases is split into a TRAIN and a TEST copy, so the two can read
    different databases."""
    net = read_net(path)
    train, test = data_layers(net)
    if not train:
        others = sorted({layer.type for layer in net.layer if 'Data' in layer.type})
        raise ConfigError('net %s has no TRAIN-phase Data or TripletData layer to inject the '
                          'augmentation into%s' % (path, ' (it has %s; augmentation_param '
                                                   'works in Data and TripletData layers)'
                                                   % ', '.join(others) if others else ''))
    for index in reversed(range(len(net.layer))):
        layer = net.layer[index]
        if layer.type in DATA_TYPES and _phases(layer) == {TRAIN, TEST}:
            test_copy = copy.deepcopy(layer)
            del layer.include[:]
            del layer.exclude[:]
            layer.include.add().phase = TRAIN
            del test_copy.include[:]
            del test_copy.exclude[:]
            test_copy.include.add().phase = TEST
            net.layer.insert(index + 1, test_copy)
    return net


def score_everywhere(net, score):
    """The layer producing top `score` runs in both phases, so the training
    accuracy is recorded too (it is not a loss, so training is unchanged)."""
    for layer in net.layer:
        if score in layer.top and layer.type not in DATA_TYPES:
            del layer.include[:]
            del layer.exclude[:]
    return net


def _source_param(layer):
    return layer.triplet_data_param if layer.type == 'TripletData' else layer.data_param


def child_net(template, train, val, policy, seed, train_batch, val_batch, train_backend='lmdb',
              val_backend='lmdb'):
    """A copy of `template` whose TRAIN data layers read `train` with
    `policy` (an AugmentationParameter; None or empty: no augmentation) and
    random_seed `seed`, and whose TEST data layers read `val`. Batch sizes
    None keep the template's."""
    net = copy.deepcopy(template)
    train_layers, test_layers = data_layers(net)
    backends = {'lmdb': caffe_pb2.DataParameter.LMDB, 'leveldb': caffe_pb2.DataParameter.LEVELDB}
    for layers, source, batch, backend in ((train_layers, train, train_batch, train_backend),
                                           (test_layers, val, val_batch, val_backend)):
        for layer in layers:
            param = _source_param(layer)
            if source is not None:
                param.source = os.path.abspath(source)
                param.backend = backends[backend]
            if batch:
                param.batch_size = batch
            if layer.type == 'TripletData' and not param.num_threads:
                param.num_threads = 1  # a worker process uses one core
    for layer in train_layers:
        layer.ClearField('augmentation_param')
        if policy is not None and policy.ListFields():
            layer.augmentation_param.CopyFrom(policy)
            layer.augmentation_param.random_seed = seed
    return net


def export_net(template_or_path, policy):
    """The net with `policy` as augmentation_param of its TRAIN data layers
    (random_seed left unset: the solver's random_seed seeds it)."""
    net = (read_net(template_or_path) if isinstance(template_or_path, (str, os.PathLike))
           else copy.deepcopy(template_or_path))
    train_layers, _ = data_layers(net)
    for layer in train_layers:
        layer.ClearField('augmentation_param')
        if policy.ListFields():
            layer.augmentation_param.CopyFrom(policy)
            layer.augmentation_param.ClearField('random_seed')
    return net


def batch_size_of(net):
    """The TRAIN data layer's batch size."""
    train_layers, _ = data_layers(net)
    return _source_param(train_layers[0]).batch_size


def items_per_record(net):
    """Images per record fed to the TRAIN data layer (3 for triplets)."""
    train_layers, _ = data_layers(net)
    return 3 if train_layers[0].type == 'TripletData' else 1


def net_text(net):
    return text_format.MessageToString(net)


def eval_batch(records, limit=100):
    """A batch size that covers `records` exactly: the largest divisor of
    `records` up to `limit`; when that is below 10 (e.g. a prime count),
    `limit` itself, and the last batch wraps around to the first records."""
    best = max(d for d in range(1, min(limit, records) + 1) if records % d == 0)
    return best if best >= min(10, records) else min(limit, records)
