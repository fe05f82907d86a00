"""The search's inputs: databases it is given, or numpy arrays and single
databases it splits and writes itself with caffe.db.

A database holds Datum records (classification: one image, one integer
label) or TripletDatum records (anchor, positive, negative). `inspect_db`
reads one through once and describes it; `fingerprint` identifies its
content so a study resumed on another machine, or with another path to the
same data, is recognised as the same search.

Written databases are LMDB with keys '%08d' (position in the split), written
under a temporary name and renamed when complete.
"""
import hashlib
import json
import os
import shutil

import numpy as np

from .. import db as caffe_db
from .. import io as caffe_io
from ..errors import ConfigError, DataError, IOError as CaffeIOError, ShapeError
from ..proto import caffe_pb2

# Records hashed (besides the count) to identify a database's content.
FINGERPRINT_RECORDS = 64


class DBInfo:
    """What one database holds. `kind` is 'datum' or 'triplet'; `labels`
    the integer class labels (datum) or first float labels (triplet) in key
    order; `num_classes` max label + 1 for datum databases."""

    def __init__(self, path, backend):
        self.path = os.fspath(path)
        self.backend = backend
        self.kind = None
        self.records = 0
        self.channels = self.height = self.width = 0
        self.labels = []
        self.fingerprint = ''

    @property
    def num_classes(self):
        return int(max(self.labels)) + 1 if self.kind == 'datum' and self.labels else 0

    @property
    def shape(self):
        return (self.channels, self.height, self.width)

    def describe(self):
        return {'records': self.records, 'kind': self.kind, 'shape': list(self.shape),
                'fingerprint': self.fingerprint}

    def __repr__(self):
        return '<DBInfo %s %s: %d %s records of %s>' % (self.backend, self.path, self.records,
                                                        self.kind, 'x'.join(map(str, self.shape)))


def detect_backend(path):
    """'lmdb' or 'leveldb' from the files in the database folder."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise CaffeIOError('database %s does not exist' % path)
    if os.path.exists(os.path.join(path, 'data.mdb')):
        return 'lmdb'
    if os.path.exists(os.path.join(path, 'CURRENT')):
        return 'leveldb'
    raise CaffeIOError('%s is neither an LMDB (data.mdb) nor a LevelDB (CURRENT) database'
                       % path)


def _record_kind(value):
    triplet = caffe_pb2.TripletDatum()
    try:
        triplet.ParseFromString(value)
        if triplet.data_pos and triplet.data_neg:
            return 'triplet', triplet
    except Exception:  # noqa: BLE001 - a Datum's bytes need not parse as a triplet
        pass
    datum = caffe_pb2.Datum()
    try:
        datum.ParseFromString(value)
    except Exception as error:  # noqa: BLE001 - protobuf's DecodeError
        return None, error
    return 'datum', datum


def inspect_db(path, backend=None):
    """Reads the database once: kind, count, image shape, labels,
    fingerprint. DataError names the key of a record that is neither kind
    or unlike the first."""
    backend = backend or detect_backend(path)
    info = DBInfo(path, backend)
    digest = hashlib.sha1()
    with caffe_db.open(path, backend, 'r') as database:
        for key, value in database:
            kind, record = _record_kind(value)
            where = 'database %s, record %r' % (info.path, key.decode('utf-8', 'replace'))
            if kind is None:
                raise DataError('%s is neither a Datum nor a TripletDatum: %s' % (where, record))
            if info.kind is None:
                info.kind = kind
                image = (caffe_io.datum_to_array(record) if kind == 'datum'
                         else caffe_io.triplet_to_arrays(record)[0])
                info.channels, info.height, info.width = image.shape
            elif kind != info.kind:
                raise DataError('%s is a %s, but the first record is a %s'
                                % (where, kind, info.kind))
            if kind == 'datum':
                info.labels.append(int(record.label))
            else:
                info.labels.append(float(record.label[0]) if record.label else 0.0)
            if info.records < FINGERPRINT_RECORDS:
                digest.update(key)
                digest.update(hashlib.sha1(value).digest())
            info.records += 1
    if info.records == 0:
        raise DataError('database %s is empty' % info.path)
    digest.update(str(info.records).encode())
    info.fingerprint = digest.hexdigest()
    return info


# ------------------------------------------------------------ writing data ---

def _atomic_db(path):
    """A temporary path beside `path`; _publish renames it into place."""
    tmp = '%s.tmp-%d' % (path, os.getpid())
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    return tmp


def _publish(tmp, path):
    os.rename(tmp, path)


def _images_chw(images, channel_order):
    """N x C x H x W uint8 (BGR for colour) from N x H x W or N x H x W x C."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, :, :, None]
    if images.ndim != 4 or images.shape[3] not in (1, 3):
        raise ShapeError('images must be N x H x W (grey) or N x H x W x C with C = 1 or 3, '
                         'got shape %s' % (images.shape,))
    if images.dtype != np.uint8:
        values = images.astype(np.float64)
        if not np.all(np.isfinite(values)):
            raise DataError('images hold NaN or infinite values')
        # Floats in [0, 1] are taken as fractions of white, as Keras users store them.
        if values.size and values.min() >= 0 and values.max() <= 1:
            values = values * 255
        images = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    if images.shape[3] == 3:
        if channel_order == 'rgb':
            images = images[:, :, :, ::-1]
        elif channel_order != 'bgr':
            raise ConfigError("channel_order must be 'rgb' or 'bgr', got %r" % (channel_order,))
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2))


def _labels(labels, count):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != count:
        raise ShapeError('labels must be one integer per image (%d), got shape %s'
                         % (count, labels.shape))
    if labels.dtype.kind not in 'iu':
        if not np.all(np.equal(np.mod(labels, 1), 0)):
            raise DataError('labels must be integers (class numbers)')
        labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise DataError('labels must be class numbers >= 0, got %d' % labels.min())
    return labels


def split_sizes(total, train, val, test=None):
    """(train, val, test) counts; test None means the rest. DataError when
    `total` records cannot fill the split."""
    if train < 1 or val < 1:
        raise ConfigError('the split needs at least one training and one validation record, '
                          'got train %d, val %d' % (train, val))
    rest = total - train - val
    wanted_test = rest if test is None else test
    if rest < 0 or wanted_test > rest or (test is None and rest < 1):
        raise DataError('too few records for the split: %d records, but train %d + val %d + '
                        'test %s need %d' % (total, train, val,
                                             'the rest (>= 1)' if test is None else test,
                                             train + val + max(1, wanted_test)))
    return train, val, wanted_test


def _sample_triplets(labels, per_anchor, rng):
    """(anchor, positive, negative) index triples: for each image of a class
    with at least two images, `per_anchor` triplets with a positive of its
    class and a negative of another class."""
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(int(label), []).append(index)
    if len(by_class) < 2:
        raise DataError('triplets need at least two classes, got %d' % len(by_class))
    triples = []
    for anchor, label in enumerate(labels):
        same = by_class[int(label)]
        if len(same) < 2:
            continue
        others = [c for c in by_class if c != int(label)]
        for _ in range(per_anchor):
            positive = anchor
            while positive == anchor:
                positive = same[rng.integers(len(same))]
            negative_class = others[rng.integers(len(others))]
            negatives = by_class[negative_class]
            triples.append((anchor, positive, negatives[rng.integers(len(negatives))]))
    if not triples:
        raise DataError('no class has two images to make a triplet from')
    return triples


def _write_split(path, images, labels, triplets_per_anchor, rng):
    tmp = _atomic_db(path)
    with caffe_db.open(tmp, 'lmdb', 'new') as database:
        with database.transaction() as txn:
            if triplets_per_anchor:
                for n, (a, p, q) in enumerate(_sample_triplets(labels, triplets_per_anchor, rng)):
                    txn.put_triplet(b'%08d' % n, images[a], images[p], images[q],
                                    labels=(labels[a], labels[q]))
            else:
                for n, (image, label) in enumerate(zip(images, labels)):
                    txn.put_datum(b'%08d' % n, image, int(label))
    _publish(tmp, path)


SPLITS = ('train', 'val', 'test')


def write_arrays(images, labels, folder, train, val, test=None, seed=0, channel_order='rgb',
                 triplets_per_anchor=0):
    """Shuffles (seeded) and writes images/labels as LMDBs folder/train_lmdb,
    val_lmdb and test_lmdb (the rest, or `test` records). With
    triplets_per_anchor > 0 each split becomes TripletDatum records sampled
    within that split (labels: anchor class, negative class). Returns
    {split: path}. Re-running with the same arrays and options reuses the
    databases; a folder written from other data is refused."""
    chw = _images_chw(images, channel_order)
    labels = _labels(labels, len(chw))
    sizes = split_sizes(len(chw), train, val, test)
    source = hashlib.sha1()
    source.update(chw.tobytes())
    source.update(labels.astype(np.int64).tobytes())
    source.update(json.dumps([sizes, seed, triplets_per_anchor]).encode())
    return _write_once(folder, source.hexdigest(), chw, labels, sizes, seed, triplets_per_anchor)


def split_db(path, folder, train, val, test=None, seed=0, backend=None):
    """Splits one Datum database into folder/train_lmdb, val_lmdb, test_lmdb
    as write_arrays does (the records are read into memory)."""
    backend = backend or detect_backend(path)
    values = []
    with caffe_db.open(path, backend, 'r') as database:
        for key, value in database:
            kind, record = _record_kind(value)
            if kind != 'datum':
                raise DataError('database %s, record %r: splitting needs Datum records'
                                % (path, key.decode('utf-8', 'replace')))
            values.append(value)
    sizes = split_sizes(len(values), train, val, test)
    source = hashlib.sha1()
    for value in values:
        source.update(hashlib.sha1(value).digest())
    source.update(json.dumps([sizes, seed]).encode())
    order = np.random.default_rng(seed).permutation(len(values))
    paths = _prepare_folder(folder, source.hexdigest())
    if paths is not None:
        return paths
    begin = 0
    paths = {}
    for split, size in zip(SPLITS, sizes):
        paths[split] = os.path.join(folder, '%s_lmdb' % split)
        if size == 0:
            continue
        tmp = _atomic_db(paths[split])
        with caffe_db.open(tmp, 'lmdb', 'new') as database:
            with database.transaction() as txn:
                for n, index in enumerate(order[begin:begin + size]):
                    txn.put(b'%08d' % n, values[index])
        _publish(tmp, paths[split])
        begin += size
    _finish_folder(folder, source.hexdigest())
    return {split: p for split, p in paths.items() if os.path.exists(p)}


def _prepare_folder(folder, source):
    """The existing paths when `folder` was written from `source`; None when
    it must be written; ConfigError when it holds other data."""
    os.makedirs(folder, exist_ok=True)
    stamp = os.path.join(folder, 'source.json')
    if os.path.exists(stamp):
        with open(stamp) as handle:
            written = json.load(handle)
        if written.get('source') != source:
            raise ConfigError('%s already holds databases written from other data or another '
                              'split; use another output folder' % folder)
        return {split: os.path.join(folder, '%s_lmdb' % split) for split in written['splits']}
    for split in SPLITS:  # left over from an interrupted write
        leftover = os.path.join(folder, '%s_lmdb' % split)
        if os.path.exists(leftover):
            shutil.rmtree(leftover)
    return None


def _finish_folder(folder, source):
    splits = [s for s in SPLITS if os.path.exists(os.path.join(folder, '%s_lmdb' % s))]
    stamp = os.path.join(folder, 'source.json')
    with open(stamp + '.tmp', 'w') as handle:
        json.dump({'source': source, 'splits': splits}, handle)
    os.replace(stamp + '.tmp', stamp)


def _write_once(folder, source, chw, labels, sizes, seed, triplets_per_anchor):
    paths = _prepare_folder(folder, source)
    if paths is not None:
        return paths
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(chw))
    begin = 0
    for split, size in zip(SPLITS, sizes):
        if size == 0:
            continue
        chosen = order[begin:begin + size]
        begin += size
        _write_split(os.path.join(folder, '%s_lmdb' % split), chw[chosen], labels[chosen],
                     triplets_per_anchor, rng)
    _finish_folder(folder, source)
    return {split: os.path.join(folder, '%s_lmdb' % split)
            for split, size in zip(SPLITS, sizes) if size}


def merge_dbs(paths, out_path, backends=None):
    """Writes the records of several databases, in order, into one LMDB
    (keys '%08d'): the final report trains on train + validation. Reuses
    `out_path` when a previous run completed it."""
    if os.path.exists(out_path):
        return out_path
    tmp = _atomic_db(out_path)
    n = 0
    with caffe_db.open(tmp, 'lmdb', 'new') as out:
        with out.transaction() as txn:
            for index, path in enumerate(paths):
                backend = backends[index] if backends else detect_backend(path)
                with caffe_db.open(path, backend, 'r') as database:
                    for _, value in database:
                        txn.put(b'%08d' % n, value)
                        n += 1
    _publish(tmp, out_path)
    return out_path


def read_images(path, count, backend=None):
    """The first `count` images of a database as H x W x C uint8 arrays (BGR),
    anchors for triplets; for previews."""
    backend = backend or detect_backend(path)
    images = []
    with caffe_db.open(path, backend, 'r') as database:
        for _, value in database:
            kind, record = _record_kind(value)
            chw = (caffe_io.datum_to_array(record) if kind == 'datum'
                   else caffe_io.triplet_to_arrays(record)[0])
            images.append(np.ascontiguousarray(np.asarray(chw, dtype=np.uint8).transpose(1, 2, 0)))
            if len(images) == count:
                break
    return images
