"""The exceptions pycaffe raises.

Every error the C++ engine reports (a caffe::Error) arrives in Python as one of
these classes: CaffeError, the base, and one subclass per engine error type
(see __all__). Each subclass also derives from the built-in exception a Python
user would expect (ValueError, or OSError for IOError), so `except ValueError`
keeps working. The classes are made by the C++ module from the engine's single
list of error types (CAFFE_FOR_EACH_ERROR_TYPE in include/caffe/common.hpp), so
a new engine error type appears here without an edit.
"""
from ._caffe import _error_classes

globals().update(_error_classes)
__all__ = sorted(_error_classes)
