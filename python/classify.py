#!/usr/bin/env python3
"""Classifies images with a trained net (upstream's python/classify.py, for
this CPU build): writes the class scores of each image to a .npy file.

    python python/classify.py images/ scores.npy --model_def deploy.prototxt \\
        --pretrained_model weights.caffemodel --mean_file mean.npy --ext jpg

INPUT is an image file, a directory of images (those ending in --ext), or a
.npy array of H x W x K images. The output is an N x C array in the order of
the images (sorted file names for a directory).
"""
import argparse
import glob
import os
import sys
import time

import numpy as np

import caffe


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('input_file', help='image file, directory of images, or .npy array')
    parser.add_argument('output_file', help='.npy file for the N x C scores')
    parser.add_argument('--model_def', required=True, help='deploy prototxt')
    parser.add_argument('--pretrained_model', required=True, help='trained .caffemodel')
    parser.add_argument('--gpu', action='store_true',
                        help='accepted for upstream compatibility; this build runs on the CPU')
    parser.add_argument('--center_only', action='store_true',
                        help='score the centre crop only instead of 10 oversampled crops')
    parser.add_argument('--images_dim', default='256,256',
                        help='height,width images are resized to before cropping')
    parser.add_argument('--mean_file', default='',
                        help='.npy mean (K x H x W) to subtract; empty for none')
    parser.add_argument('--input_scale', type=float, help='multiply inputs after mean subtraction')
    parser.add_argument('--raw_scale', type=float, default=255.0,
                        help='multiply [0, 1] images before mean subtraction')
    parser.add_argument('--channel_swap', default='2,1,0',
                        help='channel order for the net (RGB images into a BGR net: 2,1,0)')
    parser.add_argument('--ext', default='jpg', help='image extension for a directory input')
    return parser.parse_args(argv)


def load_inputs(path, ext):
    if path.endswith('.npy'):
        return list(np.load(path))
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, '*.' + ext)))
        if not files:
            raise SystemExit('classify.py: no *.%s images in %s' % (ext, path))
        return [caffe.io.load_image(f) for f in files]
    return [caffe.io.load_image(path)]


def main(argv=None):
    args = parse_args(argv)
    if args.gpu:
        caffe.set_mode_gpu()
    image_dims = [int(s) for s in args.images_dim.split(',')]
    mean = np.load(args.mean_file) if args.mean_file else None
    channel_swap = [int(s) for s in args.channel_swap.split(',')] if args.channel_swap else None
    classifier = caffe.Classifier(args.model_def, args.pretrained_model, image_dims=image_dims,
                                  mean=mean, input_scale=args.input_scale,
                                  raw_scale=args.raw_scale, channel_swap=channel_swap)
    inputs = load_inputs(args.input_file, args.ext)
    print('Classifying %d inputs.' % len(inputs))
    start = time.time()
    scores = classifier.predict(inputs, not args.center_only)
    print('Done in %.2f s.' % (time.time() - start))
    np.save(args.output_file, scores)
    print('Saved to %s.' % args.output_file)
    return 0


if __name__ == '__main__':
    sys.exit(main())
