"""A worker freezes what start-up built, so no garbage-collection pass walks it during a login."""

import gc
from types import SimpleNamespace

from broker import create_app
from broker.ops import gc_tuning
from broker.ops.serve import gunicorn_options
from broker.settings import Settings
from demo.environment import copy_policies, prepare


def test_a_worker_freezes_start_up_and_collects_young_objects_less_often(tmp_path):
    env = prepare(str(tmp_path / "demo"), policy_dir=copy_policies(str(tmp_path / "policies")))
    worker = SimpleNamespace(wsgi=create_app(env.broker))
    thresholds = gc.get_threshold()
    gc.unfreeze()
    try:
        gunicorn_options(Settings())["post_worker_init"](worker)
        assert gc.get_freeze_count() > 10_000  # the app, metadata, policies, templates, modules
        assert gc.get_threshold()[0] == gc_tuning.YOUNG_THRESHOLD > thresholds[0]
        assert gc.get_count()[0] < 100  # frozen just now
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
