"""Writes scikit-learn's bundled handwritten digits as 28x28 grey images.

The 1,797 digits (8x8, 16 grey levels) are upsampled by pixel replication
plus a 2-pixel border to 28x28, written as binary PGM files, and listed in
Caffe list files (`path label`): the first 1,500 for training, the rest for
testing. Needs only numpy and scikit-learn (which ships the data).
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits


def write_pgm(path, image):
    with open(path, "wb") as out:
        out.write(b"P5\n%d %d\n255\n" % (image.shape[1], image.shape[0]))
        out.write(image.astype(np.uint8).tobytes())


def to_28x28(digit_8x8):
    grey = np.clip(digit_8x8 * (255.0 / 16.0), 0, 255)
    big = np.kron(grey, np.ones((3, 3)))  # 24x24
    return np.pad(big, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--train", type=int, default=1500)
    args = parser.parse_args()
    digits = load_digits()
    os.makedirs(os.path.join(args.out_dir, "img"), exist_ok=True)
    lines = []
    for index, (image, label) in enumerate(zip(digits.images, digits.target)):
        name = "img/%04d.pgm" % index
        write_pgm(os.path.join(args.out_dir, name), to_28x28(image))
        lines.append("%s %d\n" % (name, label))
    with open(os.path.join(args.out_dir, "train.txt"), "w") as out:
        out.writelines(lines[: args.train])
    with open(os.path.join(args.out_dir, "test.txt"), "w") as out:
        out.writelines(lines[args.train:])
    print("wrote %d images to %s" % (len(lines), args.out_dir))


if __name__ == "__main__":
    main()
