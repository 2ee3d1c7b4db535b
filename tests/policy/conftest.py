import os
from pathlib import Path

import pytest


class Folder:
    """A real policies folder in tmp_path, with a helper to write files the way an operator does."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, name: str, text: str) -> Path:
        file = self.path / name
        before = file.stat().st_mtime_ns if file.exists() else None
        file.write_text(text, encoding="utf-8")
        if file.stat().st_mtime_ns == before:  # two saves within the clock's tick; an operator's are seconds apart
            os.utime(file, ns=(before + 1_000_000, before + 1_000_000))
        return file

    def remove(self, name: str) -> None:
        (self.path / name).unlink()


@pytest.fixture
def folder(tmp_path) -> Folder:
    path = tmp_path / "policies"
    path.mkdir()
    return Folder(path)
