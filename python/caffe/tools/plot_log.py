"""Plots the training and test curves of a caffe training log to an image
(PNG by default), from caffe.tools.parse_log's tables. Needs matplotlib
(pip install matplotlib, or the package's [plot] extra).

    python -m caffe.tools.plot_log LOGFILE OUTPUT.png [--x iters|seconds]
                                   [--fields loss accuracy ...] [--title TEXT]

Each chosen output (default: every train and test output of the log) is one
curve against iterations or seconds; the learning rate goes on a second panel
when it changes during training. From Python: plot_log(path, output_path, ...).
"""
import argparse
import os
import sys

from .parse_log import parse_log

__all__ = ['plot_log', 'main']

X_COLUMNS = {'iters': ('NumIters', 'iterations'), 'seconds': ('Seconds', 'seconds')}
FIXED_COLUMNS = ('NumIters', 'Seconds', 'LearningRate')


def _outputs(rows):
    return [name for name in (rows[0] if rows else ()) if name not in FIXED_COLUMNS]


def plot_log(path_to_log, output_path, x='iters', fields=None, title=None, dpi=100):
    """Draws the log's curves into `output_path` (format from its extension).
    Returns the names of the curves drawn, e.g. ['train loss', 'test accuracy'].
    Raises ValueError when the log has no training or test outputs, or none
    of `fields`."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
    except ImportError as error:
        raise ImportError('plot_log needs matplotlib: pip install matplotlib') from error
    if x not in X_COLUMNS:
        raise ValueError('x must be one of %s, got %r' % (sorted(X_COLUMNS), x))
    x_column, x_label = X_COLUMNS[x]
    train_rows, test_rows = parse_log(path_to_log)
    curves = []
    for phase, rows in (('train', train_rows), ('test', test_rows)):
        for name in _outputs(rows):
            if fields is None or name in fields:
                curves.append(('%s %s' % (phase, name), rows, name))
    if not curves:
        wanted = ' among %s' % list(fields) if fields else ''
        raise ValueError('%s has no training or test outputs to plot%s'
                         % (path_to_log, wanted))
    rates = [row['LearningRate'] for row in train_rows]
    show_rate = len(set(rate for rate in rates if rate == rate)) > 1
    figure, axes = pyplot.subplots(2 if show_rate else 1, 1, sharex=True, squeeze=False,
                                   figsize=(8, 6 if show_rate else 4.5))
    main_axes = axes[0][0]
    for label, rows, name in curves:
        main_axes.plot([row[x_column] for row in rows], [row[name] for row in rows],
                       marker='.' if len(rows) < 50 else None, label=label)
    main_axes.set_ylabel('value')
    main_axes.grid(True, alpha=0.3)
    main_axes.legend(loc='best')
    main_axes.set_title(title or os.path.basename(path_to_log))
    if show_rate:
        rate_axes = axes[1][0]
        rate_axes.plot([row[x_column] for row in train_rows], rates, color='gray')
        rate_axes.set_ylabel('learning rate')
        rate_axes.grid(True, alpha=0.3)
    axes[-1][0].set_xlabel(x_label)
    figure.tight_layout()
    # Rendered under a temporary name: no partial image is left behind.
    root, extension = os.path.splitext(output_path)
    temporary = root + '.tmp' + extension
    try:
        figure.savefig(temporary, dpi=dpi)
        os.replace(temporary, output_path)
    finally:
        pyplot.close(figure)
        if os.path.exists(temporary):
            os.remove(temporary)
    return [label for label, _, _ in curves]


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m caffe.tools.plot_log',
                                     description='Plot the curves of a caffe training log.')
    parser.add_argument('logfile_path', help='the log file to plot')
    parser.add_argument('output_path', help='the image to write (PNG, SVG, PDF by extension)')
    parser.add_argument('--x', choices=sorted(X_COLUMNS), default='iters',
                        help='horizontal axis (default: iters)')
    parser.add_argument('--fields', nargs='+', help='outputs to plot (default: all)')
    parser.add_argument('--title', help='title (default: the log file name)')
    args = parser.parse_args(argv)
    if not os.path.isfile(args.logfile_path):
        parser.error('no log file at %s' % args.logfile_path)
    try:
        drawn = plot_log(args.logfile_path, args.output_path, args.x, args.fields, args.title)
    except ValueError as error:
        print('plot_log: error: %s' % error, file=sys.stderr)
        return 1
    print('Wrote %s (%s)' % (args.output_path, ', '.join(drawn)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
