"""The exceptions pycaffe raises.

Every error the C++ engine reports (a caffe::Error) arrives in Python as one of
these classes. Each also derives from the built-in exception a Python user
would expect, so `except ValueError` or `except OSError` keep working.
"""


class CaffeError(RuntimeError):
    """Base class of every error reported by the caffe engine."""


class ParseError(CaffeError, ValueError):
    """A prototxt, solver or binary proto that does not parse."""


class IOError(CaffeError, OSError):  # noqa: A001 - mirrors caffe::IOError
    """A file or database that cannot be opened, read or written."""


class ConfigError(CaffeError, ValueError):
    """An invalid or inconsistent parameter (unknown layer type, bad option)."""


class ShapeError(CaffeError, ValueError):
    """Blobs or arrays whose shapes do not fit together."""


class DataError(CaffeError, ValueError):
    """A database record (or a database file) that cannot be decoded."""


class OutOfMemoryError(CaffeError, MemoryError):
    """An allocation the machine cannot satisfy; the message says what was
    being allocated and which input made it that large."""
