"""Shared fixtures of the pycaffe tests.

`caffe` must be importable: scripts/run_python_tests.sh puts the build tree
(build/python) on PYTHONPATH; an installed package works too. The caffe
tool is $CAFFE_TOOL, else build/tools/caffe, else `caffe` on PATH.
"""
import os
import shutil
import subprocess
import sys

import pytest

# Quiet the engine's INFO log in this process (read when libcaffe loads).
os.environ.setdefault('GLOG_minloglevel', '1')

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAYERS_DIR = os.path.join(HERE, 'layers')
sys.path.insert(0, LAYERS_DIR)

import caffe  # noqa: E402


# A green run must mean that every test ran. A skipped test fails the session
# unless its reason starts with one of these, each a reason that installing
# packages on a fresh machine cannot change (none today).
DOCUMENTED_SKIP_REASONS = ()
_undocumented_skips = []


def pytest_runtest_logreport(report):
    if not report.skipped or hasattr(report, 'wasxfail'):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.replace('Skipped: ', '', 1)
    if not (DOCUMENTED_SKIP_REASONS and reason.startswith(DOCUMENTED_SKIP_REASONS)):
        _undocumented_skips.append('%s: %s' % (report.nodeid, reason))


def pytest_terminal_summary(terminalreporter):
    for line in _undocumented_skips:
        terminalreporter.write_line('undocumented skip (fails the run): ' + line, red=True)


def pytest_sessionfinish(session, exitstatus):
    if _undocumented_skips and session.exitstatus == 0:
        session.exitstatus = 1


def has_layers(*types):
    known = set(caffe.layer_type_list())
    return all(t in known for t in types)


def requires_layers(*types):
    """Skips a test until the C++ layers it uses are part of the build."""
    missing = sorted(set(types) - set(caffe.layer_type_list()))
    return pytest.mark.skipif(bool(missing), reason='layers not built: %s' % ', '.join(missing))


@pytest.fixture
def write(tmp_path):
    """write(name, text) -> path of a new file in the test's directory."""
    def writer(name, text):
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return writer


def find_tool():
    candidates = [os.environ.get('CAFFE_TOOL'), os.path.join(ROOT, 'build', 'tools', 'caffe'),
                  shutil.which('caffe')]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture
def caffe_tool():
    tool = find_tool()
    if tool is None:
        pytest.fail('caffe tool not found: build it (make tool_caffe) or set CAFFE_TOOL')

    def run(*args, cwd, env=None):
        full_env = dict(os.environ)
        full_env.pop('GLOG_minloglevel', None)
        full_env.update(env or {})
        return subprocess.run([tool] + list(args), cwd=cwd, env=full_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=300)
    run.tool = tool
    return run


def python_layer(name, module, layer, bottoms=(), tops=(), param_str=None, extra=''):
    """Prototxt text of one Python layer."""
    lines = ['layer {', '  name: "%s"' % name, '  type: "Python"']
    lines += ['  bottom: "%s"' % b for b in bottoms]
    lines += ['  top: "%s"' % t for t in tops]
    if extra:
        lines.append('  ' + extra)
    lines.append('  python_param { module: "%s" layer: "%s"' % (module, layer))
    if param_str is not None:
        lines.append("    param_str: '%s'" % param_str)
    lines += ['  }', '}']
    return '\n'.join(lines) + '\n'


def linear_net(n=4, d=3, k=2, seed=0, extra_layers=''):
    """Python-only net: data -> linear (learnable) -> Euclidean loss."""
    return ('name: "linear"\n'
            + python_layer('data', 'pylayers', 'FixedDataLayer', tops=('data', 'target'),
                           param_str='{"n": %d, "d": %d, "k": %d, "seed": %d}' % (n, d, k, seed))
            + python_layer('ip', 'pylayers', 'LinearLayer', bottoms=('data',), tops=('ip',),
                           param_str='{"k": %d}' % k)
            + python_layer('loss', 'pylayers', 'EuclideanLossLayer', bottoms=('ip', 'target'),
                           tops=('loss',), extra='loss_weight: 1')
            + extra_layers)
