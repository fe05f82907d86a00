"""examples/triplet_digits/train_python.py, the pycaffe-only triplet example,
end to end on a short schedule: triplet LMDB from Python, NetSpec net,
SGDSolver with a callback, weight sharing into a deploy net, scikit-learn
nearest-neighbour evaluation."""
import os
import sys

import numpy as np
import pytest

import caffe
from conftest import ROOT

pytest.importorskip('sklearn', reason='the example evaluates with scikit-learn')
sys.path.insert(0, os.path.join(ROOT, 'examples', 'triplet_digits'))
import train_python  # noqa: E402


def test_short_run_trains_embeds_and_evaluates(tmp_path, capsys):
    out = tmp_path / 'run'
    untrained = train_python.main(['--iters', '0', '--per-anchor', '1', '--out', str(out)])
    accuracy = train_python.main(['--iters', '80', '--per-anchor', '1', '--out', str(out)])
    printed = capsys.readouterr().out
    assert 'wrote 1500 triplets of 1500 training digits' in printed
    assert 'iteration   80/80' in printed
    assert 'Held-out nearest-neighbour accuracy' in printed
    # Training helps: 80 iterations (seeded) beat the random initial embedding.
    assert accuracy > untrained > 0.5
    weights = out / 'triplet_digits.caffemodel'
    net = caffe.Net(str(out / 'deploy.prototxt'), caffe.TEST, weights=str(weights))
    embedding = net.forward(data=np.zeros((100, 1, 28, 28), np.float32))['embedding']
    np.testing.assert_allclose(np.linalg.norm(embedding, axis=1), 1, rtol=1e-4)
