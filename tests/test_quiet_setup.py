"""README's two commands install quietly: pip's warnings (e.g. "Location … is ignored") are not
the user's business, its errors are. Each pip line of bin/demo and bin/test is run with its own
options against a missing find-links folder and a package that exists nowhere (--no-index: no
network)."""

import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO


def pip_options(script: str) -> list[list[str]]:
    """The options of each `pip install` line of a bin/ script."""
    found = []
    with open(f"{REPO}/bin/{script}", encoding="utf-8") as handle:
        for line in handle:
            words = shlex.split(line, comments=True)
            if "pip" in words and "install" in words[words.index("pip") :]:
                after = words[words.index("install", words.index("pip")) + 1 :]
                found.append([word for word in after if word.startswith("-") and not word.startswith("-e")])
    return found


@pytest.mark.parametrize("script", ["demo", "test"])
def test_pip_lines_hide_warnings_and_show_errors(script, tmp_path):
    lines = pip_options(script)
    assert len(lines) == 2  # pip itself, then the project
    for options in lines:
        run = subprocess.run(
            [sys.executable, "-m", "pip", "install", *options, "--no-index"]
            + ["--find-links", str(tmp_path / "missing"), "no-such-package-for-this-test"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1
        assert "is ignored" not in run.stderr + run.stdout  # the warning pip prints without -qq
        assert "Looking in links" not in run.stdout  # nor its progress lines
        assert "ERROR: No matching distribution found for no-such-package-for-this-test" in run.stderr
