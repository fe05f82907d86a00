"""Writes scikit-learn's bundled digits as class folders and list files.

The 1,797 digits (8x8, 16 grey levels) are upsampled by pixel replication plus
a 2-pixel border to 28x28 binary PGM files. The first 1,500 go to
OUT/train/<digit>/, the remaining 297 - held out, never seen in training - to
OUT/test/<digit>/. OUT/train.txt and OUT/test.txt list them ("path label",
relative to OUT) for convert_imageset, in the order features are extracted.
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
    return np.pad(np.kron(grey, np.ones((3, 3))), 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--train", type=int, default=1500)
    args = parser.parse_args()
    digits = load_digits()
    lists = {"train": [], "test": []}
    for index, (image, label) in enumerate(zip(digits.images, digits.target)):
        split = "train" if index < args.train else "test"
        name = "%s/%d/%04d.pgm" % (split, label, index)
        os.makedirs(os.path.join(args.out_dir, os.path.dirname(name)), exist_ok=True)
        write_pgm(os.path.join(args.out_dir, name), to_28x28(image))
        lists[split].append("%s %d\n" % (name, label))
    for split, lines in lists.items():
        with open(os.path.join(args.out_dir, split + ".txt"), "w") as out:
            out.writelines(lines)
    print("wrote %d training and %d held-out digits to %s"
          % (len(lists["train"]), len(lists["test"]), args.out_dir))


if __name__ == "__main__":
    main()
