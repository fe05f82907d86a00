"""caffe.io: proto <-> array conversions, triplets, images, Transformer."""
import numpy as np
import pytest

import caffe
from caffe import io as cio
from caffe.proto import caffe_pb2


def test_blobproto_round_trip():
    arr = np.random.RandomState(0).randn(2, 3, 4).astype(np.float32)
    diff = -arr
    blob = cio.array_to_blobproto(arr, diff)
    assert list(blob.shape.dim) == [2, 3, 4]
    np.testing.assert_array_equal(cio.blobproto_to_array(blob), arr)
    np.testing.assert_array_equal(cio.blobproto_to_array(blob, return_diff=True), diff)


def test_legacy_and_double_blobprotos():
    legacy = caffe_pb2.BlobProto(num=1, channels=2, height=1, width=2, data=[1, 2, 3, 4])
    assert cio.blobproto_to_array(legacy).shape == (1, 2, 1, 2)
    double = caffe_pb2.BlobProto(double_data=[0.5, 1.5])
    double.shape.dim.extend([2])
    np.testing.assert_array_equal(cio.blobproto_to_array(double), [0.5, 1.5])
    bad = caffe_pb2.BlobProto(data=[1, 2, 3])
    bad.shape.dim.extend([2, 2])
    with pytest.raises(caffe.ShapeError):
        cio.blobproto_to_array(bad)


def test_blobprotovector_round_trip():
    arrays = [np.ones((2, 2)), np.arange(3.0)]
    text = cio.arraylist_to_blobprotovector_str(arrays)
    back = cio.blobprotovector_str_to_arraylist(text)
    assert len(back) == 2
    for a, b in zip(arrays, back):
        np.testing.assert_array_equal(a, b)


def test_datum_round_trip():
    image = np.random.RandomState(1).randint(0, 256, (3, 4, 5)).astype(np.uint8)
    datum = cio.array_to_datum(image, label=7)
    assert (datum.channels, datum.height, datum.width, datum.label) == (3, 4, 5, 7)
    assert len(datum.data) == 60 and not datum.float_data
    back = cio.datum_to_array(datum)
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, image)
    floats = cio.array_to_datum(image.astype(np.float32) / 2)
    assert len(floats.float_data) == 60
    np.testing.assert_allclose(cio.datum_to_array(floats), image / 2.0)
    with pytest.raises(caffe.ShapeError):
        cio.array_to_datum(np.zeros((2, 2)))


def test_triplet_round_trip():
    rng = np.random.RandomState(2)
    images = [rng.randint(0, 256, (1, 4, 4)).astype(np.uint8) for _ in range(3)]
    triplet = cio.arrays_to_triplet(*images, labels=[1.5, -2])
    parsed = caffe_pb2.TripletDatum.FromString(triplet.SerializeToString())
    anchor, positive, negative, labels = cio.triplet_to_arrays(parsed)
    for expected, got in zip(images, (anchor, positive, negative)):
        np.testing.assert_array_equal(expected, got)
    np.testing.assert_array_equal(labels, [1.5, -2])
    with pytest.raises(caffe.ShapeError):
        cio.arrays_to_triplet(images[0], images[1], np.zeros((1, 5, 4), np.uint8))
    broken = caffe_pb2.TripletDatum(channels=1, height=4, width=4, data_anchor=b'xx',
                                    data_pos=b'', data_neg=b'')
    with pytest.raises(caffe.DataError):
        cio.triplet_to_arrays(broken)


def test_encoded_triplet_decodes():
    import cv2
    image = np.zeros((6, 8, 3), np.uint8)
    image[:, :, 0] = 200  # blue in OpenCV's BGR
    ok, png = cv2.imencode('.png', image)
    assert ok
    triplet = cio.arrays_to_triplet(png.tobytes(), png.tobytes(), png.tobytes(), encoded=True)
    triplet.channels = 3
    anchor = cio.triplet_to_arrays(triplet)[0]
    assert anchor.shape == (3, 6, 8) and anchor[0].min() == 200 and anchor[2].max() == 0


def test_load_image(tmp_path):
    import cv2
    image = np.zeros((4, 6, 3), np.uint8)
    image[..., 2] = 255  # red in BGR
    path = str(tmp_path / 'red.png')
    cv2.imwrite(path, image)
    loaded = cio.load_image(path)
    assert loaded.shape == (4, 6, 3) and loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded[0, 0], [1, 0, 0])  # RGB
    gray = cio.load_image(path, color=False)
    assert gray.shape == (4, 6, 1)
    with pytest.raises(OSError):
        cio.load_image(str(tmp_path / 'missing.png'))


def test_resize_image():
    im = np.arange(4, dtype=np.float32).reshape(2, 2, 1)
    same = cio.resize_image(im, (2, 2))
    np.testing.assert_array_equal(same, im)
    up = cio.resize_image(im, (4, 4))
    assert up.shape == (4, 4, 1)
    # Pixel-centre bilinear: corners keep the corner values, the middle
    # averages the four pixels.
    assert up[0, 0, 0] == 0 and up[3, 3, 0] == 3
    assert up[1:3, 1:3].mean() == pytest.approx(1.5)
    nearest = cio.resize_image(im, (4, 4), interp_order=0)
    np.testing.assert_array_equal(nearest[:, :, 0], [[0, 0, 1, 1], [0, 0, 1, 1],
                                                    [2, 2, 3, 3], [2, 2, 3, 3]])
    down = cio.resize_image(np.ones((8, 6, 3)), (3, 2))
    assert down.shape == (3, 2, 3) and np.allclose(down, 1)


def test_oversample():
    im = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)
    crops = cio.oversample([im, im + 1], (3, 4))
    assert crops.shape == (20, 3, 4, 2)
    np.testing.assert_array_equal(crops[0], im[0:3, 0:4])
    np.testing.assert_array_equal(crops[1], im[0:3, 2:6])
    np.testing.assert_array_equal(crops[2], im[2:5, 0:4])
    np.testing.assert_array_equal(crops[3], im[2:5, 2:6])
    np.testing.assert_array_equal(crops[4], im[1:4, 1:5])
    for i in range(5):
        np.testing.assert_array_equal(crops[5 + i], crops[i][:, ::-1])
    np.testing.assert_array_equal(crops[10], im[0:3, 0:4] + 1)


def test_transformer_preprocess_deprocess():
    t = cio.Transformer({'data': (1, 3, 4, 5)})
    t.set_transpose('data', (2, 0, 1))
    t.set_channel_swap('data', (2, 1, 0))
    t.set_raw_scale('data', 255)
    t.set_mean('data', np.array([10.0, 20.0, 30.0]))
    t.set_input_scale('data', 0.5)
    image = np.random.RandomState(3).rand(4, 5, 3).astype(np.float32)
    out = t.preprocess('data', image)
    assert out.shape == (3, 4, 5)
    expected = (image.transpose(2, 0, 1)[[2, 1, 0]] * 255
                - np.array([10, 20, 30])[:, None, None]) * 0.5
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(t.deprocess('data', out), image, rtol=1e-5, atol=1e-6)
    # Images of another size are resized to the input's H x W first.
    assert t.preprocess('data', np.ones((8, 10, 3))).shape == (3, 4, 5)


def test_transformer_checks():
    t = cio.Transformer({'data': (1, 3, 4, 5)})
    with pytest.raises(caffe.ConfigError):
        t.preprocess('nope', np.zeros((4, 5, 3)))
    with pytest.raises(caffe.ShapeError):
        t.set_transpose('data', (1, 0))
    with pytest.raises(caffe.ShapeError):
        t.set_channel_swap('data', (1, 0))
    with pytest.raises(caffe.ShapeError):
        t.set_mean('data', np.zeros(4))
    with pytest.raises(caffe.ShapeError):
        t.set_mean('data', np.zeros((3, 2, 2)))
    with pytest.raises(caffe.ShapeError):
        t.set_mean('data', np.zeros((4, 5)))  # H x W means fit one-channel inputs only
    t.set_mean('data', np.ones((3, 4, 5)))
    gray = cio.Transformer({'data': (1, 1, 4, 5)})
    gray.set_transpose('data', (2, 0, 1))
    gray.set_mean('data', np.ones((4, 5)))
    np.testing.assert_array_equal(gray.preprocess('data', np.ones((4, 5, 1))), np.zeros((1, 4, 5)))
