#!/usr/bin/env python3
"""Draws a net prototxt as a graph image (upstream's python/draw_net.py).
Needs pydot and Graphviz's `dot`.

    python python/draw_net.py train_val.prototxt net.png --rankdir TB --phase TRAIN
"""
import argparse
import sys

from google.protobuf import text_format

import caffe
import caffe.draw
from caffe.proto import caffe_pb2


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Draw a network graph')
    parser.add_argument('input_net_proto_file', help='input net prototxt')
    parser.add_argument('output_image_file', help='output image (format from the extension)')
    parser.add_argument('--rankdir', default='LR',
                        help='graph direction: LR, TB, BT or RL (see Graphviz rankdir)')
    parser.add_argument('--phase', default='ALL', choices=['TRAIN', 'TEST', 'ALL'],
                        help='draw only the layers of this phase (default: all)')
    parser.add_argument('--display_lrm', action='store_true',
                        help='show the learning-rate multipliers of learning layers')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    net = caffe_pb2.NetParameter()
    with open(args.input_net_proto_file) as handle:
        text_format.Merge(handle.read(), net)
    phase = {'TRAIN': caffe.TRAIN, 'TEST': caffe.TEST, 'ALL': None}[args.phase]
    print('Drawing net to %s' % args.output_image_file)
    caffe.draw.draw_net_to_file(net, args.output_image_file, args.rankdir, phase,
                                args.display_lrm)
    return 0


if __name__ == '__main__':
    sys.exit(main())
