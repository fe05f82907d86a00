"""Tiny image sets for the policy-search tests: three shapes a small net
tells apart in a few iterations (horizontal bar, vertical bar, square), at
random positions with noise, 12 x 12 grey."""
import numpy as np


def shapes(count=90, size=12, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 40, size=(count, size, size)).astype(np.uint8)
    labels = np.arange(count) % 3
    for image, label in zip(images, labels):
        a, b = rng.integers(2, size - 5, size=2)
        if label == 0:
            image[a, 1:size - 1] = 230
            image[a + 1, 1:size - 1] = 230
        elif label == 1:
            image[1:size - 1, b] = 230
            image[1:size - 1, b + 1] = 230
        else:
            image[a:a + 4, b:b + 4] = 230
    return images, labels.astype(np.int64)
