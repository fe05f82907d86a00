"""The upstream-style scripts in python/ (classify.py, detect.py,
draw_net.py, train.py) and importing the package from $CAFFE_ROOT/python."""
import csv
import glob
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import caffe
from conftest import ROOT

SCRIPTS = os.path.join(ROOT, 'python')
DEPLOY = '''name: "channel_means"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 8 dim: 8 } } }
layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
  pooling_param { pool: AVE global_pooling: true } }
layer { name: "flat" type: "Flatten" bottom: "pool" top: "score" }
'''


def run_script(name, *args, cwd):
    env = dict(os.environ)
    env.pop('GLOG_minloglevel', None)
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, name)] + [str(a) for a in args],
                          cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300)


@pytest.fixture
def model(write, tmp_path):
    deploy = write('deploy.prototxt', DEPLOY)
    weights = str(tmp_path / 'w.caffemodel')
    caffe.Net(deploy, caffe.TEST).save(weights)
    return deploy, weights


@pytest.fixture
def images(tmp_path):
    Image = pytest.importorskip('PIL.Image')
    folder = tmp_path / 'images'
    folder.mkdir()
    rng = np.random.RandomState(0)
    for i in range(3):
        Image.fromarray(rng.randint(0, 256, (10, 12, 3)).astype(np.uint8)).save(
            folder / ('im%d.png' % i))
    return folder


def test_classify_writes_one_row_per_image(model, images, tmp_path):
    deploy, weights = model
    out = tmp_path / 'scores.npy'
    result = run_script('classify.py', images, out, '--model_def', deploy, '--pretrained_model',
                        weights, '--ext', 'png', '--images_dim', '8,8', '--center_only',
                        '--raw_scale', '1', '--channel_swap', '0,1,2', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scores = np.load(out)
    files = sorted(glob.glob(str(images / '*.png')))
    expected = [caffe.io.resize_image(caffe.io.load_image(f), (8, 8)).mean(axis=(0, 1))
                for f in files]
    np.testing.assert_allclose(scores, expected, rtol=1e-4)


def test_detect_scores_listed_windows(model, images, tmp_path):
    deploy, weights = model
    windows = tmp_path / 'windows.csv'
    image = str(images / 'im0.png')
    windows.write_text('filename,ymin,xmin,ymax,xmax\n%s,0,0,8,8\n%s,2,2,10,10\n' % (image, image))
    out = tmp_path / 'scores.csv'
    result = run_script('detect.py', windows, out, '--model_def', deploy, '--pretrained_model',
                        weights, '--context_pad', '0', '--raw_scale', '1', '--channel_swap',
                        '0,1,2', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    assert [r['ymin'] for r in rows] == ['0', '2'] and 'class2' in rows[0]
    im = caffe.io.load_image(image)
    assert float(rows[1]['class1']) == pytest.approx(im[2:10, 2:10, 1].mean(), rel=1e-4)


def test_train_reports_layer_times(write, tmp_path):
    net = write('net.prototxt', '''name: "tiny"
layer { name: "data" type: "DummyData" top: "data" top: "label"
  dummy_data_param { shape { dim: 4 dim: 3 } shape { dim: 4 }
                     data_filler { type: "gaussian" } data_filler { type: "constant" } } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
''')
    solver = write('solver.prototxt', 'net: "%s" base_lr: 0.1 lr_policy: "fixed" max_iter: 3 '
                   'display: 1 snapshot_after_train: false' % net)
    result = run_script('train.py', '--solver', solver, '--timing', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-5].split() == ['layer', 'forward', 'ms', 'backward', 'ms']
    assert [line.split()[0] for line in lines[-4:]] == ['data', 'ip', 'loss', 'total']
    assert 'Optimization Done' in result.stderr


@pytest.mark.skipif(shutil.which('dot') is None, reason='Graphviz dot is not installed')
def test_draw_net_renders(write, tmp_path):
    pytest.importorskip('pydot')
    out = tmp_path / 'net.png'
    result = run_script('draw_net.py', write('deploy.prototxt', DEPLOY), out, '--display_lrm',
                        '--phase', 'TEST', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b'\x89PNG'


def test_caffe_root_python_is_importable(tmp_path):
    """Upstream users do sys.path.insert(0, CAFFE_ROOT + '/python'); the
    build links _caffe and caffe_pb2.py there."""
    if not glob.glob(os.path.join(ROOT, 'build', 'python', 'caffe', '_caffe*.so')):
        pytest.skip('no build tree in %s (testing an installed package)' % ROOT)
    code = ('import sys; sys.path.insert(0, %r); import caffe, caffe.proto.caffe_pb2; '
            'print(caffe.__file__); print(len(caffe.layer_type_list()))'
            % os.path.join(ROOT, 'python'))
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    result = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=60)
    assert result.returncode == 0, result.stderr
    path, count = result.stdout.split()
    assert path == os.path.join(ROOT, 'python', 'caffe', '__init__.py')
    assert int(count) > 50
