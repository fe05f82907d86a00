"""A worker process: `python -m caffe.search.worker PLAN.json INDEX` (or
`pretrain` instead of INDEX). The search command starts them with one BLAS
thread each; you may also start more by hand with the same plan file on
another machine that sees the same storage and databases (the command does
this for you when run there with the same arguments).

A worker takes WAITING trials of the search study until none is left and
none is running elsewhere, then does the same with the final report's runs.
"""
import json
import os
import signal
import sys
import time
import traceback


def _limit_threads():
    """One BLAS thread, so N workers share the cores without oversubscribing
    them. The search command also sets it in the workers' environment;
    this covers workers started by hand."""
    from .. import set_blas_threads
    set_blas_threads(1)


class Context:
    """What every trial of this worker needs, parsed once."""

    def __init__(self, plan, index):
        from google.protobuf import text_format

        from ..proto import caffe_pb2
        from . import spaces

        self.plan = plan
        self.index = index
        self.space = spaces.make_space(plan['space'], plan['ops'])
        self.template = caffe_pb2.NetParameter()
        text_format.Parse(plan['template'], self.template)
        self.solver = caffe_pb2.SolverParameter()
        text_format.Parse(plan['solver'], self.solver)
        self._storage = None
        self.work_dir = os.path.join(plan['out'], 'work', 'worker-%s' % index)


    @property
    def storage(self):
        if self._storage is None:
            from .study import open_storage
            self._storage = open_storage(self.plan['storage'])
        return self._storage


def _train(ctx, policy, seed, train_db, eval_db, eval_batch, eval_batches, epochs,
           iters_per_epoch, weights=None, on_epoch=None, every_epoch=True, save_weights=None):
    from . import child, nets
    plan = ctx.plan
    net = nets.child_net(ctx.template, train_db['path'], eval_db['path'], policy, seed,
                         plan['batch'], eval_batch, train_db['backend'], eval_db['backend'])
    return child.train(net, ctx.solver, ctx.work_dir, epochs, iters_per_epoch, eval_batches,
                       plan['score'], seed, weights=weights, on_epoch=on_epoch,
                       evaluate_every_epoch=every_epoch, save_weights=save_weights,
                       train_score=plan['score_in_train'])


def search_objective(ctx, trial):
    """Trains the trial's policy `samples` times; returns the mean reward.
    Reports each epoch's validation score for pruning."""
    from . import child, rewards, spaces
    from .study import FIXED_POLICY, SLOT
    plan = ctx.plan
    attrs = trial.user_attrs
    slot = attrs[SLOT]
    fixed = attrs.get(FIXED_POLICY)
    policy = spaces.parse_policy(fixed) if fixed else ctx.space.suggest(trial)
    trial.set_user_attr('policy', spaces.policy_text(policy))
    histories, sample_rewards = [], []
    for sample in range(plan['samples']):
        rows = []

        def on_epoch(row, sample=sample, rows=rows):
            rows.append(row)
            trial.report(row['val_acc'], sample * plan['epochs'] + row['epoch'] - 1)
            if trial.should_prune():
                raise child.Pruned()

        try:
            _train(ctx, policy, child.child_seed(plan['seed'], 'trial', slot, sample),
                   plan['train'], plan['val'], plan['val_batch'], plan['val_batches'],
                   plan['epochs'], plan['iters_per_epoch'], weights=plan['pretrain_weights'],
                   on_epoch=on_epoch)
        finally:
            histories.append(rows)
            trial.set_user_attr('history', histories)
            if rows:
                sample_rewards.append(rewards.reward(
                    plan['reward'], [r['acc'] for r in rows], [r['val_acc'] for r in rows],
                    plan['reward_k'], plan['reward_margin']) if plan['score_in_train'] else
                    rewards.last_k_reward([r['val_acc'] for r in rows], plan['reward_k']))
                trial.set_user_attr('sample_rewards', sample_rewards)
    return sum(sample_rewards) / len(sample_rewards)


def report_objective(ctx, trial):
    """Trains one (candidate, seed) of the final report on the report's
    training set and returns its score on the held-out test set."""
    from . import child, spaces
    from .study import FIXED_POLICY
    plan, report = ctx.plan, ctx.plan['report']
    policy = spaces.parse_policy(trial.user_attrs[FIXED_POLICY])
    rows = _train(ctx, policy, child.child_seed(plan['seed'], 'report',
                                                trial.user_attrs['report:seed']),
                  report['train_db'], plan['test'], report['test_batch'],
                  report['test_batches'], report['epochs'], report['iters_per_epoch'],
                  every_epoch=False)
    trial.set_user_attr('history', rows)
    return rows[-1]['val_acc']


def run_trial(ctx, study, frozen, objective, seeded):
    """Runs one claimed trial: its sampler is seeded from (study seed, trial
    number) when `seeded`; FAIL plus a retry of its slot on any error."""
    import optuna
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    from . import child, samplers
    from .study import Heartbeat, fail_and_retry
    plan = ctx.plan
    # The study object that claimed the trial runs it (its storage knows the
    # trial); only its sampler and pruner are made fresh for this trial.
    if seeded:
        study.sampler = samplers.make_sampler(
            plan['sampler'], child.child_seed(plan['seed'], 'sampler', frozen.number),
            plan['startup_trials'])
    study.pruner = samplers.make_pruner(plan['pruner'], plan['epochs'] * plan['samples'])
    trial = optuna.trial.Trial(study, frozen._trial_id)
    try:
        with Heartbeat(ctx.storage, frozen._trial_id, plan['heartbeat_interval']):
            value = objective(ctx, trial)
    except child.Pruned:
        _tell(study, trial, state=TrialState.PRUNED)
        return
    except UpdateFinishedTrialError:
        sys.stderr.write('trial %d was failed by another worker while it ran; its slot runs '
                         'again there\n' % trial.number)
        return
    except BaseException as error:
        reason = 'interrupted' if isinstance(error, KeyboardInterrupt) else \
            '%s: %s' % (type(error).__name__, error)
        fail_and_retry(study, frozen, reason)
        raise
    _tell(study, trial, value)


def _tell(study, trial, value=None, state=None):
    """study.tell, unless another worker already failed this trial (its
    heartbeat went stale) and queued its slot again: then the result is
    dropped, and the retry stands."""
    from optuna.exceptions import UpdateFinishedTrialError
    try:
        study.tell(trial, value, state=state, skip_if_finished=True)
        taken_over = study._storage.get_trial(trial._trial_id).state.name == 'FAIL'
    except UpdateFinishedTrialError:
        taken_over = True
    if taken_over:
        sys.stderr.write('trial %d was failed by another worker while it ran; its slot runs '
                         'again there\n' % trial.number)


def work(ctx, study, objective, seeded, poll=2.0):
    """Claims and runs trials of `study` until none is waiting or running."""
    from optuna.trial import TrialState

    from .study import FAIL_REASON, claim, duplicate_of, recover
    plan = ctx.plan
    while True:
        orphans = recover(study, plan['heartbeat_grace'])
        frozen = claim(study)
        if frozen is None:
            if orphans or study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                time.sleep(poll)
                continue
            return
        other = duplicate_of(study, frozen)
        if other is not None:
            ctx.storage.set_trial_user_attr(frozen._trial_id, FAIL_REASON,
                                            'duplicate of trial %d' % other.number)
            ctx.storage.set_trial_state_values(frozen._trial_id, TrialState.FAIL)
            continue
        run_trial(ctx, study, frozen, objective, seeded)


def report_candidates(plan, search):
    """[(key, title, policy text)] of the final report: the search's best
    trial, the three baselines and the user's report policies."""
    from . import spaces
    from .runner import best_trial_of
    best = best_trial_of(search)
    candidates = [('best', 'best (trial %d)' % best.number, best.user_attrs['policy'])]
    for name in spaces.BASELINES:
        candidates.append((name, spaces.BASELINE_TITLES[name],
                           spaces.policy_text(spaces.baseline_policy(name))))
    for name, text in sorted(plan['report']['policies'].items()):
        candidates.append(('user:' + name, name, text))
    return candidates


def report_study(ctx, search):
    """The final report's study, created (with one trial per candidate and
    seed) by the first worker that gets here."""
    import hashlib

    from .study import FIXED_POLICY, create_or_resume
    plan = ctx.plan
    candidates = report_candidates(plan, search)
    slots = []
    for seed in range(plan['report']['seeds']):
        for key, title, text in candidates:
            slots.append((None, {'report:candidate': key, 'report:title': title,
                                 'report:seed': seed, FIXED_POLICY: text}))
    settings = {'search_study': plan['study_name'],
                'candidates': [[key, title, hashlib.sha1(text.encode()).hexdigest()]
                               for key, title, text in candidates],
                'seeds': plan['report']['seeds']}
    study, _ = create_or_resume(ctx.storage, plan['report_study_name'], settings, slots)
    return study


def pretrain(ctx):
    """Trains the child without augmentation for pretrain_epochs (seeded by
    the study seed) and saves the weights every trial starts from."""
    from . import child
    from .spaces import AugmentationParameter
    plan = ctx.plan
    path = plan['pretrain_weights']
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _train(ctx, AugmentationParameter(), child.child_seed(plan['seed'], 'pretrain'),
           plan['train'], plan['val'], plan['val_batch'], plan['val_batches'],
           plan['pretrain_epochs'], plan['iters_per_epoch'], save_weights=path)


def rerun(ctx, number):
    """Trains search trial `number` again, exactly as it ran (its policy, its
    slot's seeds; no pruning) and returns its per-sample histories."""
    import optuna

    from . import child, spaces
    from .study import SLOT
    search = optuna.load_study(study_name=ctx.plan['study_name'], storage=ctx.storage)
    trial = search.trials[number]
    plan = ctx.plan
    policy = spaces.parse_policy(trial.user_attrs['policy'])
    histories = []
    for sample in range(plan['samples']):
        histories.append(_train(ctx, policy, child.child_seed(plan['seed'], 'trial',
                                                              trial.user_attrs[SLOT], sample),
                                plan['train'], plan['val'], plan['val_batch'],
                                plan['val_batches'], plan['epochs'], plan['iters_per_epoch'],
                                weights=plan['pretrain_weights']))
    return histories


def _stop(signum, frame):
    # Once: the trial being interrupted must be able to put itself back in
    # the queue without a second signal cutting that short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.stderr.write('usage: python -m caffe.search.worker PLAN.json INDEX|pretrain|check|'
                         'rerun:TRIAL\n')
        return 2
    _limit_threads()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with open(argv[0]) as handle:
        plan = json.load(handle)
    try:
        ctx = Context(plan, argv[1].replace(':', '-'))
        if argv[1] == 'pretrain':
            pretrain(ctx)
            return 0
        if argv[1] == 'check':
            from .plan import check_child
            sys.stdout.write(json.dumps(check_child(plan)) + '\n')
            return 0
        if argv[1].startswith('rerun:'):
            sys.stdout.write(json.dumps(rerun(ctx, int(argv[1][len('rerun:'):]))) + '\n')
            return 0
        search = optuna.load_study(study_name=plan['study_name'], storage=ctx.storage)
        work(ctx, search, search_objective, seeded=True)
        if plan['report']['seeds']:
            work(ctx, report_study(ctx, search), report_objective, seeded=False)
    except KeyboardInterrupt:
        sys.stderr.write('worker %s: interrupted; its trial goes back to the queue\n' % argv[1])
        return 130
    except Exception as error:  # noqa: BLE001 - reported to the search command
        traceback.print_exc()
        sys.stderr.write('worker %s: error: %s\n' % (argv[1], error))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
