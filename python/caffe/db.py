"""Key-value databases (LMDB, LevelDB) through caffe's own C++ DB classes.

    with caffe.db.open('train_lmdb', 'lmdb', 'new') as db:
        with db.transaction() as txn:
            txn.put(b'00000000', datum.SerializeToString())
    with caffe.db.open('train_lmdb', 'lmdb', 'r') as db:
        for key, value in db:        # key order
            ...

Keys and values are bytes. A missing database, writing through a read-only
('r') handle or using a closed one raise caffe.IOError; an unknown backend or
mode raises caffe.ConfigError.
"""
import os

from . import _caffe
from . import io as _io
from .errors import ConfigError

__all__ = ['DB', 'Transaction', 'open']


def _bytes(value, what):
    if isinstance(value, str):
        return value.encode('utf-8')
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError('%s must be bytes (or str), got %s' % (what, type(value).__name__))


class Transaction:
    """Buffered writes; commit() (or leaving a `with` block without an
    exception) writes them in one go. An exception inside the block drops
    what was not committed."""

    def __init__(self, handle):
        self._txn = handle.transaction()

    def put(self, key, value):
        self._txn.put(_bytes(key, 'key'), _bytes(value, 'value'))

    def put_datum(self, key, array, label=None):
        """Stores a C x H x W array as a Datum (see caffe.io.array_to_datum)."""
        self.put(key, _io.array_to_datum(array, label).SerializeToString())

    def put_triplet(self, key, anchor, positive, negative, labels=None, encoded=False):
        """Stores three images as a TripletDatum (see caffe.io.arrays_to_triplet)."""
        triplet = _io.arrays_to_triplet(anchor, positive, negative, labels, encoded)
        self.put(key, triplet.SerializeToString())

    def commit(self):
        self._txn.commit()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self._txn.abort()
        return False


class DB:
    """An open database. Iterating yields (key, value) pairs in key order;
    get() and `in` seek to one key; len() counts the records (LMDB keeps the
    count; LevelDB has none, so len() walks its keys). Use as a context
    manager, or call close()."""

    def __init__(self, path, backend='lmdb', mode='r'):
        self.backend = backend
        self.mode = mode
        self._handle = _caffe.db_open(os.fspath(path), backend, mode)

    @property
    def path(self):
        return self._handle.path

    @property
    def closed(self):
        return self._handle.closed

    def transaction(self):
        return Transaction(self._handle)

    def put(self, key, value):
        """Writes one record in its own transaction."""
        with self.transaction() as txn:
            txn.put(key, value)

    def get(self, key, default=None):
        value = self._handle.cursor().find(_bytes(key, 'key'))
        return default if value is None else value

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        return self.get(key) is not None

    def __len__(self):
        return self._handle.count()

    def __iter__(self):
        return iter(self._handle.cursor())

    def items(self):
        return iter(self)

    def keys(self):
        return (key for key, _ in self)

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __repr__(self):
        return '<caffe.db.DB %s %r (%s%s)>' % (self.backend, self.path, self.mode,
                                              ', closed' if self.closed else '')


def open(path, backend='lmdb', mode='r'):  # noqa: A001 - mirrors the built-in's role
    """Opens `path` as an 'lmdb' or 'leveldb' database: mode 'r' reads an
    existing one, 'w' writes to an existing one, 'new' creates one (and fails
    when something exists at `path`)."""
    if mode not in ('r', 'w', 'new'):
        raise ConfigError("database mode must be 'r', 'w' or 'new', got %r" % (mode,))
    return DB(path, backend, mode)
