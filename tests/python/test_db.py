"""caffe.db: LMDB and LevelDB through the C++ DB classes, and Datum records
written from Python read back by the C++ Data layer."""
import pathlib
import re

import numpy as np
import pytest

import caffe
from caffe.proto import caffe_pb2

from conftest import requires_layers

BACKENDS = ['lmdb', 'leveldb']


@pytest.mark.parametrize('backend', BACKENDS)
def test_write_read_iterate_in_key_order(tmp_path, backend):
    path = tmp_path / 'db'
    records = {b'k%03d' % i: bytes([i % 256]) * (i + 1) for i in (5, 1, 17, 3, 0, 250)}
    with caffe.db.open(path, backend, 'new') as db:
        with db.transaction() as txn:
            for key, value in records.items():
                txn.put(key, value)
    with caffe.db.open(str(path), backend, 'r') as db:
        assert list(db) == sorted(records.items())
        assert db.get(b'k017') == records[b'k017']
        assert db[b'k000'] == records[b'k000']
        assert db.get(b'k002') is None
        assert db.get(b'zzz', b'dflt') == b'dflt'
        assert b'k250' in db and b'k004' not in db
        with pytest.raises(KeyError):
            db[b'missing']
        assert list(db.keys()) == sorted(records)


@pytest.mark.parametrize('backend', BACKENDS)
def test_append_mode_and_single_puts(tmp_path, backend):
    path = tmp_path / 'db'
    with caffe.db.open(path, backend, 'new') as db:
        db.put(b'b', b'2')
    with caffe.db.open(path, backend, 'w') as db:
        db.put('a', '1')  # str keys and values are stored as UTF-8
        db.put(b'b', b'22')  # overwrites
    with caffe.db.open(path, backend) as db:
        assert list(db) == [(b'a', b'1'), (b'b', b'22')]


@pytest.mark.parametrize('backend', BACKENDS)
def test_transaction_commit_and_abort(tmp_path, backend):
    path = tmp_path / 'db'
    db = caffe.db.open(path, backend, 'new')
    txn = db.transaction()
    txn.put(b'x', b'1')
    txn.commit()
    txn.put(b'y', b'2')  # a committed transaction takes further puts
    txn.commit()
    with pytest.raises(ZeroDivisionError):
        with db.transaction() as failing:
            failing.put(b'z', b'3')
            1 / 0
    db.close()
    assert db.closed
    with caffe.db.open(path, backend) as db:
        assert list(db) == [(b'x', b'1'), (b'y', b'2')]


@pytest.mark.parametrize('backend', BACKENDS)
def test_misuse_raises_caffe_errors(tmp_path, backend):
    for mode in ('r', 'w'):  # neither mode creates a database
        with pytest.raises(caffe.IOError, match='missing'):
            caffe.db.open(tmp_path / 'missing', backend, mode)
    assert not (tmp_path / 'missing').exists()
    path = tmp_path / 'db'
    caffe.db.open(path, backend, 'new').close()
    with pytest.raises(caffe.IOError):
        caffe.db.open(path, backend, 'new')  # already exists
    with caffe.db.open(path, backend, 'r') as db:
        with pytest.raises(caffe.IOError, match='read-only'):
            db.put(b'a', b'b')
        with pytest.raises(caffe.IOError, match='read-only'):
            db.transaction()
    db = caffe.db.open(path, backend, 'w')
    txn = db.transaction()
    cursor = iter(db)
    db.close()
    # Cursors and transactions outliving close() fail cleanly.
    with pytest.raises(caffe.IOError, match='closed'):
        txn.put(b'a', b'b')
    with pytest.raises(caffe.IOError, match='closed'):
        next(cursor)
    with pytest.raises(caffe.IOError, match='closed'):
        list(db)
    with pytest.raises(TypeError):
        caffe.db.open(tmp_path / 'other', backend, 'new').put(1, b'x')


@pytest.mark.parametrize('backend', BACKENDS)
def test_get_seeks_and_len_counts(tmp_path, backend):
    path = tmp_path / 'db'
    keys = [b'%08d' % i for i in range(0, 2000, 2)]
    with caffe.db.open(path, backend, 'new') as db:
        with db.transaction() as txn:
            for key in keys:
                txn.put(key, b'value of ' + key)
    with caffe.db.open(path, backend) as db:
        assert len(db) == len(keys)
        assert db.get(b'00001998') == b'value of 00001998'
        assert db[b'00000000'] == b'value of 00000000'
        # Keys between, before and after the stored ones are absent.
        assert db.get(b'00000001') is None and db.get(b'0') is None
        assert db.get(b'99999999', b'default') == b'default'
        assert b'00001001' not in db and b'00001000' in db
        # Looking up a key does not disturb an iteration in progress.
        iterator = iter(db)
        first = next(iterator)
        db.get(b'00001500')
        assert next(iterator)[0] == keys[1] and first[0] == keys[0]
    with caffe.db.open(tmp_path / 'empty', backend, 'new') as db:
        assert len(db) == 0 and db.get(b'x') is None


def test_bad_backend_and_mode_are_config_errors(tmp_path):
    with pytest.raises(caffe.ConfigError, match='hdf5'):
        caffe.db.open(tmp_path / 'db', 'hdf5', 'new')
    with pytest.raises(caffe.ConfigError, match='mode'):
        caffe.db.open(tmp_path / 'db', 'lmdb', 'rw')


@pytest.mark.parametrize('backend', BACKENDS)
def test_datum_db_written_from_python_feeds_the_data_layer(tmp_path, backend):
    rng = np.random.RandomState(3)
    images = rng.randint(0, 256, (6, 2, 4, 5)).astype(np.uint8)
    path = tmp_path / 'datums'
    with caffe.db.open(path, backend, 'new') as db:
        with db.transaction() as txn:
            for index, image in enumerate(images):
                txn.put_datum(b'%08d' % index, image, label=10 + index)
    with caffe.db.open(path, backend) as db:
        datum = caffe_pb2.Datum.FromString(db[b'00000002'])
        np.testing.assert_array_equal(caffe.io.datum_to_array(datum), images[2])
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('''layer { name: "data" type: "Data" top: "data" top: "label"
  data_param { source: "%s" backend: %s batch_size: 4 } }''' % (path, backend.upper()))
    net = caffe.Net(pathlib.Path(net_file), caffe.TEST)
    net.forward()
    np.testing.assert_array_equal(net.blobs['data'].data, images[:4].astype(np.float32))
    np.testing.assert_array_equal(net.blobs['label'].data, [10, 11, 12, 13])
    net.forward()  # wraps around after the sixth record
    np.testing.assert_array_equal(net.blobs['data'].data, images[[4, 5, 0, 1]])


def write_triplets(path, count, seed):
    """A TripletDatum LMDB of 1 x 6 x 6 images from four classes, each class
    a fixed random pattern plus noise; labels are (anchor class, negative
    class)."""
    rng = np.random.RandomState(seed)
    patterns = rng.randint(0, 256, (4, 1, 6, 6))

    def sample(cls):
        noisy = patterns[cls] + rng.randint(-40, 41, patterns[cls].shape)
        return np.clip(noisy, 0, 255).astype(np.uint8)

    with caffe.db.open(path, 'lmdb', 'new') as db, db.transaction() as txn:
        for index in range(count):
            anchor, negative = rng.choice(4, 2, replace=False)
            txn.put_triplet(b'%08d' % index, sample(anchor), sample(anchor), sample(negative),
                            labels=(anchor, negative))


@requires_layers('TripletData')
def test_triplet_db_from_python_feeds_the_triplet_data_layer(tmp_path):
    rng = np.random.RandomState(8)
    images = rng.randint(0, 256, (3, 3, 2, 5, 4)).astype(np.uint8)  # record, slot, CHW
    path = tmp_path / 'triplets'
    with caffe.db.open(path, 'lmdb', 'new') as db, db.transaction() as txn:
        for index, (anchor, positive, negative) in enumerate(images):
            txn.put_triplet(b'%08d' % index, anchor, positive, negative, labels=(index, 7))
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('''layer { name: "triplets" type: "TripletData" top: "data" top: "label"
  triplet_data_param { source: "%s" batch_size: 3 layout: STACKED } }''' % path)
    net = caffe.Net(str(net_file), caffe.TEST)
    net.forward()
    # STACKED: all anchors, then all positives, then all negatives.
    np.testing.assert_array_equal(net.blobs['data'].data,
                                  images.transpose(1, 0, 2, 3, 4).reshape(9, 2, 5, 4))
    np.testing.assert_array_equal(net.blobs['label'].data, [[0, 7], [1, 7], [2, 7]])


TRIPLET_NET = '''name: "triplet_tower"
layer { name: "triplets" type: "TripletData" top: "data"
  transform_param { scale: 0.00390625 }
  triplet_data_param { source: "%s" backend: LMDB batch_size: 16 layout: STACKED } }
layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1"
  inner_product_param { num_output: 16 weight_filler { type: "xavier" } } }
layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }
layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2"
  inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }
layer { name: "embedding" type: "Normalize" bottom: "ip2" top: "embedding" }
layer { name: "loss" type: "TripletLoss" bottom: "embedding" top: "loss"
  triplet_loss_param { margin: 0.5 } }
'''


@requires_layers('TripletData', 'TripletLoss', 'Normalize')
def test_triplet_db_from_python_trains_with_the_caffe_tool(tmp_path, caffe_tool):
    write_triplets(tmp_path / 'triplets', 64, seed=4)
    with caffe.db.open(tmp_path / 'triplets') as db:
        first = caffe_pb2.TripletDatum.FromString(db[b'00000000'])
        assert (first.channels, first.height, first.width) == (1, 6, 6)
        assert len(first.label) == 2
    (tmp_path / 'net.prototxt').write_text(TRIPLET_NET % (tmp_path / 'triplets'))
    (tmp_path / 'solver.prototxt').write_text(
        'net: "%s"\nbase_lr: 0.05\nmomentum: 0.9\nlr_policy: "fixed"\nmax_iter: 80\n'
        'display: 1\nsnapshot: 0\nsnapshot_prefix: "%s"\nrandom_seed: 3\n'
        'solver_mode: CPU\n' % (tmp_path / 'net.prototxt', tmp_path / 'snap'))
    run = caffe_tool('train', '--solver=%s' % (tmp_path / 'solver.prototxt'),
                     cwd=str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    losses = [float(v) for v in re.findall(r'Iteration \d+ \(.*?\), loss = ([-\d.e]+)', run.stderr)]
    assert len(losses) >= 80
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5]), losses
