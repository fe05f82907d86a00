"""caffe.Classifier and caffe.Detector (upstream pycaffe's image helpers)
against hand-made nets whose outputs are easy to compute."""
import numpy as np
import pytest

import caffe

# Mean over each channel of a 3 x 8 x 8 input, as a 3-vector "score".
DEPLOY = '''name: "channel_means"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 8 dim: 8 } } }
layer { name: "pool" type: "Pooling" bottom: "data" top: "pool"
  pooling_param { pool: AVE global_pooling: true } }
layer { name: "flat" type: "Flatten" bottom: "pool" top: "score" }
'''


@pytest.fixture
def model(write, tmp_path):
    deploy = write('deploy.prototxt', DEPLOY)
    weights = str(tmp_path / 'w.caffemodel')
    caffe.Net(deploy, caffe.TEST).save(weights)
    return deploy, weights


def image(height, width, seed):
    return np.random.RandomState(seed).rand(height, width, 3).astype(np.float32)


def test_classifier_centre_crop_matches_the_transformer(model):
    deploy, weights = model
    mean = np.array([0.1, 0.2, 0.3], np.float32)
    classifier = caffe.Classifier(deploy, weights, image_dims=(12, 12), mean=mean,
                                  raw_scale=2.0, channel_swap=(2, 1, 0))
    images = [image(12, 12, 1), image(20, 16, 2), image(12, 12, 3)]
    scores = classifier.predict(images, oversample=False)
    assert scores.shape == (3, 3)
    for im, score in zip(images, scores):
        resized = caffe.io.resize_image(im, (12, 12))[2:10, 2:10]
        expected = (resized * 2.0).mean(axis=(0, 1))[::-1] - mean
        np.testing.assert_allclose(score, expected, rtol=1e-5, atol=1e-6)


def test_classifier_oversample_averages_ten_crops(model):
    deploy, weights = model
    classifier = caffe.Classifier(deploy, weights, image_dims=(10, 10))
    im = image(10, 10, 4)
    scores = classifier.predict([im])
    crops = caffe.io.oversample([im], (8, 8))
    expected = crops.mean(axis=(1, 2)).mean(axis=0)
    np.testing.assert_allclose(scores[0], expected, rtol=1e-5)
    with pytest.raises(caffe.ShapeError):
        classifier.predict([])


def test_detector_scores_windows_and_pads_with_the_mean(model, tmp_path):
    deploy, weights = model
    im = image(16, 16, 5)
    path = str(tmp_path / 'im.png')
    # Through a PNG file, as detect_windows reads images itself.
    pytest.importorskip('PIL')
    from PIL import Image
    Image.fromarray((im * 255).round().astype(np.uint8)).save(path)
    im = caffe.io.load_image(path)
    detector = caffe.Detector(deploy, weights)
    windows = np.array([[0, 0, 8, 8], [4, 2, 12, 10]])
    results = detector.detect_windows([(path, windows)])
    assert [r['filename'] for r in results] == [path, path]
    for result, window in zip(results, windows):
        crop = im[window[0]:window[2], window[1]:window[3]]
        np.testing.assert_allclose(result['prediction'], crop.mean(axis=(0, 1)), rtol=1e-4)
        np.testing.assert_array_equal(result['window'], window)

    mean = np.array([0.25, 0.5, 0.75], np.float32)
    padded = caffe.Detector(deploy, weights, mean=mean, context_pad=2)
    crop = padded.crop(im, np.array([0, 0, 7, 7]))
    assert crop.shape == (8, 8, 3)
    # The window starts at the image corner: the context above and to the
    # left lies outside the image and holds the mean.
    np.testing.assert_allclose(crop[0, 0], mean, rtol=1e-6)
    assert not np.allclose(crop[4, 4], mean)
