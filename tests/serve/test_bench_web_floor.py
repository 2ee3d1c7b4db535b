"""bench/web_floor.py: each server starts with its app (gunicorn with `broker serve`'s options),
answers both requests of a login as the broker does (a 303, then a 200 page), and the script
prints a figure per cell and the budget the 2.5 ms target leaves. Nothing here is timed."""

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "web_floor.py"


def test_the_floor_script_prints_every_cell_and_the_budget():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "2", "--pairs", "3"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for server in ("gunicorn", "granian", "waitress"):
        for app in ("plain", "flask-bare", "flask"):
            assert re.search(rf"^{server} +\+ {app} *: p50 \d+\.\d{{3}} ms, mean \d+\.\d{{3}} ms", done.stdout, re.M)
        assert re.search(rf"^{server}: server floor \d+\.\d+ ms, Flask -?\d+\.\d+ ms .*target: -?\d", done.stdout, re.M)
    assert len(re.findall(r"^round [12] ", done.stdout, re.M)) == 18
