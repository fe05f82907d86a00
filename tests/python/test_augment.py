"""caffe.augment: the C++ Augmenter from Python, checked against what the
Data layer feeds the net for the same records, and the preview grid."""
import struct

import numpy as np
import pytest
from google.protobuf import text_format

import caffe
from caffe.proto import caffe_pb2

from conftest import requires_layers

PARAM = ('random_seed: 1701 crop_size: 6 rotation: 20 scale_min: 0.8 scale_max: 1.2 '
         'hflip_prob: 0.5 brightness: 0.3 contrast: 0.2 noise_std: 4 cutout_prob: 0.5')


def images(count=5, height=9, width=8, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randint(0, 256, (count, height, width, 3)).astype(np.uint8)


def test_text_and_message_parameters_agree_and_are_deterministic():
    image = images(1)[0]
    message = caffe_pb2.AugmentationParameter()
    text_format.Parse(PARAM, message)
    by_text = caffe.augment.Augmenter(PARAM)
    by_message = caffe.augment.Augmenter(message)
    assert by_text.seed == 1701 and by_text.param.crop_size == 6
    first = by_text.apply(image, epoch=2, key=b'00000007')
    assert first.shape == (6, 6, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, by_message.apply(image, epoch=2, key=b'00000007'))
    np.testing.assert_array_equal(first, by_text.apply(image, epoch=2, key='00000007'))
    # Another epoch, record or slot draws other parameters.
    _, params = by_text.apply(image, epoch=2, key=b'00000007', return_params=True)
    for other in ({'epoch': 3, 'key': b'00000007'}, {'epoch': 2, 'key': b'00000008'},
                  {'epoch': 2, 'key': b'00000007', 'slot': 1}):
        _, other_params = by_text.apply(image, return_params=True, **other)
        assert not np.array_equal(params['vector'], other_params['vector'])
    assert len(params['vector']) == 26
    assert params['angle_deg'] == pytest.approx(params['vector'][0])
    assert set(caffe.augment.PARAM_NAMES) < set(params)


def test_test_phase_only_adapts_the_size():
    image = images(1)[0]
    augmenter = caffe.augment.Augmenter('random_seed: 1 crop_size: 6 rotation: 30')
    out = augmenter.apply(image, phase=caffe.TEST)
    np.testing.assert_array_equal(out, image[1:7, 1:7])  # centre crop, nothing random
    assert augmenter.output_size(9, 8) == (6, 6)


def test_grey_images_keep_their_layout():
    augmenter = caffe.augment.Augmenter('random_seed: 2 crop_size: 6 rotation: 10')
    colour = images(1)[0]
    grey = colour[:, :, 1]
    out = augmenter.apply(grey, key=b'g')
    assert out.shape == (6, 6)
    out3 = augmenter.apply(grey[:, :, None], key=b'g')
    np.testing.assert_array_equal(out, out3[:, :, 0])


def test_unseeded_augmenter_follows_caffe_random_seed():
    image = images(1)[0]
    caffe.set_random_seed(11)
    first = caffe.augment.Augmenter('rotation: 45').apply(image, key=b'a')
    caffe.set_random_seed(11)
    again = caffe.augment.Augmenter('rotation: 45').apply(image, key=b'a')
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize('backend', ['lmdb', 'leveldb'])
def test_matches_the_data_layer_record_by_record(tmp_path, backend):
    batch = images()
    keys = [b'%08d_img' % i for i in range(len(batch))]
    path = tmp_path / 'db'
    with caffe.db.open(path, backend, 'new') as db, db.transaction() as txn:
        for key, image in zip(keys, batch):
            txn.put_datum(key, image.transpose(2, 0, 1), label=0)  # Datum is CHW
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('''layer { name: "data" type: "Data"
  top: "data" top: "label" top: "params"
  data_param { source: "%s" backend: %s batch_size: 5 }
  augmentation_param { %s emit_params: true } }''' % (path, backend.upper(), PARAM))
    net = caffe.Net(str(net_file), caffe.TRAIN)
    net.forward()
    augmenter = caffe.augment.Augmenter(PARAM)
    for index, (key, image) in enumerate(zip(keys, batch)):
        expected, params = augmenter.apply(image, epoch=0, key=key, return_params=True)
        np.testing.assert_array_equal(net.blobs['data'].data[index],
                                      expected.transpose(2, 0, 1).astype(np.float32))
        np.testing.assert_array_equal(net.blobs['params'].data[index], params['vector'])
    # The second pass over the database is epoch 1.
    net.forward()
    expected = augmenter.apply(batch[0], epoch=1, key=keys[0])
    np.testing.assert_array_equal(net.blobs['data'].data[0], expected.transpose(2, 0, 1))


def png_size(path):
    header = open(path, 'rb').read(24)
    assert header[:8] == b'\x89PNG\r\n\x1a\n'
    return struct.unpack('>II', header[16:24])


def test_preview_writes_the_png_grid(tmp_path):
    batch = images(3)
    path = tmp_path / 'grid.png'
    caffe.augment.preview(PARAM, batch, 4, path)
    first_width, first_height = png_size(path)
    keyed = tmp_path / 'keyed.png'
    caffe.augment.preview(caffe.augment.Augmenter(PARAM), batch, 4, str(keyed),
                          keys=[b'a', b'b', b'c'])
    assert png_size(keyed) == (first_width, first_height)
    assert first_width > first_height  # 3 rows of 5 tiles
    assert path.read_bytes() != keyed.read_bytes()  # other records, other draws


def test_errors_become_python_exceptions(tmp_path):
    with pytest.raises(caffe.ParseError):
        caffe.augment.Augmenter('rotation: [not a number')
    with pytest.raises(caffe.ConfigError):
        caffe.augment.Augmenter('rotation: 500')
    with pytest.raises(TypeError):
        caffe.augment.Augmenter(42)
    augmenter = caffe.augment.Augmenter('random_seed: 1 rotation: 10')
    with pytest.raises(caffe.ShapeError, match='uint8'):
        augmenter.apply(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(caffe.ShapeError):
        augmenter.apply(np.zeros((4,), np.uint8))
    with pytest.raises(caffe.ShapeError, match='keys'):
        caffe.augment.preview(augmenter, images(2), 2, tmp_path / 'x.png', keys=[b'a'])
    with pytest.raises(caffe.IOError):
        caffe.augment.preview(augmenter, images(1), 2, tmp_path / 'no' / 'dir' / 'x.png')


@requires_layers('TripletData')
def test_matches_the_triplet_data_layer_slot_by_slot(tmp_path):
    batch = images(6, seed=4)
    keys = [b'%08d_t' % i for i in range(2)]
    path = tmp_path / 'triplets'
    with caffe.db.open(path, 'lmdb', 'new') as db, db.transaction() as txn:
        for index, key in enumerate(keys):
            anchor, positive, negative = (image.transpose(2, 0, 1)
                                          for image in batch[3 * index:3 * index + 3])
            txn.put_triplet(key, anchor, positive, negative, labels=(index, 1 - index))
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('''layer { name: "triplets" type: "TripletData" top: "data"
  triplet_data_param { source: "%s" batch_size: 2 layout: STACKED num_threads: 2 }
  augmentation_param { %s } }''' % (path, PARAM))
    net = caffe.Net(str(net_file), caffe.TRAIN)
    net.forward()
    data = net.blobs['data'].data
    assert data.shape == (6, 3, 6, 6)
    augmenter = caffe.augment.Augmenter(PARAM)
    for item, key in enumerate(keys):
        for slot in range(3):
            expected = augmenter.apply(batch[3 * item + slot], key=key, slot=slot)
            np.testing.assert_array_equal(data[slot * 2 + item], expected.transpose(2, 0, 1))
