"""Search spaces: how a trial's parameters become an AugmentationParameter.

A space suggests its parameters through an Optuna trial (or an
optuna.trial.FixedTrial, to rebuild the policy of stored parameters) and
returns the `augmentation_param` the child's data layer gets:

  deepaugment     DeepAugment's space: five sub-policies (A..E), each two ops
                  with a magnitude in [0, 1], and the sub-policy probability
                  ("portion", in steps of 0.1). An AUTO_AUGMENT policy: each
                  image draws one sub-policy, applied with its probability.
  randaugment     RandAugment's N (ops per image, 0..3) and M (0..30).
  trivialaugment  which ops TrivialAugment draws from (one yes/no per op).
  a file          a JSON space of your own (see FileSpace).

Op lists default to every op the engine has (see ops.py), so new ops widen
the built-in spaces. Each space also says which baselines it can express
exactly with its own parameters (`baseline_params`), so warm-start trials
inform the sampler when they can.
"""
import hashlib
import json
import math
import os
import string

from google.protobuf import text_format

from ..errors import ConfigError, IOError as CaffeIOError, ParseError
from ..proto import caffe_pb2
from . import ops as _ops

AugmentationParameter = caffe_pb2.AugmentationParameter
Policy = AugmentationParameter.Policy

SPACE_NAMES = ('deepaugment', 'randaugment', 'trivialaugment')
BASELINES = ('none', 'trivialaugment', 'randaugment_2_9')
BASELINE_TITLES = {'none': 'no augmentation', 'trivialaugment': 'TrivialAugment',
                   'randaugment_2_9': 'RandAugment(2, 9)'}


def baseline_policy(name):
    """The AugmentationParameter of a baseline: 'none', 'trivialaugment'
    (TrivialAugment over the published 14 ops) or 'randaugment_2_9'."""
    param = AugmentationParameter()
    if name == 'none':
        return param
    _ops.published_ops_available()
    op_set = [_ops.op_value(op) for op in _ops.PUBLISHED_OPS]
    if name == 'trivialaugment':
        param.policy.kind = Policy.TRIVIAL_AUGMENT
    elif name == 'randaugment_2_9':
        param.policy.kind = Policy.RAND_AUGMENT
        param.policy.num_ops = 2
        param.policy.magnitude = 9
    else:
        raise ConfigError('unknown baseline %r; choose from %s' % (name, ', '.join(BASELINES)))
    param.policy.op_set.extend(op_set)
    return param


def policy_text(param):
    """The prototxt text of an AugmentationParameter, one field per line."""
    return text_format.MessageToString(param)


def parse_policy(text, what='policy'):
    """An AugmentationParameter from prototxt text; `augmentation_param { ... }`
    around it is accepted too. ParseError names `what` (e.g. a file name)."""
    stripped = text.strip()
    if stripped.startswith('augmentation_param'):
        layer = caffe_pb2.LayerParameter()
        try:
            text_format.Parse(stripped, layer)
        except text_format.ParseError as error:
            raise ParseError('%s: %s' % (what, error)) from None
        return layer.augmentation_param
    param = AugmentationParameter()
    try:
        text_format.Parse(text, param)
    except text_format.ParseError as error:
        raise ParseError('%s: %s' % (what, error)) from None
    return param


class Space:
    """Base class. Subclasses set `name` and implement suggest()."""

    name = ''

    def suggest(self, trial):
        """Suggests this space's parameters through `trial` and returns the
        AugmentationParameter they stand for."""
        raise NotImplementedError

    def baseline_params(self, baseline):
        """Parameters of this space that give exactly `baseline`'s policy, or
        None when the space cannot express it."""
        return None

    def describe(self):
        """What defines the space, for the study's settings (JSON-able)."""
        return {'space': self.name}

    def policy_of(self, params):
        """The policy that stored trial parameters stand for."""
        import optuna
        return self.suggest(optuna.trial.FixedTrial(dict(params)))


def _ops_param(names):
    names = _ops.resolve_ops(names)
    if not names:
        raise ConfigError('a search space needs at least one op')
    return names


class DeepAugmentSpace(Space):
    """Five sub-policies x two (op, magnitude) + the sub-policy probability."""

    name = 'deepaugment'
    LETTERS = 'ABCDE'
    PORTION_STEPS = 10  # the probability moves in steps of 1/10

    def __init__(self, ops=None):
        self.ops = _ops_param(ops)

    def suggest(self, trial):
        field = _ops.subpolicy_probability_field()
        param = AugmentationParameter()
        chosen = []
        for letter in self.LETTERS:
            sub_ops = []
            for k in (1, 2):
                op = trial.suggest_categorical('%s_aug%d_type' % (letter, k), self.ops)
                magnitude = trial.suggest_float('%s_aug%d_magnitude' % (letter, k), 0.0, 1.0)
                sub_ops.append((op, magnitude))
            portion = trial.suggest_float('%s_portion' % letter, 0.0, 1.0,
                                          step=1.0 / self.PORTION_STEPS)
            chosen.append((sub_ops, portion))
        if all(portion == 0 for _, portion in chosen):
            return param
        policy = param.policy
        policy.kind = Policy.AUTO_AUGMENT
        for sub_ops, portion in chosen:
            copies = 1 if field else int(round(portion * self.PORTION_STEPS))
            for _ in range(copies):
                sub = policy.sub_policy.add()
                for op, magnitude in sub_ops:
                    entry = sub.op.add()
                    entry.type = _ops.op_value(op)
                    entry.magnitude = round(magnitude, 6)
                if field:
                    setattr(sub, field, portion)
            if not field:
                # Empty sub-policies fill the rest of this sub-policy's fifth
                # of the draws, so it applies with probability `portion`.
                for _ in range(self.PORTION_STEPS - copies):
                    policy.sub_policy.add()
        return param

    def baseline_params(self, baseline):
        if baseline != 'none':
            return None
        op = 'IDENTITY' if 'IDENTITY' in self.ops else self.ops[0]
        params = {}
        for letter in self.LETTERS:
            for k in (1, 2):
                params['%s_aug%d_type' % (letter, k)] = op
                params['%s_aug%d_magnitude' % (letter, k)] = 0.0
            params['%s_portion' % letter] = 0.0
        return params

    def describe(self):
        return {'space': self.name, 'ops': list(self.ops),
                'subpolicy_probability': _ops.subpolicy_probability_field() or 'replicated'}


class RandAugmentSpace(Space):
    """RandAugment's N in 0..3 (0: no augmentation) and M in 0..30."""

    name = 'randaugment'
    MAX_OPS = 3

    def __init__(self, ops=None):
        self.ops = _ops_param(ops)

    def suggest(self, trial):
        num_ops = trial.suggest_int('num_ops', 0, self.MAX_OPS)
        magnitude = trial.suggest_int('magnitude', 0, 30)
        param = AugmentationParameter()
        if num_ops > 0:
            param.policy.kind = Policy.RAND_AUGMENT
            param.policy.num_ops = num_ops
            param.policy.magnitude = magnitude
            param.policy.op_set.extend(_ops.op_value(op) for op in self.ops)
        return param

    def baseline_params(self, baseline):
        if baseline == 'none':
            return {'num_ops': 0, 'magnitude': 0}
        if baseline == 'randaugment_2_9' and tuple(self.ops) == _ops.PUBLISHED_OPS:
            return {'num_ops': 2, 'magnitude': 9}
        return None

    def describe(self):
        return {'space': self.name, 'ops': list(self.ops)}


class TrivialAugmentSpace(Space):
    """Which ops TrivialAugment may draw (use_<OP>: true/false each)."""

    name = 'trivialaugment'

    def __init__(self, ops=None):
        self.ops = _ops_param(ops)

    def suggest(self, trial):
        chosen = [op for op in self.ops
                  if trial.suggest_categorical('use_%s' % op, (True, False))]
        param = AugmentationParameter()
        if chosen:
            param.policy.kind = Policy.TRIVIAL_AUGMENT
            param.policy.op_set.extend(_ops.op_value(op) for op in chosen)
        return param

    def baseline_params(self, baseline):
        if baseline == 'none':
            return {'use_%s' % op: False for op in self.ops}
        # Exact only with the published ops in the published order: the
        # seeded draws index into op_set.
        if baseline == 'trivialaugment' and tuple(self.ops) == _ops.PUBLISHED_OPS:
            return {'use_%s' % op: True for op in self.ops}
        return None

    def describe(self):
        return {'space': self.name, 'ops': list(self.ops)}


class FileSpace(Space):
    """A space of your own, from a JSON file:

        {
          "params": {
            "angle":  {"type": "float", "low": 0, "high": 30},
            "flip":   {"type": "categorical", "choices": [0, 0.5]},
            "op":     {"type": "op"},
            "n":      {"type": "int", "low": 1, "high": 3}
          },
          "template": "rotation: $angle hflip_prob: $flip
                       policy { kind: RAND_AUGMENT num_ops: $n op_set: $op }"
        }

    Parameter types: float (low, high, optional log, step), int (low, high,
    optional log, step), categorical (choices: numbers, strings or
    booleans) and op (choices: op names, default every op the engine has).
    The template is AugmentationParameter prototxt in which $name (or
    ${name}) is replaced by the parameter's value; it must parse for every
    value (checked at start with the low ends and first choices)."""

    name = 'file'

    def __init__(self, path):
        self.path = os.fspath(path)
        try:
            with open(self.path, 'rb') as handle:
                raw = handle.read()
        except OSError as error:
            raise CaffeIOError('cannot read search space file %s: %s'
                               % (self.path, error.strerror)) from None
        self.sha1 = hashlib.sha1(raw).hexdigest()
        try:
            spec = json.loads(raw.decode('utf-8'))
        except (UnicodeDecodeError, ValueError) as error:
            raise ParseError('search space file %s is not JSON: %s' % (self.path, error)) from None
        if not isinstance(spec, dict) or not isinstance(spec.get('params'), dict) \
                or not isinstance(spec.get('template'), str):
            raise ConfigError('search space file %s needs an object with "params" (an object) '
                              'and "template" (prototxt text)' % self.path)
        self.params = {}
        for name, entry in spec['params'].items():
            self.params[name] = self._check_param(name, entry)
        self.template = string.Template(spec['template'])
        unknown = set(_template_names(self.template)) - set(self.params)
        if unknown:
            raise ConfigError('search space file %s: the template uses undefined parameters %s'
                              % (self.path, ', '.join(sorted(unknown))))
        self.policy_of(self._first_values())  # the template must parse

    def _check_param(self, name, entry):
        where = 'search space file %s, parameter %r' % (self.path, name)
        if not isinstance(entry, dict) or 'type' not in entry:
            raise ConfigError('%s: needs an object with a "type"' % where)
        kind = entry['type']
        if kind in ('float', 'int'):
            if 'low' not in entry or 'high' not in entry:
                raise ConfigError('%s: a %s needs "low" and "high"' % (where, kind))
            if not entry['low'] <= entry['high']:
                raise ConfigError('%s: low %r is above high %r'
                                  % (where, entry['low'], entry['high']))
            return dict(entry)
        if kind == 'categorical':
            choices = entry.get('choices')
            if not isinstance(choices, list) or not choices:
                raise ConfigError('%s: a categorical needs a non-empty "choices" list' % where)
            return dict(entry, choices=tuple(choices))
        if kind == 'op':
            try:
                return dict(entry, choices=_ops.resolve_ops(entry.get('choices')))
            except ConfigError as error:
                raise ConfigError('%s: %s' % (where, error)) from None
        raise ConfigError('%s: unknown type %r (float, int, categorical or op)' % (where, kind))

    def _first_values(self):
        return {name: entry['low'] if entry['type'] in ('float', 'int') else entry['choices'][0]
                for name, entry in self.params.items()}

    def suggest(self, trial):
        values = {}
        for name, entry in self.params.items():
            kind = entry['type']
            if kind == 'float':
                value = trial.suggest_float(name, float(entry['low']), float(entry['high']),
                                            step=entry.get('step'), log=entry.get('log', False))
            elif kind == 'int':
                value = trial.suggest_int(name, int(entry['low']), int(entry['high']),
                                          step=entry.get('step', 1), log=entry.get('log', False))
            else:
                value = trial.suggest_categorical(name, entry['choices'])
            values[name] = _prototxt_value(value)
        text = self.template.safe_substitute(values)
        return parse_policy(text, 'search space file %s (template with %s)' % (self.path, values))

    def describe(self):
        return {'space': self.name, 'file': os.path.basename(self.path), 'sha1': self.sha1}


def _template_names(template):
    names = []
    for match in template.pattern.finditer(template.template):
        name = match.group('named') or match.group('braced')
        if name:
            names.append(name)
    return names


def _prototxt_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError('search space value %r is not finite' % value)
        return repr(value)
    return str(value)


def make_space(name, ops=None):
    """The space called `name` (deepaugment, randaugment, trivialaugment) or
    read from the JSON file `name`. `ops` restricts a built-in space's ops."""
    key = os.fspath(name)
    if key.lower() in SPACE_NAMES:
        cls = {'deepaugment': DeepAugmentSpace, 'randaugment': RandAugmentSpace,
               'trivialaugment': TrivialAugmentSpace}[key.lower()]
        return cls(ops)
    if os.path.exists(key):
        if ops:
            raise ConfigError('--ops applies to the built-in spaces, not to space file %s' % key)
        return FileSpace(key)
    raise ConfigError('unknown search space %r: choose deepaugment, randaugment, trivialaugment '
                      'or give the path of a JSON space file' % key)
