"""Every engine error arrives as a caffe.CaffeError subclass that also is
the built-in exception a Python user expects; none aborts the interpreter."""
import pytest

import caffe
from conftest import linear_net


def test_hierarchy():
    assert issubclass(caffe.CaffeError, RuntimeError)
    builtins = {caffe.ParseError: ValueError, caffe.IOError: OSError,
                caffe.ConfigError: ValueError, caffe.ShapeError: ValueError,
                caffe.DataError: ValueError, caffe.OutOfMemoryError: MemoryError}
    for cls, builtin in builtins.items():
        assert issubclass(cls, caffe.CaffeError) and issubclass(cls, builtin)
    # A new engine error type (CAFFE_FOR_EACH_ERROR_TYPE) is added above with its base.
    assert set(caffe.errors.__all__) == {'CaffeError'} | {cls.__name__ for cls in builtins}


def test_missing_file_is_io_error(tmp_path):
    with pytest.raises(caffe.IOError) as info:
        caffe.Net(str(tmp_path / 'missing.prototxt'), caffe.TEST)
    assert 'missing.prototxt' in str(info.value)
    with pytest.raises(OSError):
        caffe.get_solver(str(tmp_path / 'missing_solver.prototxt'))


def test_bad_prototxt_text_is_parse_error(write):
    path = write('bad.prototxt', 'name: "x"\nlayer { name: "a" type: "Python" bottom: }\n')
    with pytest.raises(caffe.ParseError) as info:
        caffe.Net(path, caffe.TEST)
    assert 'bad.prototxt' in str(info.value)


def test_unknown_layer_type_is_config_error(write):
    path = write('unknown.prototxt', 'layer { name: "u" type: "NoSuchLayer" top: "u" }\n')
    with pytest.raises(caffe.ConfigError) as info:
        caffe.Net(path, caffe.TEST)
    assert 'NoSuchLayer' in str(info.value)


def test_bad_weights_file(write, tmp_path):
    net_path = write('net.prototxt', linear_net())
    with pytest.raises(caffe.IOError):
        caffe.Net(net_path, caffe.TEST, weights=str(tmp_path / 'missing.caffemodel'))
    garbage = write('garbage.caffemodel', 'this is { not a model')
    with pytest.raises(caffe.ParseError):
        caffe.Net(net_path, str(garbage), caffe.TEST)


def test_gpu_requests_run_on_the_cpu_and_bad_devices_are_refused():
    # Upstream scripts call set_mode_gpu()/set_device(n) unconditionally: they
    # warn (test_pycaffe_parity.py checks that) and keep computing on the CPU.
    caffe._runtime._gpu_warned = False
    with pytest.warns(RuntimeWarning, match='CPU-only'):
        caffe.set_mode_gpu()
    caffe.set_device(0)
    with pytest.raises(caffe.ConfigError):
        caffe.set_device(-1)
    caffe.set_mode_cpu()


def test_net_argument_errors(write):
    path = write('net.prototxt', linear_net())
    with pytest.raises(TypeError):
        caffe.Net(path)
    with pytest.raises(TypeError):
        caffe.Net(path, caffe.TEST, colour='blue')
    with pytest.raises(TypeError):
        caffe.Net(path, caffe.TEST, phase=caffe.TRAIN)
    with pytest.raises(caffe.ConfigError):
        caffe.Net(path, 7)
