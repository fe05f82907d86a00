"""Database builders, the same conversions as the command-line tools."""
import os

from . import _caffe

__all__ = ['convert_imageset', 'convert_triplet_db']


def _root(root, always_directory=False):
    """The root folder as the tools take it: paths are appended to it as
    given, so a pathlib root (which loses its trailing separator) gets one."""
    if always_directory or not isinstance(root, str):
        return os.path.join(os.fspath(root), '')
    return root


def convert_imageset(root, listfile, db_path, gray=False, shuffle=False, backend='lmdb',
                     resize_height=0, resize_width=0, check_size=False, encoded=False,
                     encode_type='', progress=None):
    """Builds a Datum database from a list file of 'relative/path LABEL'
    lines, exactly as tools/convert_imageset does with the same flags (same
    keys "%08d_<path>", same records). `root` is prefixed to every path as
    given (end a string root with '/'; a pathlib root gets one). progress, if given, is called as
    progress(lines_done, total_lines) every 100 lines and at the end; an
    exception it raises aborts the conversion. Returns the number of records
    written. Unreadable images are skipped with a warning, as the tool does;
    other failures raise caffe.IOError / ParseError / DataError and leave no
    database behind."""
    options = _caffe.ConvertImagesetOptions()
    options.gray = bool(gray)
    options.shuffle = bool(shuffle)
    options.backend = backend
    options.resize_height = int(resize_height)
    options.resize_width = int(resize_width)
    options.check_size = bool(check_size)
    options.encoded = bool(encoded)
    options.encode_type = encode_type
    return _caffe.convert_imageset(_root(root), os.fspath(listfile), os.fspath(db_path),
                                   options, progress)


def convert_triplet_db(root, listfile, db_path, gray=False, shuffle=False, seed=0,
                       backend='lmdb', resize_height=0, resize_width=0, check_size=False,
                       encoded=False, encode_type='', skip_missing=False, overwrite=False,
                       triplets_per_anchor=1, progress=None):
    """Builds a TripletDatum database exactly as tools/convert_triplet_db does
    with the same flags. listfile holds lines 'anchor positive negative
    [label ...]' with paths relative to root; listfile=None samples triplets
    from root/<class>/<image> instead (the tool's -folders, with
    triplets_per_anchor and seed). progress, if given, is called as
    progress(triplets_done, total) after every commit and at the end; an
    exception it raises aborts the conversion. Returns a dict with the counts
    'total', 'written', 'skipped' and the 'seconds' taken. Failures raise
    caffe.IOError / ParseError / DataError and leave any existing output
    untouched (see docs/triplet.md)."""
    options = _caffe.TripletConvertOptions()
    options.backend = backend
    options.shuffle = bool(shuffle)
    options.seed = int(seed)
    options.resize_height = int(resize_height)
    options.resize_width = int(resize_width)
    options.gray = bool(gray)
    options.encoded = bool(encoded)
    options.encode_type = encode_type
    options.check_size = bool(check_size)
    options.skip_missing = bool(skip_missing)
    options.overwrite = bool(overwrite)
    list_path = None if listfile is None else os.fspath(listfile)
    return _caffe.convert_triplet_db(_root(root, always_directory=listfile is None), list_path,
                                     os.fspath(db_path), options, int(triplets_per_anchor),
                                     int(seed), progress)
