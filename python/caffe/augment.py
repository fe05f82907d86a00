"""Real-time augmentation from Python: the Augmenter the data layers run.

    aug = caffe.augment.Augmenter('random_seed: 7 rotation: 10 hflip_prob: 0.5')
    out = aug.apply(image_hwc_uint8, epoch=0, key=b'00000003_cat.jpg')
    caffe.augment.preview(aug.param, [image], samples=8, png_path='grid.png')
    # A data layer's first records (Data or TripletData), as training sees them:
    caffe.augment.preview(model='train.prototxt', png_path='grid.png', zoom=4,
                          captions=True)

The same parameters, record key, epoch and slot give exactly the image the
Data layer feeds the net (before transform_param's scale and mean), whatever
thread or order. docs/augmentation.md documents every parameter and op.
"""
import collections
import os

import numpy as np
from google.protobuf import text_format

from . import _caffe
from ._caffe import TRAIN
from .errors import ParseError, ShapeError
from .proto import caffe_pb2

__all__ = ['Augmenter', 'OPS', 'OpInfo', 'PARAM_NAMES', 'preview']

# The name of each entry of the sampled-parameter vector (the Data layer's
# "params" top with emit_params), as the C++ engine defines them.
PARAM_NAMES = tuple(_caffe.augment_param_names())

# One row of the engine's op table. kind is 'geometric', 'pixel' or 'none';
# mapping says what magnitude m in [0, 1] does.
OpInfo = collections.namedtuple('OpInfo', 'name type kind signed mapping')

# Every policy op, in enum order.
OPS = tuple(OpInfo(*row) for row in _caffe.augment_op_table())
_OP_NAMES = {op.type: op.name for op in OPS}


def _fired_ops(params):
    """[(op name, signed magnitude)] of the policy ops recorded in params."""
    ops = []
    for k in range(int(params['policy_ops_fired'])):
        type_key = 'policy_op_%d_type' % k
        if type_key not in params:
            break  # more fired than the vector records
        ops.append((_OP_NAMES[int(params[type_key])], params['policy_op_%d_magnitude' % k]))
    return ops


def _param_message(param):
    if isinstance(param, caffe_pb2.AugmentationParameter):
        return param
    if isinstance(param, (str, bytes)):
        text = param.decode('utf-8') if isinstance(param, bytes) else param
        message = caffe_pb2.AugmentationParameter()
        try:
            text_format.Parse(text, message)
        except text_format.ParseError as error:
            raise ParseError('AugmentationParameter: %s' % error) from None
        return message
    raise TypeError('param must be a caffe_pb2.AugmentationParameter or prototxt text, got %s'
                    % type(param).__name__)


def _image(image, what):
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ShapeError('%s must be uint8 H x W x C (interleaved), got dtype %s'
                         % (what, image.dtype))
    return np.ascontiguousarray(image)


class Augmenter:
    """Augments 8-bit H x W x C (or H x W grey) images. `param` is an
    AugmentationParameter or its prototxt text; an unset random_seed is drawn
    from caffe's RNG (see caffe.set_random_seed), as in the Data layer."""

    def __init__(self, param):
        self._augmenter = _caffe.Augmenter(_param_message(param).SerializeToString())

    @property
    def param(self):
        """The parameters in effect (random_seed resolved)."""
        message = caffe_pb2.AugmentationParameter()
        message.ParseFromString(self._augmenter._param_bytes())
        return message

    @property
    def seed(self):
        return self._augmenter.seed

    def output_size(self, height, width):
        """(height, width) of the output for an input of height x width."""
        return self._augmenter.output_size(height, width)

    def apply(self, image, epoch=0, key=b'', slot=0, phase=TRAIN, return_params=False):
        """The augmented H x W x C uint8 image (H x W for an H x W input) for
        record `key` (bytes, the database key) at `epoch`; slot is the image's index in a multi-image
        record (0, 1, 2 for a triplet's anchor, positive, negative). With
        return_params=True also returns the sampled parameters as a dict
        (keys PARAM_NAMES) plus 'vector', the floats of the params top, and
        'ops', the policy ops that fired as (name, signed magnitude)."""
        if isinstance(key, str):
            key = key.encode('utf-8')
        image = _image(image, 'image')
        augmented, vector, _ = self._augmenter._apply(image, int(epoch), bytes(key), int(slot),
                                                      phase)
        if image.ndim == 2:
            augmented = augmented[:, :, 0]  # grey in, grey out: H x W
        if not return_params:
            return augmented
        params = {name: float(value) for name, value in zip(PARAM_NAMES, vector)}
        params['vector'] = vector
        params['ops'] = _fired_ops(params)
        return augmented, params


def preview(param=None, images=None, samples=6, png_path='augment_preview.png', keys=None, *,
            slots=None, zoom=1, captions=False, model=None, layer=None, records=4):
    """Writes a PNG grid of augmented samples (TRAIN phase, epochs
    0..samples-1), one row per image, the input first.

    From images: `param` is an AugmentationParameter, its text, or an
    Augmenter; with keys (database keys, one per image) and slots (index in a
    multi-image record: 0, 1, 2 for a triplet's anchor, positive, negative)
    the rows are what training sees for those records.

    From a data layer: model='net.prototxt' (and layer=name, default the
    first layer with an augmentation_param) reads the first `records`
    records of the layer's database, Data (data_param) or TripletData
    (triplet_data_param, one row per slot), under its augmentation_param.

    zoom enlarges every cell (e.g. 4 for 28-pixel digits); captions=True
    writes the policy ops that fired and the sampled values under each cell.
    """
    if model is not None:
        if param is not None or images is not None:
            raise TypeError('preview takes either model=... or param and images, not both')
        _caffe.augment_layer_preview(os.fspath(model), layer or '', int(records), int(samples),
                                     float(zoom), bool(captions), os.fspath(png_path))
        return
    if param is None or images is None:
        raise TypeError('preview needs param and images, or model=')
    augmenter = param if isinstance(param, Augmenter) else Augmenter(param)
    arrays = [_image(image, 'a preview image') for image in images]
    key_list = [] if keys is None else [k.encode('utf-8') if isinstance(k, str) else bytes(k)
                                        for k in keys]
    slot_list = [] if slots is None else [int(slot) for slot in slots]
    _caffe.augment_preview(augmenter._augmenter, arrays, int(samples), os.fspath(png_path),
                           key_list, slot_list, float(zoom), bool(captions))
