"""caffe.search without child trainings: op list, spaces, rewards, statistics,
the GP sampler, report verdicts, data writing and inspection, child nets,
study helpers, and errors for bad input."""
import json
import math
import os

import numpy as np
import pytest

import optuna  # noqa: E402 - the [search] extra, installed by run_python_tests.sh

import caffe  # noqa: E402
from caffe import search  # noqa: E402
from caffe.proto import caffe_pb2  # noqa: E402
from caffe.search import nets, report, samplers, stats, study  # noqa: E402

from _search_data import shapes  # noqa: E402

AP = caffe_pb2.AugmentationParameter


# ---------------------------------------------------------------- ops ---

def test_ops_come_from_the_engine_enum():
    assert search.available_ops() == tuple(v.name for v in AP.Op.Type.DESCRIPTOR.values)
    assert set(search.PUBLISHED_OPS) <= set(search.available_ops())
    assert search.ops.resolve_ops('rotate, shear-x') == ('ROTATE', 'SHEAR_X')


def test_unknown_op_names_the_known_ones():
    with pytest.raises(caffe.ConfigError, match="unknown augmentation op 'SPIN'.*ROTATE"):
        search.ops.resolve_ops(['SPIN'])
    with pytest.raises(caffe.ConfigError, match='listed twice'):
        search.ops.resolve_ops('ROTATE,rotate')


# ------------------------------------------------------------- spaces ---

def _random_policies(space, count=20, seed=0):
    sampler = optuna.samplers.RandomSampler(seed=seed)
    trial_study = optuna.create_study(sampler=sampler)
    for _ in range(count):
        yield space.suggest(trial_study.ask())


@pytest.mark.parametrize('name', ['deepaugment', 'randaugment', 'trivialaugment'])
def test_every_sampled_policy_is_accepted_by_the_engine(name):
    space = search.make_space(name)
    for policy in _random_policies(space):
        caffe.augment.Augmenter(policy)  # validates like the data layers
        image = np.full((12, 12), 100, np.uint8)
        assert caffe.augment.Augmenter(policy).apply(image, key=b'k').shape == (12, 12)


def test_deepaugment_space_structure_and_portion():
    space = search.make_space('deepaugment', ops='ROTATE,INVERT')
    params = {}
    for letter in 'ABCDE':
        params.update({'%s_aug1_type' % letter: 'ROTATE', '%s_aug1_magnitude' % letter: 0.5,
                       '%s_aug2_type' % letter: 'INVERT', '%s_aug2_magnitude' % letter: 0.25,
                       '%s_portion' % letter: 0.0})
    assert not space.policy_of(params).ListFields()  # all portions 0: no augmentation
    params['B_portion'] = 0.3
    policy = space.policy_of(params).policy
    assert policy.kind == AP.Policy.AUTO_AUGMENT
    if search.ops.subpolicy_probability_field() is None:
        # Each letter is a tenth-resolution share of 10 entries: B applies
        # to 3 of its 10 (30%), the other letters' entries are all empty.
        assert len(policy.sub_policy) == 50
        full = [sub for sub in policy.sub_policy if sub.op]
        assert len(full) == 3
        assert [(op.type, op.magnitude) for op in full[0].op] == [(AP.Op.ROTATE, 0.5),
                                                                   (AP.Op.INVERT, 0.25)]


def test_baselines_are_expressed_exactly_where_the_space_can():
    none = search.baseline_policy('none')
    assert not none.ListFields()
    for name in ('deepaugment', 'randaugment', 'trivialaugment'):
        space = search.make_space(name, ops=list(search.PUBLISHED_OPS))
        for baseline in search.BASELINES:
            params = space.baseline_params(baseline)
            if params is not None:
                assert space.policy_of(params) == search.baseline_policy(baseline), \
                    (name, baseline)
    expressible = {name: [b for b in search.BASELINES
                          if search.make_space(name, ops=list(search.PUBLISHED_OPS))
                          .baseline_params(b) is not None]
                   for name in ('deepaugment', 'randaugment', 'trivialaugment')}
    assert expressible == {'deepaugment': ['none'],
                           'randaugment': ['none', 'randaugment_2_9'],
                           'trivialaugment': ['none', 'trivialaugment']}
    # With other ops the published RandAugment is not in the space.
    assert search.make_space('randaugment').baseline_params('randaugment_2_9') is None


def test_unknown_space(tmp_path):
    with pytest.raises(caffe.ConfigError, match="unknown search space 'autoaugment'"):
        search.make_space('autoaugment')


def test_space_file(tmp_path):
    path = tmp_path / 'space.json'
    path.write_text(json.dumps({
        'params': {'angle': {'type': 'float', 'low': 0, 'high': 30},
                   'flip': {'type': 'categorical', 'choices': [0, 0.5]},
                   'op': {'type': 'op', 'choices': ['ROTATE', 'SHEAR_X']},
                   'n': {'type': 'int', 'low': 1, 'high': 3}},
        'template': 'rotation: $angle hflip_prob: $flip '
                    'policy { kind: RAND_AUGMENT num_ops: ${n} op_set: $op }'}))
    space = search.make_space(str(path))
    policy = space.policy_of({'angle': 12.5, 'flip': 0.5, 'op': 'SHEAR_X', 'n': 2})
    assert policy.rotation == 12.5 and policy.hflip_prob == 0.5
    assert policy.policy.num_ops == 2 and list(policy.policy.op_set) == [AP.Op.SHEAR_X]
    for sampled in _random_policies(space, 5):
        caffe.augment.Augmenter(sampled)
    assert space.describe()['sha1']


@pytest.mark.parametrize('spec, message', [
    ({'params': {}, 'template': 'rotation: $angle'}, 'undefined parameters angle'),
    ({'params': {'a': {'type': 'float', 'low': 2, 'high': 1}}, 'template': ''}, 'low 2 is above'),
    ({'params': {'a': {'type': 'colour'}}, 'template': ''}, "unknown type 'colour'"),
    ({'params': {'a': {'type': 'op', 'choices': ['SPIN']}}, 'template': ''}, "op 'SPIN'"),
    ({'params': {'a': {'type': 'int', 'low': 0, 'high': 3}}, 'template': 'rotaton: $a'},
     'rotaton'),
    ({'template': ''}, 'needs an object with "params"'),
])
def test_space_file_errors_name_the_file(tmp_path, spec, message):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(spec))
    with pytest.raises(ValueError, match=message) as error:
        search.make_space(str(path))
    assert 'bad.json' in str(error.value)


# ------------------------------------------------------------- rewards ---

def test_deepaugment_reward_follows_the_rule():
    train = [0.50, 0.70, 0.90, 0.99, 0.99]
    val = [0.45, 0.66, 0.85, 0.80, 0.70]
    # Epochs 1-3 overfit by <= 0.10 (0.05, 0.04, 0.05); 4 and 5 do not.
    assert search.deepaugment_reward(train, val, k=3) == pytest.approx((0.45 + 0.66 + 0.85) / 3)
    assert search.deepaugment_reward(train, val, k=1) == pytest.approx(0.85)
    assert search.deepaugment_reward(train, val, k=10) == pytest.approx((0.45 + 0.66 + 0.85) / 3)


def test_deepaugment_reward_fallback_is_defined_and_penalised():
    train = [0.99, 1.0, 1.0]
    val = [0.80, 0.85, 0.82]  # every epoch overfits by more than 0.10
    value = search.deepaugment_reward(train, val, k=2)
    assert math.isfinite(value)
    # val - (gap - margin): 0.85 - 0.05 = 0.80 and 0.82 - 0.08 = 0.74
    assert value == pytest.approx((0.80 + 0.74) / 2)
    assert value < (0.85 + 0.82) / 2
    # At the margin exactly nothing is lost: the rule and fallback meet.
    assert search.deepaugment_reward([0.9], [0.8], k=1) == pytest.approx(0.8)


def test_last_k_reward_and_errors():
    assert search.last_k_reward([0.1, 0.5, 0.7, 0.9], k=2) == pytest.approx(0.8)
    assert search.reward('last_k', [0] * 3, [0.2, 0.4, 0.6], k=5) == pytest.approx(0.4)
    with pytest.raises(caffe.ConfigError, match='at least one epoch'):
        search.reward('deepaugment', [], [])
    with pytest.raises(caffe.ConfigError, match='not a finite'):
        search.reward('deepaugment', [0.5], [float('nan')])
    with pytest.raises(caffe.ConfigError, match="unknown reward 'best'"):
        search.reward('best', [0.5], [0.5])


# ---------------------------------------------------------- statistics ---

def test_t_quantiles_and_intervals():
    assert stats.t975(1) == pytest.approx(12.7062)
    assert stats.t975(4) == pytest.approx(2.7764)
    assert stats.t975(60) == pytest.approx(2.0003, abs=1e-4)
    assert stats.t975(1000) == pytest.approx(1.9623, abs=1e-4)
    interval = search.Interval([0.90, 0.92, 0.94])
    assert interval.mean == pytest.approx(0.92)
    assert interval.half_width == pytest.approx(4.3027 * 0.02 / math.sqrt(3))
    assert not interval.excludes_zero() or interval.low > 0
    single = search.Interval([0.5])
    assert single.half_width is None and not single.excludes_zero()
    difference = search.paired([0.91, 0.93, 0.95], [0.90, 0.92, 0.94])
    assert difference.mean == pytest.approx(0.01)
    assert difference.half_width == pytest.approx(0, abs=1e-12)


def test_report_claims_only_what_the_interval_supports():
    def collected(best, reference, none):
        return {'best': {'title': 'best (trial 7)', 'scores': dict(enumerate(best))},
                'none': {'title': 'no augmentation', 'scores': dict(enumerate(none))},
                'trivialaugment': {'title': 'TrivialAugment',
                                   'scores': dict(enumerate(reference))}}
    # A higher mean whose paired interval straddles 0: no claim.
    rows, verdicts = report.summarize(collected([0.93, 0.90, 0.95, 0.91], [0.92, 0.92, 0.92, 0.92],
                                                [0.80, 0.81, 0.79, 0.80]))
    assert 'best (trial 7) vs TrivialAugment: no significant difference' in verdicts[0]
    assert 'no augmentation is worse than TrivialAugment' in verdicts[1]
    assert 'best (trial 7) is better than no augmentation' in verdicts[2]
    text = report.format_table(rows, verdicts, 100, 4)
    assert 'TrivialAugment' in text and '+-' in text
    # Consistently higher on every seed: a supported win.
    _, verdicts = report.summarize(collected([0.93, 0.94, 0.95, 0.96], [0.91, 0.92, 0.93, 0.94],
                                             [0.9, 0.9, 0.9, 0.9]))
    assert 'better than TrivialAugment' in verdicts[0]
    _, verdicts = report.summarize(collected([0.5], [0.6], [0.4]))
    assert 'no claim' in verdicts[0]


# ---------------------------------------------------------- GP sampler ---

def _toy(trial):
    x = trial.suggest_float('x', 0, 1)
    y = trial.suggest_float('y', 0, 1)
    c = trial.suggest_categorical('c', ['a', 'b', 'c'])
    return -((x - 0.3) ** 2 + (y - 0.7) ** 2) - (0 if c == 'b' else 0.3)


def _best(sampler_name, seed):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    toy = optuna.create_study(direction='maximize',
                              sampler=samplers.make_sampler(sampler_name, seed, 6))
    toy.optimize(_toy, n_trials=18)
    return toy.best_value, [t.params for t in toy.trials]


def test_gp_sampler_models_the_objective_and_is_seeded():
    gp = [_best('gp', seed)[0] for seed in range(3)]
    random = [_best('random', seed)[0] for seed in range(3)]
    assert sum(gp) / 3 > sum(random) / 3
    assert max(gp) > -0.01
    assert _best('gp', 5)[1] == _best('gp', 5)[1]


def test_unknown_sampler_and_pruner():
    with pytest.raises(caffe.ConfigError, match="unknown sampler 'cmaes'"):
        samplers.make_sampler('cmaes', 0)
    with pytest.raises(caffe.ConfigError, match="unknown pruner 'asha'"):
        samplers.make_pruner('asha', 10)


# ---------------------------------------------------------------- data ---

def test_arrays_are_split_written_and_inspected(tmp_path):
    images, labels = shapes(30)
    paths = search.write_arrays(images, labels, str(tmp_path / 'd'), 10, 8, seed=3)
    infos = {split: search.inspect_db(path) for split, path in paths.items()}
    assert {split: info.records for split, info in infos.items()} == \
        {'train': 10, 'val': 8, 'test': 12}
    assert infos['train'].kind == 'datum' and infos['train'].shape == (1, 12, 12)
    everything = sorted(sum((info.labels for info in infos.values()), []))
    assert everything == sorted(labels.tolist())
    # The same arrays reuse the databases; other arrays are refused.
    again = search.write_arrays(images, labels, str(tmp_path / 'd'), 10, 8, seed=3)
    assert again == paths
    with pytest.raises(caffe.ConfigError, match='other data'):
        search.write_arrays(images[::-1], labels, str(tmp_path / 'd'), 10, 8, seed=3)


def test_too_few_records_for_the_split(tmp_path):
    images, labels = shapes(30)
    with pytest.raises(caffe.DataError, match='too few records for the split: 30 records'):
        search.write_arrays(images, labels, str(tmp_path / 'd'), 20, 10)
    with pytest.raises(caffe.ShapeError, match='one integer per image'):
        search.write_arrays(images, labels[:-1], str(tmp_path / 'e'), 10, 10)


def test_triplets_and_colour_arrays(tmp_path):
    images, labels = shapes(30)
    paths = search.write_arrays(images, labels, str(tmp_path / 't'), 12, 9,
                                triplets_per_anchor=2)
    info = search.inspect_db(paths['train'])
    assert info.kind == 'triplet' and info.records == 24
    colour = np.zeros((6, 4, 4, 3), np.uint8)
    colour[..., 0] = 200  # red in RGB
    paths = search.write_arrays(colour, np.arange(6) % 2, str(tmp_path / 'c'), 2, 2)
    with caffe.db.open(paths['train']) as database:
        datum = caffe_pb2.Datum.FromString(next(iter(database))[1])
    chw = caffe.io.datum_to_array(datum)
    assert chw[2].max() == 200 and chw[0].max() == 0  # stored BGR


def test_leveldb_databases_are_recognised(tmp_path):
    images, labels = shapes(6)
    path = str(tmp_path / 'train_leveldb')
    with caffe.db.open(path, 'leveldb', 'new') as database:
        with database.transaction() as txn:
            for index, (image, label) in enumerate(zip(images, labels)):
                txn.put_datum(b'%05d' % index, image[None], int(label))
    info = search.inspect_db(path)
    assert (info.backend, info.kind, info.records, info.num_classes) == ('leveldb', 'datum', 6, 3)
    with pytest.raises(caffe.IOError, match='neither an LMDB'):
        search.inspect_db(str(tmp_path))


def test_single_database_split(tmp_path):
    images, labels = shapes(20)
    whole = str(tmp_path / 'whole_lmdb')
    with caffe.db.open(whole, 'lmdb', 'new') as database:
        with database.transaction() as txn:
            for index, (image, label) in enumerate(zip(images, labels)):
                txn.put_datum(b'%05d' % index, image[None], int(label))
    paths = search.split_db(whole, str(tmp_path / 's'), 10, 5)
    assert [search.inspect_db(paths[s]).records for s in ('train', 'val', 'test')] == [10, 5, 5]


# ---------------------------------------------------------------- nets ---

def _info(tmp_path, triplets=0, size=12):
    images, labels = shapes(30, size=size)
    paths = search.write_arrays(images, labels, str(tmp_path / ('t%d' % triplets)), 12, 9,
                                triplets_per_anchor=triplets)
    return paths, search.inspect_db(paths['train'])


@pytest.mark.parametrize('name, triplets', [('basic', 0), ('basic', 1), ('wrn_10_1', 0),
                                            ('wrn_10_1', 1)])
def test_builtin_nets_build_in_both_phases(tmp_path, name, triplets):
    paths, info = _info(tmp_path, triplets)
    template = nets.builtin_net(name, info)
    policy = search.baseline_policy('trivialaugment')
    child = nets.child_net(template, paths['train'], paths['val'], policy, 77, 4, 3)
    train_layers, test_layers = nets.data_layers(child)
    assert [layer.augmentation_param.random_seed for layer in train_layers] == [77]
    assert not test_layers[0].HasField('augmentation_param')
    path = tmp_path / 'net.prototxt'
    path.write_text(nets.net_text(child))
    for phase in (caffe.TRAIN, caffe.TEST):
        net = caffe.Net(str(path), phase)
        net.forward()
        assert 0 <= float(net.blobs['accuracy'].data) <= 1


def test_bad_builtin_net_names(tmp_path):
    _, info = _info(tmp_path)
    with pytest.raises(caffe.ConfigError, match='depth = 6n \\+ 4'):
        nets.builtin_net('wrn_12_2', info)
    with pytest.raises(caffe.ConfigError, match="unknown child net 'resnet'"):
        nets.builtin_net('resnet', info)


USER_NET = '''
name: "user"
layer { name: "data" type: "Data" top: "data" top: "label"
  data_param { source: "%s" batch_size: 4 backend: LMDB }
  transform_param { scale: 0.00390625 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip"
  inner_product_param { num_output: 3 weight_filler { type: "xavier" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }
layer { name: "acc" type: "Accuracy" bottom: "ip" bottom: "label" top: "accuracy"
  include { phase: TEST } }
'''


def test_user_net_is_split_per_phase_and_injected(tmp_path):
    paths, _ = _info(tmp_path)
    net_path = tmp_path / 'user.prototxt'
    net_path.write_text(USER_NET % paths['train'])
    template = nets.user_template(str(net_path))
    train_layers, test_layers = nets.data_layers(template)
    assert len(train_layers) == 1 and len(test_layers) == 1
    child = nets.child_net(template, paths['train'], paths['val'],
                           search.baseline_policy('randaugment_2_9'), 5, None, 3)
    train_layers, test_layers = nets.data_layers(child)
    assert train_layers[0].data_param.batch_size == 4  # the user's
    assert test_layers[0].data_param.source == os.path.abspath(paths['val'])
    assert train_layers[0].augmentation_param.policy.num_ops == 2
    exported = nets.export_net(str(net_path), search.baseline_policy('trivialaugment'))
    layer = exported.layer[0]
    assert layer.augmentation_param.policy.kind == AP.Policy.TRIVIAL_AUGMENT
    assert not layer.augmentation_param.HasField('random_seed')


def test_user_net_without_a_data_layer(tmp_path):
    path = tmp_path / 'input.prototxt'
    path.write_text('layer { name: "in" type: "Input" top: "data" '
                    'input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }')
    with pytest.raises(caffe.ConfigError, match='no TRAIN-phase Data or TripletData layer'):
        nets.user_template(str(path))
    path.write_text('layer { name: "in" type: "Input" top: "data" input_param { shape { dim: ')
    with pytest.raises(caffe.ParseError, match='input.prototxt:1'):
        nets.user_template(str(path))


def test_eval_batch_covers_the_set_exactly():
    assert nets.eval_batch(300) == 100
    assert nets.eval_batch(1197) == 63
    assert nets.eval_batch(7) == 7
    assert nets.eval_batch(997) == 100  # prime: the last batch wraps


# --------------------------------------------------------------- study ---

def test_storage_urls_are_masked_and_unreachable_ones_named():
    assert study.mask_url('postgresql://me:secret@db:5432/x') == 'postgresql://me:***@db:5432/x'
    assert study.mask_url('sqlite:///a.db') == 'sqlite:///a.db'
    with pytest.raises(caffe.IOError) as error:
        study.open_storage('postgresql://me:secret@127.0.0.1:1/nothing')
    assert 'postgresql://me:***@127.0.0.1:1/nothing' in str(error.value)
    assert 'secret' not in str(error.value)


def _running(system_attrs, started_seconds_ago=0):
    import datetime
    return optuna.trial.FrozenTrial(
        number=0, state=optuna.trial.TrialState.RUNNING, value=None,
        datetime_start=datetime.datetime.now() - datetime.timedelta(seconds=started_seconds_ago),
        datetime_complete=None, params={}, distributions={}, user_attrs={},
        system_attrs=system_attrs, intermediate_values={}, trial_id=0)


def test_dead_workers_are_recognised():
    import time
    me = study.this_process()
    assert study.dead_reason(_running({study.OWNER: me, study.HEARTBEAT: 0}), 60) is None
    gone = dict(me, start=me['start'] + 1)  # the pid now belongs to another process
    assert 'is gone' in study.dead_reason(_running({study.OWNER: gone}), 60)
    elsewhere = dict(me, host='another-machine')
    fresh = {study.OWNER: elsewhere, study.HEARTBEAT: time.time() - 5}
    stale = {study.OWNER: elsewhere, study.HEARTBEAT: time.time() - 120}
    assert study.dead_reason(_running(fresh), 60) is None
    assert 'no heartbeat from process' in study.dead_reason(_running(stale), 60)
    assert study.dead_reason(_running({}, started_seconds_ago=5), 60) is None
    assert study.dead_reason(_running({}, started_seconds_ago=120), 60) == \
        'claimed but never started'


def test_settings_differences_name_each_setting():
    lines = study.settings_differences({'epochs': 10, 'seed': 0, 'space': {'ops': ['A']}},
                                       {'epochs': 12, 'seed': 0, 'space': {'ops': ['A', 'B']}})
    assert lines == ['epochs: the study has 10, this run has 12',
                     'space: the study has {"ops": ["A"]}, this run has {"ops": ["A", "B"]}']
