"""caffe.Classifier: a Net set up for classifying images, as in upstream
pycaffe (what python/classify.py and many notebooks use).

    net = caffe.Classifier('deploy.prototxt', 'weights.caffemodel',
                           image_dims=(256, 256), mean=mean_chw, raw_scale=255,
                           channel_swap=(2, 1, 0))
    probabilities = net.predict([caffe.io.load_image('cat.jpg')])   # N x classes

Images are H x W x K float arrays as caffe.io.load_image returns them (RGB
in [0, 1]); the Transformer turns them into the net's K x H x W input.
"""
import numpy as np

from . import io
from .errors import ShapeError
from .pycaffe import Net
from ._caffe import TEST


class Classifier(Net):
    """Net in TEST phase whose first input takes images.

    image_dims  (height, width) images are resized to before cropping;
                defaults to the input's own size (no cropping)
    mean        K x H x W (or K) mean subtracted after scaling
    input_scale multiplier applied after mean subtraction
    raw_scale   multiplier applied to the [0, 1] image first (255 for nets
                trained on 0..255 pixels)
    channel_swap order of channels, e.g. (2, 1, 0) for RGB images into a
                BGR-trained net
    """

    def __init__(self, model_file, pretrained_file, image_dims=None, mean=None,
                 input_scale=None, raw_scale=None, channel_swap=None):
        Net.__init__(self, model_file, TEST, weights=pretrained_file)
        in_ = self.inputs[0]
        self.transformer = io._net_input_transformer(self, mean, input_scale, raw_scale,
                                                     channel_swap)
        self.crop_dims = np.array(self.blobs[in_].data.shape[2:])
        self.image_dims = np.array(image_dims if image_dims else self.crop_dims)

    def predict(self, inputs, oversample=True):
        """Class scores (the net's first output) for each image in `inputs`
        (H x W x K arrays). With oversample, each image is scored as the mean
        over ten crops (corners, centre and their mirrors); otherwise over its
        centre crop. Returns an N x C array."""
        inputs = list(inputs)
        if not inputs:
            raise ShapeError('predict() needs at least one image')
        channels = np.asarray(inputs[0]).shape[-1]
        resized = np.zeros((len(inputs), int(self.image_dims[0]), int(self.image_dims[1]),
                            channels), dtype=np.float32)
        for i, image in enumerate(inputs):
            resized[i] = io.resize_image(image, self.image_dims)
        if oversample:
            crops = io.oversample(resized, self.crop_dims)
        else:
            offset = (self.image_dims - self.crop_dims) // 2
            if (offset < 0).any():
                raise ShapeError('image_dims %s are smaller than the net input %s'
                                 % (tuple(self.image_dims), tuple(self.crop_dims)))
            crops = resized[:, offset[0]:offset[0] + self.crop_dims[0],
                            offset[1]:offset[1] + self.crop_dims[1], :]
        in_ = self.inputs[0]
        batch = np.array([self.transformer.preprocess(in_, crop) for crop in crops],
                         dtype=np.float32)
        scores = self.forward_all(**{in_: batch})[self.outputs[0]]
        if oversample:
            scores = scores.reshape((len(scores) // 10, 10, -1)).mean(axis=1)
        return scores
