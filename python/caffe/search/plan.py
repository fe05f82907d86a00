"""From a SearchConfig to a Plan: the data written and inspected, the child
net template built and checked, the warm start listed, and the settings
that identify the study. Everything in a Plan is plain data, so worker
processes receive it as it is."""
import hashlib
import os

import numpy as np
from google.protobuf import text_format

from ..errors import ConfigError, IOError as CaffeIOError
from ..proto import caffe_pb2
from . import data, nets, spaces
from .config import solver_param
from .rewards import REWARDS
from .samplers import PRUNERS, SAMPLERS


def _db_entry(info):
    return {'path': os.path.abspath(info.path), 'backend': info.backend, 'records': info.records,
            'kind': info.kind, 'shape': list(info.shape), 'classes': info.num_classes,
            'fingerprint': info.fingerprint}


def _load_array(value, what):
    if isinstance(value, (str, os.PathLike)):
        try:
            return np.load(value)
        except OSError as error:
            raise CaffeIOError('cannot read %s %s: %s' % (what, value, error)) from None
    return np.asarray(value)


def _inputs(config, out):
    """{split: DBInfo} for train, val and (if any) test."""
    folder = os.path.join(out, 'data')
    if config.images is not None:
        split = list(config.split) + [None] * (3 - len(config.split))
        paths = data.write_arrays(_load_array(config.images, 'images'),
                                  _load_array(config.labels, 'labels'), folder, split[0],
                                  split[1], split[2], seed=config.split_seed,
                                  channel_order=config.channel_order,
                                  triplets_per_anchor=config.triplets_per_anchor)
    elif config.data:
        split = list(config.split) + [None] * (3 - len(config.split))
        paths = data.split_db(config.data, folder, split[0], split[1], split[2],
                               seed=config.split_seed)
    else:
        paths = {'train': config.train, 'val': config.val, 'test': config.test}
    return {split: data.inspect_db(path) for split, path in paths.items() if path}


def _user_net_sources(template):
    """The databases the user's net names (TRAIN layer, TEST layer)."""
    train_layers, test_layers = nets.data_layers(template)
    source = lambda layer: (layer.triplet_data_param if layer.type == 'TripletData'
                            else layer.data_param).source
    return (source(train_layers[0]) if train_layers else None,
            source(test_layers[0]) if test_layers else None)


def check_child(plan):
    """Builds the child net in both phases once (in a worker process), so a
    net that cannot work fails before any trial, with the engine's message
    and the blob names. Returns (template text, score in TRAIN phase): when
    the score layer is TEST-only, it is made to run in TRAIN too."""
    import caffe
    from google.protobuf import text_format as _text_format
    template = caffe_pb2.NetParameter()
    _text_format.Parse(plan['template'], template)

    def build(net, phase):
        child = nets.child_net(net, plan['train']['path'], plan['val']['path'], None, 1,
                               plan['batch'], plan['val_batch'], plan['train']['backend'],
                               plan['val']['backend'])
        path = os.path.join(plan['out'], 'work', 'check_net.prototxt')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(nets.net_text(child))
        built = caffe.Net(path, phase)
        names, outputs = set(built.blobs), list(built.outputs)
        del built
        return names, outputs

    names, outputs = build(template, caffe.TEST)
    if plan['score'] not in names:
        raise ConfigError('the child net has no blob %r to score trials with in the TEST '
                          'phase (its outputs: %s); name the score with --score'
                          % (plan['score'], ', '.join(outputs) or 'none'))
    if plan['score'] in build(template, caffe.TRAIN)[0]:
        return plan['template'], True
    relaxed = nets.score_everywhere(template, plan['score'])
    try:
        in_train = plan['score'] in build(relaxed, caffe.TRAIN)[0]
    except ValueError:
        in_train = False
    return (nets.net_text(relaxed), True) if in_train else (plan['template'], False)


def prepare(config):
    """The Plan of `config` (a SearchConfig); writes split databases and the
    train + validation database of the final report into config.out."""
    config.check()
    out = os.path.abspath(config.out)
    os.makedirs(out, exist_ok=True)
    if config.sampler not in SAMPLERS:
        raise ConfigError('unknown sampler %r; choose from %s'
                          % (config.sampler, ', '.join(SAMPLERS)))
    if config.pruner not in PRUNERS:
        raise ConfigError('unknown pruner %r; choose from %s'
                          % (config.pruner, ', '.join(PRUNERS)))
    if config.reward not in REWARDS:
        raise ConfigError('unknown reward %r; choose from %s'
                          % (config.reward, ', '.join(REWARDS)))
    space = spaces.make_space(config.space, config.ops)

    user_net = None
    if config.net.endswith('.prototxt') or os.path.exists(config.net):
        user_net = os.path.abspath(config.net)
        template = nets.user_template(user_net)
        if not (config.train or config.data or config.images is not None):
            train_source, val_source = _user_net_sources(template)
            if not val_source:
                raise ConfigError('net %s has no TEST-phase data layer; give the validation '
                                  'database (--val)' % user_net)
            config.train, config.val = train_source, val_source
    infos = _inputs(config, out)
    for split in ('train', 'val'):
        if split not in infos:
            raise ConfigError('the search needs a %s database (or data to split)' % split)
    train, val = infos['train'], infos['val']
    for split, info in infos.items():
        if info.kind != train.kind or info.shape != train.shape:
            raise ConfigError('the %s database holds %s records of %s, the training database '
                              '%s of %s' % (split, info.kind, info.shape, train.kind, train.shape))
    if user_net is None:
        template = nets.builtin_net(config.net, train)
    elif train.kind == 'datum' and any(layer.type == 'TripletData'
                                       for layer in nets.data_layers(template)[0]):
        raise ConfigError('net %s reads triplets, but %s holds Datum records'
                          % (user_net, train.path))

    per_record = 3 if train.kind == 'triplet' else 1
    batch = config.batch_size or (nets.batch_size_of(template) if user_net else 32)
    if batch > train.records:
        raise ConfigError('batch size %d is larger than the %d training records'
                          % (batch, train.records))
    plan = {
        'out': out, 'user_net': user_net, 'net_name': config.net,
        'train': _db_entry(train), 'val': _db_entry(val),
        'test': _db_entry(infos['test']) if 'test' in infos else None,
        'batch': batch, 'per_record': per_record,
        'iters_per_epoch': -(-train.records // batch),
        'val_batch': nets.eval_batch(val.records),
        'score': config.score, 'epochs': config.epochs, 'samples': config.samples,
        'pretrain_epochs': config.pretrain_epochs,
        'space': config.space if space.name != 'file' else os.path.abspath(config.space),
        'ops': list(space.ops) if hasattr(space, 'ops') else None,
        'sampler': config.sampler, 'seed': config.seed, 'startup_trials': config.startup_trials,
        'trials': config.trials, 'reward': config.reward, 'reward_k': config.reward_k,
        'reward_margin': config.reward_margin, 'pruner': config.pruner,
        'storage': config.storage or os.path.join(out, 'study.journal'),
        'study_name': config.study_name, 'report_study_name': config.study_name + '.report',
        'workers': config.workers, 'heartbeat_interval': config.heartbeat_interval,
        'heartbeat_grace': config.heartbeat_grace, 'quiet': config.quiet,
    }
    plan['val_batches'] = -(-val.records // plan['val_batch'])
    solver = solver_param(config.solver)
    plan['solver'] = text_format.MessageToString(solver)

    plan['template'] = nets.net_text(template)
    plan['pretrain_weights'] = (os.path.join(out, 'pretrain', 'weights.caffemodel')
                                if config.pretrain_epochs else None)

    plan['warm'] = _warm_start(config, space)
    if len(plan['warm']) > config.trials:
        raise ConfigError('%d trials cannot hold the %d warm-start trials (%s); raise --trials '
                          'or drop some' % (config.trials, len(plan['warm']),
                                            ', '.join(w['name'] for w in plan['warm'])))
    plan['report'] = _report_plan(config, plan, infos)
    plan['settings'] = _settings(plan, space, infos)
    return plan


def _read_policy(entry, label):
    """(label, AugmentationParameter) of a policy file (labelled by its name)
    or of prototxt text (labelled `label`)."""
    if os.path.exists(entry):
        with open(entry) as handle:
            return os.path.basename(entry), spaces.parse_policy(handle.read(), entry)
    return label, spaces.parse_policy(entry, label)


def _warm_start(config, space):
    """The first trials: [{'name', 'policy' (text), 'params' (or None)}]."""
    warm = []
    if config.warm_start:
        for name in spaces.BASELINES:
            policy = spaces.baseline_policy(name)
            warm.append({'name': name, 'policy': spaces.policy_text(policy),
                         'params': space.baseline_params(name)})
    for index, entry in enumerate(config.enqueue):
        label, policy = _read_policy(entry, 'policy %d' % (index + 1))
        warm.append({'name': 'user:' + label, 'policy': spaces.policy_text(policy),
                     'params': None})
    for entry in warm:
        _validate_policy(entry['policy'], entry['name'])
    return warm


def _validate_policy(text, what):
    from .. import augment
    try:
        augment.Augmenter(text)
    except ValueError as error:
        raise ConfigError('%s: %s' % (what, error)) from None


def _report_plan(config, plan, infos):
    report = {'seeds': config.report_seeds if 'test' in infos else 0,
              'epochs': config.report_epochs or config.epochs, 'train': config.report_train,
              'policies': {}}
    for name, entry in sorted(config.report_policies.items()):
        _, policy = _read_policy(entry, 'report policy %s' % name)
        report['policies'][name] = spaces.policy_text(policy)
        _validate_policy(report['policies'][name], 'report policy %s' % name)
    if not report['seeds']:
        return report
    if config.report_train == 'train+val':
        path = data.merge_dbs([plan['train']['path'], plan['val']['path']],
                              os.path.join(plan['out'], 'data', 'trainval_lmdb'),
                              [plan['train']['backend'], plan['val']['backend']])
        records = plan['train']['records'] + plan['val']['records']
        report['train_db'] = {'path': path, 'backend': 'lmdb', 'records': records}
    else:
        report['train_db'] = {key: plan['train'][key] for key in ('path', 'backend', 'records')}
    report['iters_per_epoch'] = -(-report['train_db']['records'] // plan['batch'])
    report['test_batch'] = nets.eval_batch(plan['test']['records'])
    report['test_batches'] = -(-plan['test']['records'] // report['test_batch'])
    return report


def _settings(plan, space, infos):
    """What identifies the search; compared on resume."""
    net_hash = hashlib.sha1(plan['template'].encode()).hexdigest()
    return {
        'data': {split: info.describe() for split, info in infos.items()},
        'net': {'name': os.path.basename(plan['net_name']), 'sha1': net_hash},
        'solver': plan['solver'], 'batch': plan['batch'], 'score': plan['score'],
        'epochs': plan['epochs'], 'samples': plan['samples'],
        'pretrain_epochs': plan['pretrain_epochs'], 'space': space.describe(),
        'sampler': plan['sampler'], 'seed': plan['seed'],
        'startup_trials': plan['startup_trials'], 'trials': plan['trials'],
        'reward': [plan['reward'], plan['reward_k'], plan['reward_margin']],
        'pruner': plan['pruner'],
        'warm_start': [[w['name'], hashlib.sha1(w['policy'].encode()).hexdigest()]
                       for w in plan['warm']],
        'report': {'seeds': plan['report']['seeds'], 'epochs': plan['report']['epochs'],
                   'train': plan['report']['train'],
                   'policies': {name: hashlib.sha1(text.encode()).hexdigest()
                                for name, text in plan['report']['policies'].items()}},
    }


def slots(plan):
    """The study's WAITING trials: warm start first, then empty slots."""
    from .study import BASELINE, FIXED_POLICY
    result = []
    for entry in plan['warm']:
        attrs = {BASELINE: entry['name']}
        if entry['params'] is None:
            attrs[FIXED_POLICY] = entry['policy']
        result.append((entry['params'], attrs))
    result.extend((None, {}) for _ in range(plan['trials'] - len(plan['warm'])))
    return result
