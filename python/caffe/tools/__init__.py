"""Command-line helpers for caffe logs, runnable with `python -m`:

    python -m caffe.tools.parse_log caffe.INFO out_dir/    # CSV: <log>.train, <log>.test
    python -m caffe.tools.plot_log caffe.INFO curves.png   # training and test curves
"""
