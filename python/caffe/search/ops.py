"""The augmentation ops a search may choose from.

The list comes from the engine, not from this package: the op table that
caffe.augment exposes (caffe.augment.OPS, read from the C++ table), or, in
builds without it, the `AugmentationParameter.Op.Type` enum of caffe.proto
that the C++ data layers parse and apply (the table has one row per enum
value, in enum order). An op added to the engine (a new enum value with its
kernels) therefore widens every search space that uses "all ops" without a
change here. A space built from an explicit op list stays the same when ops
are added, so seeded searches keep their meaning.
"""
from google.protobuf.descriptor import FieldDescriptor

from ..errors import ConfigError
from ..proto import caffe_pb2

Op = caffe_pb2.AugmentationParameter.Op

# The 14 ops of the published RandAugment and TrivialAugment (wide) recipes.
# The RandAugment(2, 9) and TrivialAugment baselines use exactly these, so a
# baseline means the same thing whatever ops the engine gains later.
PUBLISHED_OPS = ('IDENTITY', 'AUTO_CONTRAST', 'EQUALIZE', 'ROTATE', 'SOLARIZE', 'COLOR',
                 'POSTERIZE', 'CONTRAST', 'BRIGHTNESS', 'SHARPNESS', 'SHEAR_X', 'SHEAR_Y',
                 'TRANSLATE_X', 'TRANSLATE_Y')


def available_ops():
    """Names of every policy op the engine knows, in enum order."""
    from .. import augment
    table = getattr(augment, 'OPS', None)
    if table:
        return tuple(op.name for op in table)
    return tuple(value.name for value in Op.Type.DESCRIPTOR.values)


def op_value(name):
    """The enum value of op `name`; ConfigError lists the known ops."""
    try:
        return Op.Type.Value(name)
    except ValueError:
        raise ConfigError('unknown augmentation op %r; the engine knows %s'
                          % (name, ', '.join(available_ops()))) from None


def resolve_ops(names=None):
    """A validated tuple of op names: `names` (a list or a comma-separated
    string, case-insensitive) or, when None/empty, every available op."""
    if names is None or names == '' or names == []:
        return available_ops()
    if isinstance(names, str):
        names = [part for part in names.split(',') if part.strip()]
    resolved = []
    for name in names:
        canonical = str(name).strip().upper().replace('-', '_')
        op_value(canonical)
        if canonical in resolved:
            raise ConfigError('augmentation op %s is listed twice' % canonical)
        resolved.append(canonical)
    return tuple(resolved)


def published_ops_available():
    """True when the engine has every op of PUBLISHED_OPS (it always has so
    far; checked so that a renamed op fails loudly instead of silently)."""
    missing = [name for name in PUBLISHED_OPS if name not in available_ops()]
    if missing:
        raise ConfigError('the engine lacks the RandAugment/TrivialAugment ops %s'
                          % ', '.join(missing))
    return True


def subpolicy_probability_field():
    """The name of SubPolicy's own probability field (one probability for a
    whole sub-policy, DeepAugment's "portion") when the engine has one, else
    None. Without it a probability is expressed by listing the sub-policy
    among empty ones (see spaces.DeepAugmentSpace)."""
    for field in Op.DESCRIPTOR.containing_type.nested_types_by_name['SubPolicy'].fields:
        if field.name in ('portion', 'prob', 'probability') \
                and field.cpp_type == FieldDescriptor.CPPTYPE_FLOAT:
            return field.name
    return None
