"""The two Python layers of the DIGITS documentation, ported to Python 3.

AccuracyLayer re-creates the Accuracy layer with JSON parameters
(param_str '{"top_k": 1}'); RotationLayer is the real-time augmentation layer
that rotates every image of the batch by a random multiple of 90 degrees,
meant for TRAIN only (include { phase: TRAIN }), usually in place on "data".
"""
import json

import numpy as np

import caffe


class AccuracyLayer(caffe.Layer):
    def setup(self, bottom, top):
        params = json.loads(self.param_str) if self.param_str else {}
        self.top_k = params.get('top_k', 1)

    def reshape(self, bottom, top):
        top[0].reshape(1)

    def forward(self, bottom, top):
        predictions = bottom[0].data
        ground_truth = bottom[1].data
        num_correct = 0.0
        # Indices of the top_k highest scores of every item.
        top_predictions = (-predictions).argsort()[:, :self.top_k]
        for batch_index, best in enumerate(top_predictions):
            if ground_truth[batch_index] in best:
                num_correct += 1
        top[0].data[0] = num_correct / len(ground_truth)

    def backward(self, top, propagate_down, bottom):
        pass


def do_augmentation(image):
    """Rotates an H x W x K image by 0, 90, 180 or 270 degrees at random."""
    return np.rot90(image, np.random.randint(4))


class RotationLayer(caffe.Layer):
    def setup(self, bottom, top):
        if len(bottom) != 1 or len(top) != 1:
            raise Exception('RotationLayer needs one bottom and one top')

    def reshape(self, bottom, top):
        top[0].reshape(*bottom[0].data.shape)

    def forward(self, bottom, top):
        top[0].data[...] = bottom[0].data
        for ii in range(top[0].data.shape[0]):
            imin = top[0].data[ii, :, :, :].transpose(1, 2, 0)
            top[0].data[ii, :, :, :] = do_augmentation(imin).transpose(2, 0, 1)

    def backward(self, top, propagate_down, bottom):
        pass
