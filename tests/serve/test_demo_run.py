"""bin/demo's program: the ports it is told, the URLs it prints, and that any way of stopping it
stops all four parties, the gunicorn masters and workers of the broker and of Mandatenbeheer included."""

import argparse
import os
import signal
import subprocess
import sys
import time

import pytest

from demo.environment import free_port
from demo.run import ports

BROKER_DEMO = os.path.join(os.path.dirname(sys.executable), "broker-demo")


def _namespace(**values):
    defaults = dict(port_base=8000, application_port=None, broker_port=None, upstream_port=None, selfservice_port=None)
    return argparse.Namespace(**{**defaults, **values})


def test_the_port_base_moves_all_four_parties():
    assert ports(_namespace()) == {"application": 8000, "selfservice": 8070, "broker": 8080, "upstream": 8090}
    assert ports(_namespace(port_base=9000)) == {
        "application": 9000,
        "selfservice": 9070,
        "broker": 9080,
        "upstream": 9090,
    }
    assert ports(_namespace(port_base=9000, broker_port=7001, selfservice_port=7002)) == {
        "application": 9000,
        "selfservice": 7002,
        "broker": 7001,
        "upstream": 9090,
    }


def test_two_parties_on_one_port_are_refused():
    with pytest.raises(SystemExit, match="four different ports"):
        ports(_namespace(broker_port=8000))


def _processes_using(config: str) -> list[int]:
    """Processes whose command line names this demo's broker.toml: the gunicorn master and workers."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if config.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _wait_until_gone(config: str, limit: float = 90) -> list[int]:
    deadline = time.monotonic() + limit  # a ceiling only: the loop ends as soon as they are gone
    while (left := _processes_using(config)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _start_demo(tmp_path):
    chosen = {"application": free_port(), "broker": free_port(), "upstream": free_port(), "selfservice": free_port()}
    demo = subprocess.Popen(
        [BROKER_DEMO, "--workdir", str(tmp_path / "demo"), "--workers", "1"]
        + [f"--{party}-port={number}" for party, number in chosen.items()],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    printed = []
    for line in demo.stdout:  # until the demo says it runs, or ends
        printed.append(line)
        if line.startswith("Stop with"):
            break
    config = str(tmp_path / "demo" / "broker.toml")
    return demo, chosen, "".join(printed), config, str(tmp_path / "demo" / "selfservice.toml")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_demo_stops_the_broker_too(tmp_path, stop):
    demo, chosen, printed, config, selfservice_config = _start_demo(tmp_path)
    try:
        assert f"http://localhost:{chosen['selfservice']}/" in printed
        assert _processes_using(selfservice_config), "Mandatenbeheer's gunicorn should run while the demo runs"
        assert f"http://localhost:{chosen['application']}/" in printed
        assert f"http://localhost:{chosen['broker']}/saml/idp/metadata" in printed
        assert f"http://localhost:{chosen['upstream']}/metadata" in printed
        assert _processes_using(config), "the broker's gunicorn should run while the demo runs"
        demo.send_signal(stop)
        demo.wait(60)
        assert _wait_until_gone(config) == []
        assert _wait_until_gone(selfservice_config) == []
    finally:
        if demo.poll() is None:
            demo.kill()
        for pid in _processes_using(config) + _processes_using(selfservice_config):
            os.kill(pid, signal.SIGKILL)
