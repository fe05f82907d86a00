"""caffe.convert_imageset against the convert_imageset tool."""
import os
import subprocess
import threading

import numpy as np
import pytest

import caffe
from caffe.proto import caffe_pb2

from conftest import find_tool


def convert_tool():
    tool = find_tool()
    path = tool and os.path.join(os.path.dirname(tool), 'convert_imageset')
    if not path or not os.path.exists(path):
        pytest.fail('convert_imageset is not built (make tool_convert_imageset)')
    return path


def write_images(folder, count=7, seed=1):
    """Colour PPM and grey PGM images of two sizes, a missing file, and the
    list file naming them."""
    rng = np.random.RandomState(seed)
    folder.mkdir()
    lines = []
    for index in range(count):
        height, width = (5, 7) if index % 2 else (6, 4)
        if index % 3 == 0:
            pixels = rng.randint(0, 256, (height, width)).astype(np.uint8)
            name, magic = 'img%02d.pgm' % index, b'P5'
        else:
            pixels = rng.randint(0, 256, (height, width, 3)).astype(np.uint8)
            name, magic = 'img%02d.ppm' % index, b'P6'
        (folder / name).write_bytes(b'%s\n%d %d\n255\n' % (magic, width, height)
                                    + pixels.tobytes())
        lines.append('%s %d' % (name, index))
    lines.insert(3, 'missing.ppm 9')  # skipped by both, with a warning
    list_file = folder.parent / 'list.txt'
    list_file.write_text('\n'.join(lines) + '\n')
    return list_file


def read_all(path, backend):
    with caffe.db.open(path, backend) as db:
        return list(db)


OPTION_SETS = [
    ({}, []),
    ({'gray': True, 'resize_height': 4, 'resize_width': 3, 'check_size': True},
     ['--gray', '--resize_height=4', '--resize_width=3', '--check_size']),
    ({'encoded': True}, ['--encoded']),
    ({'encode_type': 'png', 'resize_height': 8, 'resize_width': 8},
     ['--encode_type=png', '--resize_height=8', '--resize_width=8']),
    ({'backend': 'leveldb'}, ['--backend=leveldb']),
]


@pytest.mark.parametrize('options,flags', OPTION_SETS)
def test_matches_the_tool_record_by_record(tmp_path, options, flags):
    list_file = write_images(tmp_path / 'images')
    root = str(tmp_path / 'images') + '/'
    backend = options.get('backend', 'lmdb')
    subprocess.run([convert_tool()] + flags + [root, str(list_file), str(tmp_path / 'tool_db')],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    written = caffe.convert_imageset(root, list_file, tmp_path / 'py_db', **options)
    expected = read_all(tmp_path / 'tool_db', backend)
    assert written == len(expected) == 7
    assert read_all(tmp_path / 'py_db', backend) == expected
    assert expected[3][0] == b'00000004_img03.pgm'
    datum = caffe_pb2.Datum.FromString(expected[3][1])
    assert datum.label == 3 and datum.encoded == bool(options.get('encoded')
                                                      or options.get('encode_type'))


def test_pathlib_root_shuffle_and_progress(tmp_path):
    list_file = write_images(tmp_path / 'images', count=250)
    calls = []
    written = caffe.convert_imageset(tmp_path / 'images', list_file, tmp_path / 'db',
                                     shuffle=True, progress=lambda *a: calls.append(a))
    assert written == 250
    assert calls == [(100, 251), (200, 251), (251, 251)]
    records = read_all(tmp_path / 'db', 'lmdb')
    paths = sorted(key.decode().split('_', 1)[1] for key, _ in records)
    assert paths == sorted('img%02d.%s' % (i, 'pgm' if i % 3 == 0 else 'ppm')
                           for i in range(250))
    assert [key.decode().split('_', 1)[1] for key, _ in records] != paths  # shuffled


def test_errors_become_exceptions_and_leave_no_database(tmp_path):
    list_file = write_images(tmp_path / 'images', count=120)
    root = str(tmp_path / 'images') + '/'
    with pytest.raises(caffe.IOError, match='nolist'):
        caffe.convert_imageset(root, tmp_path / 'nolist.txt', tmp_path / 'a')

    def stop(done, total):
        raise RuntimeError('stopped at %d' % done)
    with pytest.raises(RuntimeError, match='stopped at 100'):
        caffe.convert_imageset(root, list_file, tmp_path / 'b', progress=stop)
    with pytest.raises(caffe.DataError, match='check_size'):
        caffe.convert_imageset(root, list_file, tmp_path / 'c', check_size=True)
    with pytest.raises(caffe.ConfigError):
        caffe.convert_imageset(root, list_file, tmp_path / 'd', backend='hdf5')
    bad_list = tmp_path / 'bad.txt'
    bad_list.write_text('no_label_here\n')
    with pytest.raises(caffe.ParseError, match='bad.txt:1'):
        caffe.convert_imageset(root, bad_list, tmp_path / 'e')
    assert sorted(os.listdir(tmp_path)) == ['bad.txt', 'images', 'list.txt']
    caffe.convert_imageset(root, list_file, tmp_path / 'f')
    with pytest.raises(caffe.IOError, match='already exists'):
        caffe.convert_imageset(root, list_file, tmp_path / 'f')


def triplet_tool():
    path = os.path.join(os.path.dirname(convert_tool()), 'convert_triplet_db')
    if not os.path.exists(path):
        pytest.fail('convert_triplet_db is not built (make tool_convert_triplet_db)')
    return path


def write_class_folders(root, classes=3, per_class=4, seed=2):
    """root/<class>/<image>.ppm, and a triplet list file over them."""
    rng = np.random.RandomState(seed)
    names = []
    for cls in range(classes):
        (root / ('c%d' % cls)).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.randint(0, 256, (5, 6, 3)).astype(np.uint8)
            name = 'c%d/i%d.ppm' % (cls, index)
            (root / name).write_bytes(b'P6\n6 5\n255\n' + pixels.tobytes())
            names.append((cls, name))
    lines = []
    for cls, name in names:
        positive = next(n for c, n in names if c == cls and n != name)
        negative = next(n for c, n in names if c != cls)
        lines.append('%s %s %s %d %d' % (name, positive, negative, cls, int(negative[1])))
    list_file = root.parent / 'triplets.txt'
    list_file.write_text('\n'.join(lines) + '\n')
    return list_file


TRIPLET_OPTION_SETS = [
    ({}, []),
    ({'gray': True, 'resize_height': 4, 'resize_width': 4, 'shuffle': True, 'seed': 5},
     ['--gray', '--resize_height=4', '--resize_width=4', '--shuffle', '--seed=5']),
    ({'encoded': True, 'encode_type': 'png', 'backend': 'leveldb'},
     ['--encoded', '--encode_type=png', '--backend=leveldb']),
]


@pytest.mark.parametrize('options,flags', TRIPLET_OPTION_SETS)
def test_convert_triplet_db_matches_the_tool(tmp_path, options, flags):
    list_file = write_class_folders(tmp_path / 'images')
    root = str(tmp_path / 'images') + '/'
    subprocess.run([triplet_tool()] + flags + [root, str(list_file), str(tmp_path / 'tool_db')],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    calls = []
    counts = caffe.convert_triplet_db(root, list_file, tmp_path / 'py_db',
                                      progress=lambda *a: calls.append(a), **options)
    assert counts['written'] == counts['total'] == 12 and counts['skipped'] == 0
    assert calls[-1] == (12, 12)
    backend = options.get('backend', 'lmdb')
    expected = read_all(tmp_path / 'tool_db', backend)
    assert len(expected) == 12
    assert read_all(tmp_path / 'py_db', backend) == expected
    triplet = caffe_pb2.TripletDatum.FromString(expected[0][1])
    assert len(triplet.label) == 2


def test_convert_triplet_db_sampled_from_folders_matches_the_tool(tmp_path):
    write_class_folders(tmp_path / 'images')
    subprocess.run([triplet_tool(), '--folders', '--triplets_per_anchor=2', '--seed=9',
                    str(tmp_path / 'images'), str(tmp_path / 'tool_db')],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    counts = caffe.convert_triplet_db(tmp_path / 'images', None, tmp_path / 'py_db',
                                      triplets_per_anchor=2, seed=9)
    assert counts['written'] == 24
    assert read_all(tmp_path / 'py_db', 'lmdb') == read_all(tmp_path / 'tool_db', 'lmdb')


def test_convert_triplet_db_errors(tmp_path):
    list_file = write_class_folders(tmp_path / 'images')
    root = str(tmp_path / 'images') + '/'
    bad = tmp_path / 'bad.txt'
    bad.write_text('only_one_path\n')
    with pytest.raises(caffe.ParseError, match='bad.txt:1'):
        caffe.convert_triplet_db(root, bad, tmp_path / 'a')
    missing = tmp_path / 'missing.txt'
    missing.write_text('c0/i0.ppm c0/nope.ppm c1/i0.ppm 0 1\n')
    with pytest.raises(caffe.IOError, match='nope.ppm'):
        caffe.convert_triplet_db(root, missing, tmp_path / 'b')
    # Skipping every triplet would write an empty database: refused (issue 11).
    with pytest.raises(caffe.DataError, match='none of the 1 triplets'):
        caffe.convert_triplet_db(root, missing, tmp_path / 'c', skip_missing=True)
    assert not (tmp_path / 'c').exists()

    def stop(done, total):
        raise RuntimeError('stop')
    with pytest.raises(RuntimeError, match='stop'):
        caffe.convert_triplet_db(root, list_file, tmp_path / 'd', progress=stop)
    caffe.convert_triplet_db(root, list_file, tmp_path / 'c')
    with pytest.raises(caffe.IOError, match='already exists|exists'):
        caffe.convert_triplet_db(root, list_file, tmp_path / 'c')
    assert caffe.convert_triplet_db(root, list_file, tmp_path / 'c',
                                    overwrite=True)['written'] == 12


def test_conversions_run_in_parallel_python_threads(tmp_path):
    """The GIL is released while converting and taken back for progress, so
    two conversions in two threads both report and both finish."""
    list_file = write_images(tmp_path / 'images', count=220)
    root = str(tmp_path / 'images') + '/'
    reports = {0: [], 1: []}
    errors = []

    def run(index):
        try:
            caffe.convert_imageset(root, list_file, tmp_path / ('db%d' % index),
                                   progress=lambda done, total: reports[index].append(done))
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    assert reports[0] == reports[1] == [100, 200, 221]
    assert read_all(tmp_path / 'db0', 'lmdb') == read_all(tmp_path / 'db1', 'lmdb')
