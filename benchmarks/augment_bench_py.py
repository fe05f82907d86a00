#!/usr/bin/env python3
"""Python baselines for the augmentation benchmark, and the ratio table.

Measures, per thread (CPU time of the measuring thread, so a busy machine
does not distort the ratios), on 256x256 RGB uint8 images:
  - albumentations: Affine(rotate +-15, scale 0.9-1.1, shear +-10),
    HorizontalFlip, RandomCrop 227, RandomBrightnessContrast(0.2, 0.2),
    GaussNoise(std 8 grey levels), with cv2.setNumThreads(1);
  - scipy.ndimage.rotate(order=1, reshape=False) over a batch in a Python
    loop, arbitrary angles;
  - np.rot90 over a batch in a Python loop (made contiguous, i.e. a real
    output image, as a data layer needs);
  - every DeepAugment policy op's nearest albumentations transform alone,
    called directly (no Compose), at the strength our op has at magnitude
    0.5 on a 256x256 image (OP_BASELINES below).
Then runs the C++ benchmark (augment_bench) and prints ours / baseline.

  python3 benchmarks/augment_bench_py.py --bench build/benchmarks/augment_bench
  python3 benchmarks/augment_bench_py.py --ops-only   # the per-op table only
"""
import argparse
import os
import subprocess
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import scipy.ndimage  # noqa: E402

SIZE, CROP, BATCH = 256, 227, 32


def make_images():
    rng = np.random.default_rng(1)
    images = []
    for i in range(BATCH):
        img = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
        img = cv2.GaussianBlur(img, (7, 7), 2.0)
        cv2.circle(img, (80 + i, 120), 50, (30, 200, 90), -1)
        images.append(img)
    return images


def measure(seconds, one):
    """Images per CPU-second of this thread."""
    for i in range(4):
        one(i)
    start = time.thread_time()
    done = 0
    while time.thread_time() - start < seconds:
        for _ in range(8):
            one(done)
            done += 1
    return done / (time.thread_time() - start)


def albumentations_rate(images, seconds):
    import albumentations as A

    pipeline = A.Compose([
        A.Affine(rotate=(-15, 15), scale=(0.9, 1.1), shear=(-10, 10),
                 interpolation=cv2.INTER_LINEAR, p=1.0),
        A.HorizontalFlip(p=0.5),
        A.RandomCrop(CROP, CROP),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2,
                                   p=1.0),
        A.GaussNoise(std_range=(8 / 255, 8 / 255), p=1.0),
    ])
    return measure(seconds, lambda i: pipeline(image=images[i % BATCH]))


def op_baselines():
    """Our op at magnitude 0.5 on 256x256 -> its nearest albumentations
    equivalent at the same strength."""
    import albumentations as A

    return {
        # sigma = 0.5 * 256 / 32 = 4, taps to +-12
        "GAUSSIAN_BLUR": A.GaussianBlur(blur_limit=(25, 25), sigma_limit=(4, 4), p=1),
        "EMBOSS": A.Emboss(alpha=(0.5, 0.5), strength=(1, 1), p=1),
        "SHARPEN": A.Sharpen(alpha=(0.5, 0.5), lightness=(1, 1), p=1),
        # p = 0.25 * 0.5
        "PIXEL_DROPOUT": A.PixelDropout(dropout_prob=0.125, per_channel=False, drop_value=0,
                                        p=1),
        # 1/8 of the 64 cells of 32 pixels
        "COARSE_DROPOUT": A.CoarseDropout(num_holes_range=(8, 8), hole_height_range=(32, 32),
                                          hole_width_range=(32, 32), fill=0, p=1),
        "SALT_PEPPER": A.SaltAndPepper(amount=(0.125, 0.125), p=1),
        # albumentations has no coarse salt & pepper: holes of 16 pixels, white
        "COARSE_SALT_PEPPER": A.CoarseDropout(num_holes_range=(32, 32),
                                              hole_height_range=(16, 16),
                                              hole_width_range=(16, 16), fill=255, p=1),
        "GAUSSIAN_NOISE": A.GaussNoise(std_range=(20 / 255, 20 / 255), p=1),
        # gamma 2^0.5
        "GAMMA": A.RandomGamma(gamma_limit=(141, 141), p=1),
        "HUE_SATURATION": A.HueSaturationValue(hue_shift_limit=18, sat_shift_limit=25,
                                               val_shift_limit=0, p=1),
        # +32 grey levels
        "BRIGHTEN": A.RandomBrightnessContrast(brightness_limit=(0.125, 0.125),
                                               contrast_limit=0, p=1),
        "INVERT": A.InvertImg(p=1),
        "FOG": A.RandomFog(fog_coef_range=(0.4, 0.4), p=1),
        # albumentations has no clouds: its fog is the nearest
        "CLOUDS": A.RandomFog(fog_coef_range=(0.45, 0.45), p=1),
        # a window of 0.75 of the side, resized back
        "CROP": A.RandomResizedCrop(size=(SIZE, SIZE), scale=(0.5625, 0.5625), ratio=(1, 1),
                                    p=1),
        "HFLIP": A.HorizontalFlip(p=1),
        "VFLIP": A.VerticalFlip(p=1),
        "SCALE": A.Affine(scale=(0.75, 1.25), p=1),
        "EQUALIZE": A.Equalize(p=1),
    }


def op_rates(images, seconds):
    return {"albu_op_" + name: measure(seconds, lambda i, t=transform: t(image=images[i % BATCH]))
            for name, transform in op_baselines().items()}


def scipy_rotate_rate(images, seconds):
    rng = np.random.default_rng(2)

    def batch_loop(i):
        img = images[i % BATCH]
        scipy.ndimage.rotate(img, float(rng.uniform(0, 360)), axes=(1, 0),
                             reshape=False, order=1, mode="constant")
    return measure(seconds, batch_loop)


def rot90_rate(images, seconds):
    def one(i):
        np.ascontiguousarray(np.rot90(images[i % BATCH], k=i % 4))
    return measure(seconds, one)


def run_cpp(bench, seconds, ops_only):
    command = [bench, "--seconds", str(seconds)] + (["--ops-only"] if ops_only else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rates = {}
    for line in out.splitlines():
        name, value = line.split()
        rates[name] = float(value)
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/benchmarks/augment_bench",
                        help="path of the C++ augment_bench executable")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="CPU seconds per measurement")
    parser.add_argument("--ops-only", action="store_true",
                        help="only the per-op comparison")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    images = make_images()
    py = op_rates(images, args.seconds)
    if not args.ops_only:
        py.update({
            "albumentations_full": albumentations_rate(images, args.seconds),
            "scipy_rotate_loop": scipy_rotate_rate(images, args.seconds),
            "np_rot90_loop": rot90_rate(images, args.seconds),
        })
    cpp = run_cpp(args.bench, args.seconds, args.ops_only)
    print("images per CPU-second of one thread")
    for name, value in sorted({**cpp, **py}.items()):
        print(f"  {name:34s} {value:10.1f}")
    print("per op, ours / albumentations (target >= 2x)")
    for name in op_baselines():
        ratio = cpp["ours_op_" + name] / py["albu_op_" + name]
        print(f"  {name:20s} {cpp['ours_op_' + name]:10.1f} {py['albu_op_' + name]:10.1f}"
              f" {ratio:7.2f}x {'met' if ratio >= 2 else 'NOT met'}")
    if args.ops_only:
        return
    print("ratios (ours / baseline)")
    rows = [
        ("full pipeline vs albumentations", "ours_full", "albumentations_full", 2),
        ("full pipeline vs OpenCV op by op", "ours_full", "opencv_one_by_one", None),
        ("arbitrary rotation vs scipy loop", "ours_rotate_any_256",
         "scipy_rotate_loop", 20),
        ("arbitrary rotation vs cv2.warpAffine", "ours_rotate_any_256",
         "opencv_warpaffine_rotate_256", None),
        ("rot90 vs np.rot90 loop", "ours_rot90_256", "np_rot90_loop", 2),
    ]
    for label, ours, base, target in rows:
        ratio = cpp[ours] / {**cpp, **py}[base]
        goal = f"(target >= {target}x: {'met' if ratio >= target else 'NOT met'})" \
            if target else ""
        print(f"  {label:38s} {ratio:7.2f}x {goal}")


if __name__ == "__main__":
    main()
