"""`broker serve`'s gunicorn worker parses requests with gunicorn_h1c (C) and keeps its heartbeat
file in memory: both are per-request costs of the sync worker."""

import os

from gunicorn.config import Config
from gunicorn.http import message

from broker.ops.serve import gunicorn_options
from broker.settings import Settings


def _config() -> Config:
    config = Config()
    for key, value in gunicorn_options(Settings()).items():
        config.set(key, value)
    return config


def test_requests_are_parsed_by_the_c_parser():
    assert message._check_fast_parser(_config()) is True


def test_the_heartbeat_file_lives_in_memory():
    folder = _config().worker_tmp_dir
    assert folder == "/dev/shm" and os.path.isdir(folder)
    with open("/proc/mounts") as mounts:
        assert any(line.split()[1] == folder and line.split()[2] == "tmpfs" for line in mounts)
