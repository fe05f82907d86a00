"""Conversions between numpy arrays and caffe's protos, image loading, and
the Transformer that turns images into network inputs.

Pure numpy. Loading and decoding images uses OpenCV (cv2) when it is
installed, else Pillow; neither is required for the rest of the module.
Images are handled as upstream pycaffe does: load_image gives H x W x K float
arrays in [0, 1] with RGB channels; nets take K x H x W, usually BGR.
"""
import numpy as np

from .errors import ConfigError, DataError, ShapeError
from .proto import caffe_pb2


# --------------------------------------------------------------- BlobProto ---

def _blobproto_shape(blob):
    if blob.HasField('num') or blob.HasField('channels') or blob.HasField('height') \
            or blob.HasField('width'):
        return (blob.num, blob.channels, blob.height, blob.width)
    return tuple(blob.shape.dim)


def blobproto_to_array(blob, return_diff=False):
    """The data (or diff) of a BlobProto as an array of the blob's shape
    (legacy num/channels/height/width or N-D `shape`)."""
    single, double = (blob.diff, blob.double_diff) if return_diff else (blob.data, blob.double_data)
    array = np.array(double if len(double) and not len(single) else single, dtype=np.float64)
    shape = _blobproto_shape(blob)
    if int(np.prod(shape)) != array.size:
        raise ShapeError('BlobProto holds %d values, but its shape %s needs %d'
                         % (array.size, shape, int(np.prod(shape))))
    return array.reshape(shape)


def array_to_blobproto(arr, diff=None):
    """A BlobProto with N-D shape holding `arr` (and `diff`, same shape)."""
    arr = np.asarray(arr)
    blob = caffe_pb2.BlobProto()
    blob.shape.dim.extend(arr.shape)
    blob.data.extend(arr.astype(float).flat)
    if diff is not None:
        diff = np.asarray(diff)
        if diff.shape != arr.shape:
            raise ShapeError('diff shape %s differs from data shape %s' % (diff.shape, arr.shape))
        blob.diff.extend(diff.astype(float).flat)
    return blob


def arraylist_to_blobprotovector_str(arraylist):
    """Serialized BlobProtoVector of the given arrays."""
    vector = caffe_pb2.BlobProtoVector()
    vector.blobs.extend([array_to_blobproto(arr) for arr in arraylist])
    return vector.SerializeToString()


def blobprotovector_str_to_arraylist(text):
    """The arrays of a serialized BlobProtoVector."""
    vector = caffe_pb2.BlobProtoVector()
    vector.ParseFromString(text)
    return [blobproto_to_array(blob) for blob in vector.blobs]


# ------------------------------------------------------------------ Datum ---

def array_to_datum(arr, label=None):
    """A Datum from a C x H x W array: uint8 arrays go to `data` (bytes),
    others to `float_data`."""
    arr = np.asarray(arr)
    if arr.ndim != 3:
        raise ShapeError('a Datum holds a C x H x W array, got shape %s' % (arr.shape,))
    datum = caffe_pb2.Datum()
    datum.channels, datum.height, datum.width = arr.shape
    if arr.dtype == np.uint8:
        datum.data = arr.tobytes()
    else:
        datum.float_data.extend(arr.astype(float).flat)
    if label is not None:
        datum.label = int(label)
    return datum


def datum_to_array(datum):
    """The C x H x W array of a Datum: uint8 for byte data, float otherwise.
    Encoded (JPEG/PNG) datums are decoded to BGR, as caffe's data layers do."""
    if datum.encoded:
        return _decode_to_chw(datum.data, datum.channels)
    shape = (datum.channels, datum.height, datum.width)
    if len(datum.data):
        values = np.frombuffer(datum.data, dtype=np.uint8)
    else:
        values = np.array(datum.float_data, dtype=float)
    if values.size != int(np.prod(shape)):
        raise DataError('Datum holds %d values, but its shape %s needs %d'
                        % (values.size, shape, int(np.prod(shape))))
    return values.reshape(shape)


# ----------------------------------------------------------- TripletDatum ---

def arrays_to_triplet(anchor, positive, negative, labels=None, encoded=False):
    """A TripletDatum from three uint8 C x H x W arrays of one shape (or,
    with encoded=True, three encoded image byte strings) and float labels."""
    triplet = caffe_pb2.TripletDatum()
    if encoded:
        triplet.encoded = True
        images = [bytes(image) for image in (anchor, positive, negative)]
    else:
        arrays = [np.asarray(image) for image in (anchor, positive, negative)]
        for array in arrays:
            if array.ndim != 3 or array.shape != arrays[0].shape:
                raise ShapeError('triplet images must be three C x H x W arrays of one shape, '
                                 'got %s' % [a.shape for a in arrays])
            if array.dtype != np.uint8:
                raise ShapeError('triplet images are stored as uint8, got %s' % array.dtype)
        triplet.channels, triplet.height, triplet.width = arrays[0].shape
        images = [array.tobytes() for array in arrays]
    triplet.data_anchor, triplet.data_pos, triplet.data_neg = images
    if labels is not None:
        triplet.label.extend(float(v) for v in np.atleast_1d(labels))
    return triplet


def triplet_to_arrays(triplet):
    """(anchor, positive, negative, labels) of a TripletDatum: three uint8
    C x H x W arrays (decoded to BGR when encoded) and a float32 label array."""
    shape = (triplet.channels, triplet.height, triplet.width)
    images = []
    for name in ('data_anchor', 'data_pos', 'data_neg'):
        payload = getattr(triplet, name)
        if triplet.encoded:
            images.append(_decode_to_chw(payload, triplet.channels))
            continue
        values = np.frombuffer(payload, dtype=np.uint8)
        if values.size != int(np.prod(shape)):
            raise DataError('TripletDatum %s holds %d bytes, but its shape %s needs %d'
                            % (name, values.size, shape, int(np.prod(shape))))
        images.append(values.reshape(shape))
    return images[0], images[1], images[2], np.array(triplet.label, dtype=np.float32)


# ----------------------------------------------------------------- images ---

def _cv2():
    try:
        import cv2
        return cv2
    except ImportError:
        return None


def _decode_to_chw(payload, channels):
    """Decodes an encoded image to a uint8 C x H x W BGR (or gray) array."""
    cv2 = _cv2()
    gray = channels == 1
    if cv2 is not None:
        flag = cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR
        image = cv2.imdecode(np.frombuffer(payload, dtype=np.uint8), flag)
        if image is None:
            raise DataError('cannot decode the encoded image (%d bytes)' % len(payload))
    else:
        image = np.asarray(_pil_open(payload, 'L' if gray else 'RGB'))
        if not gray:
            image = image[:, :, ::-1]
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    return np.ascontiguousarray(image.transpose(2, 0, 1))


def _pil_open(source, mode):
    try:
        from PIL import Image
    except ImportError:
        raise ConfigError('reading images needs OpenCV (opencv-python) or Pillow') from None
    import io as _io
    if isinstance(source, (bytes, bytearray)):
        source = _io.BytesIO(source)
    try:
        return Image.open(source).convert(mode)
    except OSError as error:
        raise DataError('cannot read image: %s' % error) from error


def load_image(filename, color=True):
    """Loads an image as an H x W x 3 (RGB) or H x W x 1 float32 array in
    [0, 1]. color=True turns gray images into three equal channels."""
    cv2 = _cv2()
    if cv2 is not None:
        image = cv2.imread(filename, cv2.IMREAD_COLOR if color else cv2.IMREAD_GRAYSCALE)
        if image is None:
            from .errors import IOError as CaffeIOError
            raise CaffeIOError('cannot read image %r' % filename)
        if color:
            image = image[:, :, ::-1]
    else:
        image = np.asarray(_pil_open(filename, 'RGB' if color else 'L'))
    image = image.astype(np.float32) / 255.0
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    return image


def _interpolation_axis(size_in, size_out):
    """Source coordinates of output pixel centres, clamped to the image."""
    scale = size_in / float(size_out)
    coords = (np.arange(size_out) + 0.5) * scale - 0.5
    return np.clip(coords, 0, size_in - 1)


def resize_image(im, new_dims, interp_order=1):
    """Resizes an H x W x K image to new_dims (height, width).

    interp_order 1 is bilinear, 0 nearest neighbour, sampling at pixel
    centres. Returns float32.
    """
    im = np.asarray(im, dtype=np.float32)
    if im.ndim != 3:
        raise ShapeError('resize_image expects H x W x K, got shape %s' % (im.shape,))
    height, width = int(new_dims[0]), int(new_dims[1])
    if (height, width) == im.shape[:2]:
        return im.copy()
    ys = _interpolation_axis(im.shape[0], height)
    xs = _interpolation_axis(im.shape[1], width)
    if interp_order == 0:
        return im[np.round(ys).astype(int)][:, np.round(xs).astype(int)]
    if interp_order != 1:
        raise ConfigError('interp_order must be 0 (nearest) or 1 (bilinear), got %r'
                          % interp_order)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, im.shape[0] - 1)
    x1 = np.minimum(x0 + 1, im.shape[1] - 1)
    wy = (ys - y0)[:, np.newaxis, np.newaxis]
    wx = (xs - x0)[np.newaxis, :, np.newaxis]
    top = im[y0][:, x0] * (1 - wx) + im[y0][:, x1] * wx
    bottom = im[y1][:, x0] * (1 - wx) + im[y1][:, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def oversample(images, crop_dims):
    """Ten crops per H x W x K image: the four corners and the centre, then
    the same five mirrored left-right. Returns N*10 x h x w x K float32."""
    crop_h, crop_w = int(crop_dims[0]), int(crop_dims[1])
    images = [np.asarray(im) for im in images]
    if not images:
        return np.empty((0, crop_h, crop_w, 0), np.float32)
    height, width, channels = images[0].shape
    if crop_h > height or crop_w > width:
        raise ShapeError('crop %s is larger than the images (%d x %d)'
                         % ((crop_h, crop_w), height, width))
    corners = [(y, x) for y in (0, height - crop_h) for x in (0, width - crop_w)]
    corners.append((int(height / 2.0 - crop_h / 2.0), int(width / 2.0 - crop_w / 2.0)))
    crops = np.empty((10 * len(images), crop_h, crop_w, channels), dtype=np.float32)
    for i, im in enumerate(images):
        for j, (y, x) in enumerate(corners):
            crop = im[y:y + crop_h, x:x + crop_w, :]
            crops[10 * i + j] = crop
            crops[10 * i + 5 + j] = crop[:, ::-1, :]
    return crops


# ------------------------------------------------------------ Transformer ---

class Transformer:
    """Converts images into a net's input layout and back.

    `inputs` maps input blob names to their shapes (e.g. {n: net.blobs[n].data.shape}).
    preprocess applies, in order: resize to the input's H x W, transpose,
    channel swap, raw scale, mean subtraction, input scale; deprocess undoes
    them in reverse order (except the resize).
    """

    def __init__(self, inputs):
        self.inputs = {name: tuple(shape) for name, shape in inputs.items()}
        self.transpose = {}
        self.channel_swap = {}
        self.raw_scale = {}
        self.mean = {}
        self.input_scale = {}

    def _check(self, name):
        if name not in self.inputs:
            raise ConfigError('%r is not one of the inputs %s' % (name, sorted(self.inputs)))

    def preprocess(self, in_, data):
        self._check(in_)
        caffe_in = np.asarray(data).astype(np.float32, copy=True)
        in_dims = self.inputs[in_][2:]
        if caffe_in.shape[:2] != in_dims:
            caffe_in = resize_image(caffe_in, in_dims)
        if in_ in self.transpose:
            caffe_in = caffe_in.transpose(self.transpose[in_])
        if in_ in self.channel_swap:
            caffe_in = caffe_in[self.channel_swap[in_], :, :]
        if in_ in self.raw_scale:
            caffe_in *= self.raw_scale[in_]
        if in_ in self.mean:
            caffe_in -= self.mean[in_]
        if in_ in self.input_scale:
            caffe_in *= self.input_scale[in_]
        return caffe_in

    def deprocess(self, in_, data):
        self._check(in_)
        image = np.array(data, dtype=np.float32).squeeze()
        if in_ in self.input_scale:
            image /= self.input_scale[in_]
        if in_ in self.mean:
            image += self.mean[in_]
        if in_ in self.raw_scale:
            image /= self.raw_scale[in_]
        if in_ in self.channel_swap:
            image = image[np.argsort(self.channel_swap[in_]), :, :]
        if in_ in self.transpose:
            image = image.transpose(np.argsort(self.transpose[in_]))
        return image

    def set_transpose(self, in_, order):
        """Axis order taking an image to the input layout, e.g. (2, 0, 1)
        for H x W x K -> K x H x W."""
        self._check(in_)
        if len(order) != len(self.inputs[in_]) - 1:
            raise ShapeError('transpose order %s needs %d axes for input %r of shape %s'
                             % (tuple(order), len(self.inputs[in_]) - 1, in_,
                                self.inputs[in_]))
        self.transpose[in_] = tuple(order)

    def set_channel_swap(self, in_, order):
        """Channel order, e.g. (2, 1, 0) for RGB -> BGR (applied after transpose)."""
        self._check(in_)
        if len(order) != self.inputs[in_][1]:
            raise ShapeError('channel swap %s needs %d channels for input %r'
                             % (tuple(order), self.inputs[in_][1], in_))
        self.channel_swap[in_] = list(order)

    def set_raw_scale(self, in_, scale):
        """Multiplier applied before mean subtraction (255 for [0, 1] images
        on nets trained on [0, 255])."""
        self._check(in_)
        self.raw_scale[in_] = scale

    def set_mean(self, in_, mean):
        """Mean to subtract: one value per channel (shape K) or a full
        K x H x W (or H x W) image."""
        self._check(in_)
        mean = np.asarray(mean, dtype=np.float32)
        if mean.ndim == 1:
            if mean.shape[0] != self.inputs[in_][1]:
                raise ShapeError('mean has %d channels, input %r has %d'
                                 % (mean.shape[0], in_, self.inputs[in_][1]))
            mean = mean[:, np.newaxis, np.newaxis]
        else:
            if mean.ndim == 2:
                mean = mean[np.newaxis]
            if mean.ndim != 3 or mean.shape != tuple(self.inputs[in_][1:]):
                raise ShapeError('mean of shape %s does not fit input %r of shape %s'
                                 % (mean.shape, in_, self.inputs[in_]))
        self.mean[in_] = mean

    def set_input_scale(self, in_, scale):
        """Multiplier applied after mean subtraction."""
        self._check(in_)
        self.input_scale[in_] = scale


def _net_input_transformer(net, mean=None, input_scale=None, raw_scale=None,
                           channel_swap=None):
    """The Transformer of `net`'s first input for H x W x K images, with the
    preprocessing options Classifier and Detector take (None: not set)."""
    name = net.inputs[0]
    transformer = Transformer({name: net.blobs[name].data.shape})
    transformer.set_transpose(name, (2, 0, 1))
    if mean is not None:
        transformer.set_mean(name, mean)
    if input_scale is not None:
        transformer.set_input_scale(name, input_scale)
    if raw_scale is not None:
        transformer.set_raw_scale(name, raw_scale)
    if channel_swap is not None:
        transformer.set_channel_swap(name, channel_swap)
    return transformer
