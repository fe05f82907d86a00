"""caffe.Blob: shape accessors, numpy views that share memory, reshape."""
import numpy as np
import pytest

import caffe


def test_shape_accessors():
    blob = caffe.Blob(2, 3, 4, 5)
    assert blob.shape == (2, 3, 4, 5)
    assert blob.count == 120
    assert (blob.num, blob.channels, blob.height, blob.width) == (2, 3, 4, 5)
    short = caffe.Blob(7, 2)
    assert (short.num, short.channels, short.height, short.width) == (7, 2, 1, 1)


def test_data_and_diff_are_float32_views_sharing_memory():
    blob = caffe.Blob(2, 3)
    data = blob.data
    assert data.dtype == np.float32 and data.shape == (2, 3)
    data[...] = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(blob.data, np.arange(6).reshape(2, 3))
    assert np.shares_memory(blob.data, data)
    blob.diff[1, 2] = 7
    assert blob.diff[1, 2] == 7
    assert not np.shares_memory(blob.data, blob.diff)


def test_view_keeps_blob_alive():
    view = caffe.Blob(3).data
    view[...] = 4
    np.testing.assert_array_equal(view, [4, 4, 4])


def test_reshape_forms():
    blob = caffe.Blob(2, 2)
    blob.reshape(3, 4, 5)
    assert blob.shape == (3, 4, 5) and blob.data.shape == (3, 4, 5)
    blob.reshape((6, 2))
    assert blob.shape == (6, 2)
    blob.reshape()
    assert blob.shape == () and blob.count == 1
    blob.data[...] = 2.5
    assert float(blob.data) == 2.5


def test_empty_blob():
    blob = caffe.Blob(0, 3)
    assert blob.count == 0 and blob.data.shape == (0, 3)


def test_assigning_whole_arrays_checks_shape():
    blob = caffe.Blob(2, 3)
    blob.data = np.ones((2, 3))
    np.testing.assert_array_equal(blob.data, np.ones((2, 3)))
    blob.diff = 3  # scalars broadcast
    np.testing.assert_array_equal(blob.diff, np.full((2, 3), 3))
    with pytest.raises(caffe.ShapeError) as info:
        blob.data = np.ones((3, 2))
    assert '(3, 2)' in str(info.value) and '(2, 3)' in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_shapes_raise_shape_error():
    blob = caffe.Blob(2)
    with pytest.raises(caffe.ShapeError):
        blob.reshape(-1, 2)
    with pytest.raises(caffe.ShapeError):
        blob.reshape(2 ** 40)
    with pytest.raises(caffe.ShapeError):
        blob.reshape(65536, 65536)  # more than INT_MAX elements
    with pytest.raises(caffe.ShapeError):
        blob.reshape(*([1] * 33))  # more than 32 axes
    assert blob.shape == (2,)  # unchanged after the failures
