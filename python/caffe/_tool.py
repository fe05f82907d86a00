"""The `caffe` command of a pip installation: runs the caffe tool binary
shipped inside the package (caffe/bin/caffe).

The binary embeds the Python it was built against for Python layers; giving
it this interpreter's sys.path lets those layers import what this Python
sees (numpy, the caffe package, a virtualenv's packages).
"""
import os
import sys


def main():
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bin', 'caffe')
    if not os.path.exists(binary):
        sys.stderr.write('caffe: error: the caffe tool was not installed with this package '
                         '(expected %s)\n' % binary)
        return 1
    env = dict(os.environ)
    paths = [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]
    paths += [p for p in sys.path if p and p not in paths]
    env['PYTHONPATH'] = os.pathsep.join(paths)
    os.execve(binary, [binary] + sys.argv[1:], env)


if __name__ == '__main__':
    sys.exit(main())
