"""caffe.augment: the C++ Augmenter from Python, checked against what the
Data layer feeds the net for the same records, and the preview grid."""
import pathlib
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
    assert len(params['vector']) == len(caffe.augment.PARAM_NAMES) == 42
    assert params['angle_deg'] == pytest.approx(params['vector'][0])
    assert set(caffe.augment.PARAM_NAMES) < set(params)
    assert params['ops'] == []  # no policy


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


def test_param_names_and_ops_come_from_the_engine():
    names = caffe.augment.PARAM_NAMES
    assert names[:3] == ('angle_deg', 'rot90', 'scale')
    assert names[24:28] == ('policy_ops_fired', 'cutouts', 'policy_op_0_type',
                            'policy_op_0_magnitude')
    ops = {op.name: op for op in caffe.augment.OPS}
    assert len(caffe.augment.OPS) == len(caffe_pb2.AugmentationParameter.Op.Type.keys())
    for name, number in caffe_pb2.AugmentationParameter.Op.Type.items():
        assert ops[name].type == number
    assert ops['ROTATE'].kind == 'geometric' and ops['ROTATE'].signed
    assert ops['FOG'].kind == 'pixel' and 'opacity' in ops['FOG'].mapping
    # The docs name every parameter.
    docs = (pathlib.Path(__file__).parents[2] / 'docs' / 'augmentation.md').read_text()
    for name in names:
        assert '`%s`' % name in docs


def test_apply_reports_the_policy_ops_that_fired():
    augmenter = caffe.augment.Augmenter(
        'random_seed: 3 policy { sub_policy { op { name: "gaussian-blur" magnitude: 0.5 } '
        'op { type: ROTATE magnitude: 0.25 } } }')
    _, params = augmenter.apply(images(1, 20, 20)[0], key=b'k', return_params=True)
    assert params['policy_ops_fired'] == 2
    assert params['ops'][0] == ('GAUSSIAN_BLUR', pytest.approx(0.5))
    assert params['ops'][1][0] == 'ROTATE'
    assert abs(params['ops'][1][1]) == pytest.approx(0.25)
    assert abs(params['angle_deg']) == pytest.approx(7.5)
    # A preset expands into its published sub-policies.
    preset = caffe.augment.Augmenter('policy { preset: "AUTOAUGMENT_IMAGENET" }')
    assert len(preset.param.policy.sub_policy) == 25


def test_bad_policy_values_name_field_and_range():
    with pytest.raises(caffe.ConfigError, match=r'sub_policy\[0\]\.op\[0\]\.magnitude = 1\.5 '
                                               r'is outside the allowed range \[0, 1\]'):
        caffe.augment.Augmenter('policy { sub_policy { op { type: FOG magnitude: 1.5 } } }')
    with pytest.raises(caffe.ConfigError, match='"blurr" is not an op'):
        caffe.augment.Augmenter('policy { sub_policy { op { name: "blurr" } } }')
    with pytest.raises(caffe.ConfigError, match='AUTOAUGMENT_IMAGENET, AUTOAUGMENT_CIFAR10'):
        caffe.augment.Augmenter('policy { preset: "imagenet" }')


@requires_layers('TripletData')
def test_preview_reads_a_triplet_data_layer(tmp_path):
    batch = images(6, 10, 12, seed=2)
    path = tmp_path / 'triplets'
    with caffe.db.open(path, 'lmdb', 'new') as db, db.transaction() as txn:
        for i in range(2):
            txn.put_triplet(b'%08d' % i, *(batch[3 * i + slot].transpose(2, 0, 1)
                                           for slot in range(3)))
    net_file = tmp_path / 'net.prototxt'
    net_file.write_text('layer { name: "t" type: "TripletData" top: "data" '
                        'triplet_data_param { source: "%s" batch_size: 2 } '
                        'augmentation_param { rotation: 20 share: GEOMETRY } }' % path)
    grid = tmp_path / 'grid.png'
    caffe.augment.preview(model=net_file, png_path=grid, records=2, samples=3, zoom=2)
    assert png_size(grid) == (4 * 24 + 5 * 4, 6 * 20 + 7 * 4)  # 2 records x 3 slots
    captioned = tmp_path / 'captioned.png'
    caffe.augment.preview(model=net_file, layer='t', png_path=captioned, records=1, samples=2,
                          captions=True)
    width, height = png_size(captioned)
    assert height > 3 * 10 + 4 * 4
    with pytest.raises(TypeError):
        caffe.augment.preview('rotation: 1', images(1), model=net_file)


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
