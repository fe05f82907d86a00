"""caffe.Detector: a Net set up for scoring windows of images (R-CNN style),
as in upstream pycaffe (python/detect.py uses it).

    net = caffe.Detector('deploy.prototxt', 'weights.caffemodel', mean=mean_chw,
                         raw_scale=255, channel_swap=(2, 1, 0), context_pad=16)
    results = net.detect_windows([('image.jpg', [[ymin, xmin, ymax, xmax], ...])])
    results[0]['prediction']     # the net's first output for that window

Windows are (ymin, xmin, ymax, xmax) pixel boxes, inclusive of the last row
and column. With context_pad, each window is enlarged so that, once warped to
the net input, `context_pad` pixels of surrounding image (or of the mean
where the window reaches past the image) border it, as R-CNN does.
"""
import numpy as np

from . import io
from .errors import ConfigError
from .pycaffe import Net
from ._caffe import TEST


class Detector(Net):
    def __init__(self, model_file, pretrained_file, mean=None, input_scale=None,
                 raw_scale=None, channel_swap=None, context_pad=None):
        Net.__init__(self, model_file, TEST, weights=pretrained_file)
        self.transformer = io._net_input_transformer(self, mean, input_scale, raw_scale,
                                                     channel_swap)
        self.configure_crop(context_pad)

    def configure_crop(self, context_pad):
        """Sets the context padding and the fill value of padding that falls
        outside the image: the mean, brought back to image scale and order."""
        in_ = self.inputs[0]
        self.crop_dims = np.array(self.blobs[in_].data.shape[2:])
        self.context_pad = context_pad
        if not context_pad:
            return
        channels = self.blobs[in_].data.shape[1]
        mean = self.transformer.mean.get(in_)
        if mean is None:
            self.crop_mean = np.zeros((int(self.crop_dims[0]), int(self.crop_dims[1]),
                                       channels), dtype=np.float32)
            return
        height, width = int(self.crop_dims[0]), int(self.crop_dims[1])
        mean = np.asarray(mean, dtype=np.float32)
        if mean.ndim == 1:
            mean = mean.reshape(-1, 1, 1)
        if mean.shape[1:] not in ((1, 1), (height, width)):
            # A mean image of another size: resized to the crop, channel by channel.
            mean = io.resize_image(mean.transpose((1, 2, 0)), (height, width)).transpose((2, 0, 1))
        mean = np.broadcast_to(mean, (channels, height, width))
        # Undo what preprocess() will do to the crop before subtracting the mean.
        raw_scale = self.transformer.raw_scale.get(in_, 1)
        image_mean = mean / raw_scale
        swap = self.transformer.channel_swap.get(in_)
        if swap is not None:
            image_mean = image_mean[np.argsort(swap)]
        self.crop_mean = image_mean.transpose((1, 2, 0))

    def crop(self, im, window):
        """The H x W x K crop of `im` for `window`, with context padding when
        configured (the crop then has the net input's size)."""
        window = np.asarray(window, dtype=float)
        ymin, xmin, ymax, xmax = [int(v) for v in window]
        if not self.context_pad:
            return im[ymin:ymax, xmin:xmax]
        size = float(self.crop_dims[0])
        # The window must cover size - 2 * context_pad input pixels.
        scale = size / (size - 2 * self.context_pad)
        half = np.array([(window[2] - window[0] + 1) / 2.0, (window[3] - window[1] + 1) / 2.0])
        centre = np.array([window[0], window[1]]) + half
        grown = np.round(np.concatenate([centre - scale * half, centre + scale * half]))
        grown_h = grown[2] - grown[0] + 1
        grown_w = grown[3] - grown[1] + 1
        pixels_per_y, pixels_per_x = size / grown_h, size / grown_w
        # Where the grown box leaves the image, the crop keeps mean padding.
        pad_y = int(round(max(0, -grown[0]) * pixels_per_y))
        pad_x = int(round(max(0, -grown[1]) * pixels_per_x))
        height, width = im.shape[:2]
        inside = np.clip(grown, 0, [height, width, height, width])
        inside_h = inside[2] - inside[0] + 1
        inside_w = inside[3] - inside[1] + 1
        if inside_h <= 0 or inside_w <= 0:
            raise ConfigError('window %s lies outside the %d x %d image'
                              % (list(window), height, width))
        crop_h = min(int(round(inside_h * pixels_per_y)), int(size) - pad_y)
        crop_w = min(int(round(inside_w * pixels_per_x)), int(size) - pad_x)
        region = im[int(inside[0]):int(inside[2]), int(inside[1]):int(inside[3])]
        result = self.crop_mean.copy()
        result[pad_y:pad_y + crop_h, pad_x:pad_x + crop_w] = io.resize_image(region,
                                                                             (crop_h, crop_w))
        return result

    def detect_windows(self, images_windows):
        """Scores windows. `images_windows` is a list of (image file name,
        windows) pairs, windows being an N x 4 array of (ymin, xmin, ymax,
        xmax). Returns one dict per window, in order: 'window', 'prediction'
        (the net's first output) and 'filename'."""
        in_ = self.inputs[0]
        crops, meta = [], []
        for filename, windows in images_windows:
            image = io.load_image(filename).astype(np.float32)
            for window in np.asarray(windows):
                crops.append(self.transformer.preprocess(in_, self.crop(image, window)))
                meta.append((window, filename))
        if not crops:
            return []
        outputs = self.forward_all(**{in_: np.asarray(crops, dtype=np.float32)})
        scores = outputs[self.outputs[0]]
        return [{'window': window, 'prediction': score.squeeze(), 'filename': filename}
                for (window, filename), score in zip(meta, scores)]

    def detect_selective_search(self, image_fnames):
        """Upstream proposes windows with the MATLAB selective_search_ijcv_with_python
        package; it is not part of this build. Compute windows yourself and
        call detect_windows()."""
        try:
            import selective_search_ijcv_with_python as selective_search
        except ImportError as error:
            raise ImportError('detect_selective_search needs the selective_search_ijcv_with_python '
                              'package (MATLAB); pass your own windows to detect_windows()'
                              ) from error
        windows = selective_search.get_windows(list(image_fnames))
        return self.detect_windows(zip(image_fnames, windows))
