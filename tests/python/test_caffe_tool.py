"""Python layers inside the `caffe` binary: the DIGITS example layers train
unchanged, modules are found next to the prototxt or on PYTHONPATH, and a
failing layer ends the run with exit code 1 and its traceback."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import caffe
from conftest import LAYERS_DIR, python_layer, requires_layers

SOLVER = '''net: "{net}"
test_iter: 2
test_interval: {test_interval}
base_lr: {base_lr}
lr_policy: "fixed"
momentum: 0.9
max_iter: {max_iter}
display: 10
snapshot: 0
snapshot_prefix: "{prefix}"
snapshot_after_train: true
random_seed: 7
'''


def job_dir(tmp_path, net_text, modules=('digits_python_layers', 'pylayers'), max_iter=30,
            test_interval=10, base_lr=0.05):
    """A DIGITS-style job directory: net, solver and layer modules together."""
    job = tmp_path / 'job'
    job.mkdir()
    for module in modules:
        shutil.copy(os.path.join(LAYERS_DIR, module + '.py'), str(job))
    (job / 'train_val.prototxt').write_text(net_text)
    (job / 'solver.prototxt').write_text(SOLVER.format(
        net=str(job / 'train_val.prototxt'), max_iter=max_iter, test_interval=test_interval,
        base_lr=base_lr, prefix=str(job / 'snapshot')))
    return job


def logged_test_outputs(log, name):
    return [float(v) for v in re.findall(r'Test net output #\d+: %s = ([-\d.e]+)' % name, log)]


def images(phase, target, classes=2):
    """The SquareImagesLayer, for one phase or (phase None) both."""
    return python_layer('data_' + (phase or 'all').lower(), 'pylayers', 'SquareImagesLayer',
                        tops=('data', target),
                        param_str='{"n": 16, "c": 1, "s": 6, "classes": %d, "target": "%s"}'
                        % (classes, 'onehot' if target == 'onehot' else 'label'),
                        extra='include { phase: %s }' % phase if phase else '')


ROTATION = python_layer('rotation_layer', 'digits_python_layers', 'RotationLayer',
                        bottoms=('data',), tops=('data',), extra='include { phase: TRAIN }')


def accuracy(name, top_k):
    return python_layer(name, 'digits_python_layers', 'AccuracyLayer', bottoms=('ip', 'label'),
                        tops=(name,), param_str='{"top_k": %d}' % top_k,
                        extra='include { phase: TEST }')


def python_only_net():
    """Data, rotation, a linear map and a loss, all Python (one consumer
    per blob: TRAIN ends in the loss, TEST in the accuracy layer). Two
    classes, as the linear map has no bias."""
    return ('name: "digits_python"\n' + images('TRAIN', 'onehot') + images('TEST', 'label')
            + ROTATION
            + python_layer('ip', 'pylayers', 'LinearLayer', bottoms=('data',), tops=('ip',),
                           param_str='{"k": 2}')
            + python_layer('loss', 'pylayers', 'EuclideanLossLayer', bottoms=('ip', 'onehot'),
                           tops=('loss',), extra='loss_weight: 1 include { phase: TRAIN }')
            + accuracy('accuracy', 1))


def test_digits_layers_train_under_the_tool(tmp_path, caffe_tool):
    job = job_dir(tmp_path, python_only_net(), base_lr=0.002)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path),
                        env={'PYTHONPATH': ''})
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    # The rotation layer is TRAIN-only: created for the train net alone.
    assert log.count('Creating layer rotation_layer') == 1
    accuracies = logged_test_outputs(log, 'accuracy')
    assert len(accuracies) == 4  # iterations 0, 10, 20 and 30
    assert all(0 <= a <= 1 for a in accuracies)
    assert accuracies[-1] >= 0.9, accuracies
    model = str(job / 'snapshot_iter_30.caffemodel')
    assert os.path.exists(model) and os.path.exists(str(job / 'snapshot_iter_30.solverstate'))


def test_tool_snapshot_loads_in_pycaffe(tmp_path, caffe_tool):
    job = job_dir(tmp_path, python_only_net(), max_iter=5, test_interval=100)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(job))
    assert result.returncode == 0, result.stderr[-3000:]
    sys.path.insert(0, str(job))
    try:
        net = caffe.Net(str(job / 'train_val.prototxt'), caffe.TEST,
                        weights=str(job / 'snapshot_iter_5.caffemodel'))
        initial = caffe.Net(str(job / 'train_val.prototxt'), caffe.TEST)
    finally:
        sys.path.remove(str(job))
    assert net.params['ip'][0].shape == (2, 36)
    assert not np.allclose(net.params['ip'][0].data, initial.params['ip'][0].data)


def test_rotation_layer_rotates_by_multiples_of_90_degrees(write):
    import digits_python_layers
    text = (python_layer('data', 'pylayers', 'SquareImagesLayer', tops=('data', 'label'),
                         param_str='{"n": 32, "c": 2, "s": 5, "classes": 3}')
            + python_layer('copy', 'pylayers', 'TimesTwoLayer', bottoms=('data',),
                           tops=('copy',))
            + ROTATION.replace('bottom: "data"\n  top: "data"',
                               'bottom: "copy"\n  top: "copy"'))
    path = write('rot.prototxt', text)
    np.random.seed(0)
    train = caffe.Net(path, caffe.TRAIN)
    train.forward(end='copy')
    original = train.blobs['copy'].data.copy()
    train.forward(start='rotation_layer')
    rotated = train.blobs['copy'].data
    seen = set()
    for before, after in zip(original, rotated):
        matches = [k for k in range(4)
                   if np.array_equal(np.rot90(before.transpose(1, 2, 0), k).transpose(2, 0, 1),
                                     after)]
        assert matches
        seen.add(matches[0])
    assert seen == {0, 1, 2, 3}
    assert 'rotation_layer' not in caffe.Net(path, caffe.TEST)._layer_names
    assert digits_python_layers.RotationLayer is type(train.layer_dict['rotation_layer'])


def test_accuracy_layer_reads_top_k_from_json(write):
    import digits_python_layers  # noqa: F401 - the module under test
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    labels = np.array([1, 1, 0, 2])
    # Each accuracy layer reads its own copy of the inputs (no Split needed).
    text = ''
    for k in (1, 2, 3):
        text += ('layer { name: "in%d" type: "Python" top: "ip_%d" top: "label_%d" '
                 'python_param { module: "pylayers" layer: "FixedDataLayer" '
                 'param_str: \'{"n": 4, "d": 3, "k": 1}\' } }\n' % (k, k, k))
        text += accuracy('top%d' % k, k).replace('include { phase: TEST }', '') \
            .replace('bottom: "ip"', 'bottom: "ip_%d"' % k) \
            .replace('bottom: "label"', 'bottom: "label_%d"' % k)
    net = caffe.Net(write('acc.prototxt', text), caffe.TEST)
    for k in (1, 2, 3):
        net.blobs['ip_%d' % k].data[...] = scores
        net.blobs['label_%d' % k].data[...] = labels[:, None]
    out = {}
    for k in (1, 2, 3):
        out.update(net.forward(start='top%d' % k, end='top%d' % k))
    assert out['top1'][0] == pytest.approx(0.25)
    assert out['top2'][0] == pytest.approx(0.5)
    assert out['top3'][0] == pytest.approx(1.0)
    assert net.layer_dict['top2'].top_k == 2


def test_failing_layer_exits_1_with_traceback(tmp_path, caffe_tool):
    text = (images(None, 'onehot')
            + python_layer('boom', 'pylayers', 'RaisingLayer', bottoms=('data',),
                           tops=('boom',)))
    job = job_dir(tmp_path, text)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr[-3000:]
    assert "caffe: error: layer 'boom' (Python): Python exception in forward()" in result.stderr
    assert 'Traceback (most recent call last):' in result.stderr
    assert 'pylayers.py' in result.stderr
    assert 'ValueError: RaisingLayer was told to fail in forward' in result.stderr


def test_missing_module_exits_1(tmp_path, caffe_tool):
    text = python_layer('x', 'module_that_is_nowhere', 'Layer', tops=('x',))
    job = job_dir(tmp_path, text, modules=())
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path))
    assert result.returncode == 1
    assert "No module named 'module_that_is_nowhere'" in result.stderr


def test_modules_on_pythonpath_and_printed_output(tmp_path, caffe_tool):
    elsewhere = tmp_path / 'layers'
    elsewhere.mkdir()
    shutil.copy(os.path.join(LAYERS_DIR, 'pylayers.py'), str(elsewhere))
    text = (images(None, 'onehot')
            + python_layer('print', 'pylayers', 'PrintingLayer', bottoms=('data',),
                           tops=('printed',))
            + python_layer('ip', 'pylayers', 'LinearLayer', bottoms=('printed',), tops=('ip',),
                           param_str='{"k": 2}')
            + python_layer('loss', 'pylayers', 'EuclideanLossLayer', bottoms=('ip', 'onehot'),
                           tops=('loss',), extra='loss_weight: 1'))
    job = job_dir(tmp_path, text, modules=(), max_iter=2)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path),
                        env={'PYTHONPATH': str(elsewhere)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'PrintingLayer setup says hello' in result.stdout


def test_time_and_test_commands(tmp_path, caffe_tool):
    job = job_dir(tmp_path, python_only_net(), max_iter=3, test_interval=100)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(job))
    assert result.returncode == 0, result.stderr[-3000:]
    net = str(job / 'train_val.prototxt')
    timed = caffe_tool('time', '-model', net, '-iterations', '2', cwd=str(tmp_path))
    assert timed.returncode == 0, timed.stderr[-3000:]
    assert 'Average Forward pass' in timed.stderr
    scored = caffe_tool('test', '-model', net, '-weights', str(job / 'snapshot_iter_3.caffemodel'),
                        '-iterations', '3', cwd=str(tmp_path))
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert re.search(r'accuracy = [\d.]+', scored.stderr)


@requires_layers('InnerProduct', 'SoftmaxWithLoss', 'Accuracy', 'Split')
def test_digits_layers_with_cpp_layers(tmp_path, caffe_tool):
    """The DIGITS accuracy layer agrees with the C++ Accuracy layer at every
    test, for top_k 1 and 2, while the rotation layer augments training."""
    text = ('name: "digits_cpp"\n' + images(None, 'label', classes=3)
            + ROTATION + '''
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
layer { name: "accuracy_top2" type: "Accuracy" bottom: "ip" bottom: "label"
  top: "accuracy_top2" accuracy_param { top_k: 2 } include { phase: TEST } }
''' + accuracy('py_accuracy', 1) + accuracy('py_accuracy_top2', 2))
    job = job_dir(tmp_path, text, base_lr=0.01)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path))
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    assert logged_test_outputs(log, 'py_accuracy') == logged_test_outputs(log, 'accuracy')
    assert logged_test_outputs(log, 'py_accuracy_top2') == logged_test_outputs(log, 'accuracy_top2')
    assert len(logged_test_outputs(log, 'accuracy')) == 4
    assert logged_test_outputs(log, 'accuracy')[-1] >= 0.6


def write_pgm_dataset(folder, count, size, classes, seed):
    """Gray PGM images whose brightness encodes the class, and the list
    file convert_imageset reads."""
    rng = np.random.RandomState(seed)
    folder.mkdir()
    lines = []
    for index in range(count):
        label = index % classes
        pixels = (40 + 80 * label + rng.randint(0, 30, (size, size))).astype(np.uint8)
        name = 'img%03d.pgm' % index
        (folder / name).write_bytes(b'P5\n%d %d\n255\n' % (size, size) + pixels.tobytes())
        lines.append('%s %d' % (name, label))
    list_file = folder.parent / (folder.name + '.txt')
    list_file.write_text('\n'.join(lines) + '\n')
    return str(list_file)


@requires_layers('Data', 'InnerProduct', 'SoftmaxWithLoss', 'Accuracy', 'Split')
def test_python_layers_with_the_threaded_data_layer(tmp_path, caffe_tool):
    """The DIGITS set-up end to end: an LMDB read by the prefetching Data
    layer, rotated by the Python layer in TRAIN, scored by both accuracy
    layers in TEST."""
    convert = os.path.join(os.path.dirname(caffe_tool.tool), 'convert_imageset')
    if not os.path.exists(convert):
        pytest.skip('convert_imageset is not built')
    list_file = write_pgm_dataset(tmp_path / 'images', 48, 6, 3, seed=5)
    subprocess.run([convert, '--gray', '--shuffle', str(tmp_path / 'images') + '/', list_file,
                    str(tmp_path / 'lmdb')], check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    data = '''layer {{ name: "data" type: "Data" top: "data" top: "label"
  transform_param {{ scale: 0.00390625 }}
  data_param {{ source: "{db}" backend: LMDB batch_size: 16 }} }}
'''.format(db=str(tmp_path / 'lmdb'))
    text = ('name: "digits_lmdb"\n' + data + ROTATION + '''
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "accuracy" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
''' + accuracy('py_accuracy', 1))
    job = job_dir(tmp_path, text, max_iter=60, test_interval=20, base_lr=0.5)
    result = caffe_tool('train', '-solver', str(job / 'solver.prototxt'), cwd=str(tmp_path))
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    assert logged_test_outputs(log, 'py_accuracy') == logged_test_outputs(log, 'accuracy')
    assert len(logged_test_outputs(log, 'accuracy')) == 4
