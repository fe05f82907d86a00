"""Python layers used by the pycaffe tests to build whole nets without any
C++ layer: a data source, a learnable linear map, a Euclidean loss, and
layers that report their phase, raise, or count their calls."""
import json

import numpy as np

import caffe


class FixedDataLayer(caffe.Layer):
    """Tops 'data' (N x D) and 'target' (N x K) drawn once from a seeded
    normal distribution; param_str {"n": N, "d": D, "k": K, "seed": S}."""

    def setup(self, bottom, top):
        params = json.loads(self.param_str)
        rng = np.random.RandomState(params.get('seed', 0))
        self.data = rng.randn(params['n'], params['d']).astype(np.float32)
        self.target = rng.randn(params['n'], params['k']).astype(np.float32)

    def reshape(self, bottom, top):
        top[0].reshape(*self.data.shape)
        top[1].reshape(*self.target.shape)

    def forward(self, bottom, top):
        top[0].data[...] = self.data
        top[1].data[...] = self.target


class LinearLayer(caffe.Layer):
    """y = x W^T with a learnable K x D weight created in setup();
    param_str {"k": K, "seed": S} (weights ~ 0.1 * N(0, 1))."""

    def setup(self, bottom, top):
        params = json.loads(self.param_str)
        if len(self.blobs) == 0:
            self.blobs.add_blob(params['k'], bottom[0].count // bottom[0].shape[0])
            rng = np.random.RandomState(params.get('seed', 1))
            self.blobs[0].data[...] = 0.1 * rng.randn(*self.blobs[0].shape)

    def reshape(self, bottom, top):
        top[0].reshape(bottom[0].shape[0], self.blobs[0].shape[0])

    @staticmethod
    def _flat(array):
        return array.reshape(array.shape[0], -1)

    def forward(self, bottom, top):
        top[0].data[...] = self._flat(bottom[0].data).dot(self.blobs[0].data.T)

    def backward(self, top, propagate_down, bottom):
        # Parameter gradients accumulate, as in C++ layers.
        self.blobs[0].diff[...] += top[0].diff.T.dot(self._flat(bottom[0].data))
        if propagate_down[0]:
            self._flat(bottom[0].diff)[...] = top[0].diff.dot(self.blobs[0].data)


class EuclideanLossLayer(caffe.Layer):
    """loss = sum((a - b)^2) / (2 N), the formula of caffe's EuclideanLoss."""

    def reshape(self, bottom, top):
        if bottom[0].count != bottom[1].count:
            raise caffe.ShapeError('EuclideanLossLayer inputs differ: %s vs %s'
                                   % (bottom[0].shape, bottom[1].shape))
        self.diff = np.zeros_like(bottom[0].data)
        top[0].reshape()

    def forward(self, bottom, top):
        self.diff[...] = bottom[0].data - bottom[1].data
        top[0].data[...] = np.sum(self.diff ** 2) / bottom[0].num / 2.0

    def backward(self, top, propagate_down, bottom):
        for i in range(2):
            if propagate_down[i]:
                sign = 1 if i == 0 else -1
                bottom[i].diff[...] = sign * top[0].diff * self.diff / bottom[i].num


class SquareImagesLayer(caffe.Layer):
    """Tops: images N x C x S x S and their targets, either class labels (N)
    or one-hot rows (N x K). The class of an image sets its mean brightness
    (centred on 0, so two classes are linearly separable without a bias),
    which survives rotations. param_str {"n": N, "c": C, "s": S,
    "classes": K, "target": "label" | "onehot", "seed": seed}."""

    def setup(self, bottom, top):
        params = json.loads(self.param_str)
        self.rng = np.random.RandomState(params.get('seed', 0))
        self.n, self.c, self.s = params['n'], params['c'], params['s']
        self.classes = params['classes']
        self.onehot = params.get('target', 'label') == 'onehot'

    def reshape(self, bottom, top):
        top[0].reshape(self.n, self.c, self.s, self.s)
        if self.onehot:
            top[1].reshape(self.n, self.classes)
        else:
            top[1].reshape(self.n)

    def forward(self, bottom, top):
        labels = self.rng.randint(self.classes, size=self.n)
        noise = self.rng.rand(self.n, self.c, self.s, self.s)
        centred = labels - (self.classes - 1) / 2.0
        top[0].data[...] = centred[:, None, None, None] + 0.5 * (noise - 0.5)
        top[1].data[...] = np.eye(self.classes)[labels] if self.onehot else labels


class TimesTwoLayer(caffe.Layer):
    def reshape(self, bottom, top):
        top[0].reshape(*bottom[0].shape)

    def forward(self, bottom, top):
        top[0].data[...] = 2 * bottom[0].data

    def backward(self, top, propagate_down, bottom):
        if propagate_down[0]:
            bottom[0].diff[...] = 2 * top[0].diff


class PhaseLayer(caffe.Layer):
    """Writes its phase (0 TRAIN, 1 TEST) into a scalar top."""

    def reshape(self, bottom, top):
        top[0].reshape()

    def forward(self, bottom, top):
        top[0].data[...] = self.phase


class RaisingLayer(caffe.Layer):
    """Raises ValueError in the method named by param_str (default forward)."""

    def _maybe_raise(self, method):
        if (self.param_str or 'forward') == method:
            raise ValueError('RaisingLayer was told to fail in %s' % method)

    def setup(self, bottom, top):
        self._maybe_raise('setup')

    def reshape(self, bottom, top):
        self._maybe_raise('reshape')
        top[0].reshape(*bottom[0].shape)

    def forward(self, bottom, top):
        self._maybe_raise('forward')
        top[0].data[...] = bottom[0].data

    def backward(self, top, propagate_down, bottom):
        self._maybe_raise('backward')


class PrintingLayer(caffe.Layer):
    """Passes data through and prints a marker once, to check that output
    from Python layers reaches stdout under the caffe tool."""

    def setup(self, bottom, top):
        print('PrintingLayer setup says hello')

    def reshape(self, bottom, top):
        top[0].reshape(*bottom[0].shape)

    def forward(self, bottom, top):
        top[0].data[...] = bottom[0].data
