#!/usr/bin/env python3
"""Trains a net from a solver file with pycaffe (upstream's python/train.py
for this CPU build: one solver, no NCCL), optionally timing every layer.

    python python/train.py --solver solver.prototxt [--snapshot state.solverstate]
                           [--weights w.caffemodel] [--timing]

--timing prints, at the end, the mean forward and backward time of each layer
over the training iterations, measured with the net's layer hooks. --gpus is
accepted and ignored with a warning (CPU-only build).
"""
import argparse
import sys
from collections import OrderedDict

import caffe


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--solver', required=True, help='solver prototxt')
    parser.add_argument('--snapshot', help='.solverstate to resume from')
    parser.add_argument('--weights', help='.caffemodel to finetune from')
    parser.add_argument('--gpus', type=int, nargs='+', default=[],
                        help='accepted for upstream compatibility; this build runs on the CPU')
    parser.add_argument('--timing', action='store_true', help='report per-layer times')
    return parser.parse_args(argv)


class LayerTimes:
    """Accumulates each layer's forward and backward milliseconds through
    the net's before/after hooks."""

    def __init__(self, net):
        self.names = list(net._layer_names)
        self.forward = [0.0] * len(self.names)
        self.backward = [0.0] * len(self.names)
        self.passes = 0
        self._timer = caffe.Timer()
        net.before_forward(lambda layer: self._timer.start())
        net.after_forward(lambda layer: self._add(self.forward, layer))
        net.before_backward(lambda layer: self._timer.start())
        net.after_backward(lambda layer: self._add(self.backward, layer))

    def _add(self, totals, layer):
        self._timer.stop()
        totals[layer] += self._timer.ms
        if totals is self.forward and layer == 0:
            self.passes += 1

    def report(self):
        passes = max(self.passes, 1)
        rows = OrderedDict((name, (f / passes, b / passes))
                           for name, f, b in zip(self.names, self.forward, self.backward))
        width = max(len(name) for name in rows) if rows else 5
        lines = ['%-*s  forward ms  backward ms' % (width, 'layer')]
        lines += ['%-*s  %10.3f  %11.3f' % (width, name, f, b) for name, (f, b) in rows.items()]
        total_f = sum(f for f, _ in rows.values())
        total_b = sum(b for _, b in rows.values())
        lines.append('%-*s  %10.3f  %11.3f' % (width, 'total', total_f, total_b))
        return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.gpus:
        caffe.set_mode_gpu()  # warns once, stays on the CPU
    caffe.init_log(0, True)
    solver = caffe.get_solver(args.solver)
    if args.weights:
        solver.net.copy_from(args.weights)
    if args.snapshot:
        solver.restore(args.snapshot)
    times = LayerTimes(solver.net) if args.timing else None
    solver.solve()
    if times:
        print(times.report())
    return 0


if __name__ == '__main__':
    sys.exit(main())
