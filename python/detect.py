#!/usr/bin/env python3
"""Scores windows of images with a trained net, R-CNN style (upstream's
python/detect.py for this CPU build, with given windows: --crop_mode list).

    python python/detect.py windows.csv scores.csv --model_def deploy.prototxt \\
        --pretrained_model weights.caffemodel --context_pad 16

INPUT is a CSV with a header and the columns filename,ymin,xmin,ymax,xmax (one
window per row). OUTPUT is a CSV with those columns and one score column per
class (class0, class1, ...), or an HDF5 file (.h5, needs pandas + tables) with
the same table under the key "df", as upstream writes.
Selective-search proposals (upstream's default crop mode) need MATLAB and are
not available: compute windows beforehand.
"""
import argparse
import csv
import os
import sys
import time
from collections import OrderedDict

import numpy as np

import caffe

COORDS = ['ymin', 'xmin', 'ymax', 'xmax']


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('input_file', help='CSV of filename,ymin,xmin,ymax,xmax')
    parser.add_argument('output_file', help='.csv (or .h5 with pandas) for the scores')
    parser.add_argument('--crop_mode', default='list', choices=['list', 'selective_search'],
                        help='list: windows come from the input file')
    parser.add_argument('--model_def', required=True, help='deploy prototxt')
    parser.add_argument('--pretrained_model', required=True, help='trained .caffemodel')
    parser.add_argument('--gpu', action='store_true',
                        help='accepted for upstream compatibility; this build runs on the CPU')
    parser.add_argument('--mean_file', default='', help='.npy mean (K x H x W); empty for none')
    parser.add_argument('--input_scale', type=float, help='multiply inputs after mean subtraction')
    parser.add_argument('--raw_scale', type=float, default=255.0,
                        help='multiply [0, 1] images before mean subtraction')
    parser.add_argument('--channel_swap', default='2,1,0', help='channel order for the net')
    parser.add_argument('--context_pad', type=int, default=16,
                        help='pixels of context around each window')
    return parser.parse_args(argv)


def read_windows(path):
    """OrderedDict filename -> N x 4 windows, in file order."""
    windows = OrderedDict()
    with open(path, newline='') as handle:
        for row in csv.DictReader(handle):
            missing = [c for c in ['filename'] + COORDS if c not in row]
            if missing:
                raise SystemExit('detect.py: %s lacks the columns %s' % (path, missing))
            windows.setdefault(row['filename'], []).append([int(float(row[c])) for c in COORDS])
    return [(name, np.array(boxes)) for name, boxes in windows.items()]


def write_scores(path, detections):
    classes = len(np.atleast_1d(detections[0]['prediction'])) if detections else 0
    header = ['filename'] + COORDS + ['class%d' % i for i in range(classes)]
    rows = [[d['filename']] + [int(v) for v in d['window']] + list(np.atleast_1d(d['prediction']))
            for d in detections]
    if path.endswith('.h5'):
        import pandas
        pandas.DataFrame(rows, columns=header).to_hdf(path, key='df', mode='w')
        return
    temporary = path + '.tmp'
    with open(temporary, 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(temporary, path)


def main(argv=None):
    args = parse_args(argv)
    if args.crop_mode != 'list':
        raise SystemExit('detect.py: selective_search needs MATLAB; give windows with '
                         '--crop_mode list')
    if args.gpu:
        caffe.set_mode_gpu()
    mean = np.load(args.mean_file) if args.mean_file else None
    channel_swap = [int(s) for s in args.channel_swap.split(',')] if args.channel_swap else None
    detector = caffe.Detector(args.model_def, args.pretrained_model, mean=mean,
                              input_scale=args.input_scale, raw_scale=args.raw_scale,
                              channel_swap=channel_swap, context_pad=args.context_pad)
    images_windows = read_windows(args.input_file)
    start = time.time()
    detections = detector.detect_windows(images_windows)
    print('Processed %d windows in %.2f s.' % (len(detections), time.time() - start))
    write_scores(args.output_file, detections)
    print('Saved to %s.' % args.output_file)
    return 0


if __name__ == '__main__':
    sys.exit(main())
