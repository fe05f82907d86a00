"""Real-time augmentation from Python: the Augmenter the data layers run.

    aug = caffe.augment.Augmenter('random_seed: 7 rotate_max_deg: 10 hflip_prob: 0.5')
    out = aug.apply(image_hwc_uint8, epoch=0, key=b'00000003_cat.jpg')
    caffe.augment.preview(aug.param, [image], samples=8, png_path='grid.png')

The same parameters, record key, epoch and slot give exactly the image the
Data layer feeds the net (before transform_param's scale and mean), whatever
thread or order. docs/augmentation.md documents every parameter.
"""
import os

import numpy as np
from google.protobuf import text_format

from . import _caffe
from ._caffe import TRAIN
from .errors import ParseError, ShapeError
from .proto import caffe_pb2

__all__ = ['Augmenter', 'PARAM_NAMES', 'preview']

# The meaning of each entry of the sampled-parameter vector (the Data layer's
# "params" top with emit_params).
PARAM_NAMES = ('angle_deg', 'rot90', 'scale', 'aspect', 'shear_x', 'shear_y', 'translate_x',
               'translate_y', 'hflip', 'vflip', 'crop_x', 'crop_y', 'window_x', 'window_y',
               'window_width', 'window_height', 'brightness', 'contrast', 'saturation', 'hue',
               'gamma', 'pca_alpha_0', 'pca_alpha_1', 'pca_alpha_2', 'policy_pixel_ops',
               'cutouts')


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
        (keys PARAM_NAMES) plus 'vector', the 26 floats of the params top."""
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
        return augmented, params


def preview(param, images, samples, png_path, keys=None):
    """Writes a PNG grid: row i is images[i] followed by `samples` TRAIN-phase
    augmentations (epochs 0..samples-1). With keys (database keys, one per
    image) the rows are what training sees for those records. `param` is an
    AugmentationParameter, its text, or an Augmenter."""
    augmenter = param if isinstance(param, Augmenter) else Augmenter(param)
    arrays = [_image(image, 'a preview image') for image in images]
    key_list = [] if keys is None else [k.encode('utf-8') if isinstance(k, str) else bytes(k)
                                        for k in keys]
    _caffe.augment_preview(augmenter._augmenter, arrays, int(samples), os.fspath(png_path),
                           key_list)
