"""The commands of a pip installation: `caffe`, `convert_imageset`,
`convert_triplet_db`, `compute_image_mean` and `extract_features` each run
the tool binary of the same name shipped inside the package (caffe/bin/).

The binary embeds the Python it was built against for Python layers; giving
it this interpreter's sys.path lets those layers import what this Python
sees (numpy, the caffe package, a virtualenv's packages).
"""
import os
import sys


def run(name):
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bin', name)
    if not os.path.exists(binary):
        sys.stderr.write('%s: error: this tool was not installed with the caffe package '
                         '(expected %s)\n' % (name, binary))
        return 1
    env = dict(os.environ)
    paths = [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]
    paths += [p for p in sys.path if p and p not in paths]
    env['PYTHONPATH'] = os.pathsep.join(paths)
    os.execve(binary, [binary] + sys.argv[1:], env)


def main():
    return run('caffe')


def convert_imageset():
    return run('convert_imageset')


def convert_triplet_db():
    return run('convert_triplet_db')


def compute_image_mean():
    return run('compute_image_mean')


def extract_features():
    return run('extract_features')


if __name__ == '__main__':
    sys.exit(main())
