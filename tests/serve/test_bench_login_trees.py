"""bench/login.py --against: each tree's broker runs on a store and a state of its own, made by that
tree's own code, so that a tree at an older schema step never opens a store a newer one made."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from login import HERE, tree_store  # noqa: E402

from mandates_store import Store, demo_data  # noqa: E402

# A stand-in for another tree: its `broker` command adds what it was asked to the --db file.
OTHER_CLI = r"""import sys


def main():
    path = sys.argv[sys.argv.index("--db") + 1]
    with open(path, "a") as handle:
        handle.write("the other tree: " + " ".join(sys.argv[1:]) + "\n")
"""


@pytest.fixture
def other_tree(tmp_path) -> Path:
    tree = tmp_path / "other-tree"
    (tree / "broker").mkdir(parents=True)
    (tree / "broker" / "__init__.py").write_text("")
    (tree / "broker" / "cli.py").write_text(OTHER_CLI)
    return tree


def test_the_other_trees_own_command_makes_its_store_once(other_tree, tmp_path):
    folder = tmp_path / "tree-1"
    broker = {"STORE_DB": "/shared/store.db", "STATE_DB": "/shared/state.db", "BASE_URL": "http://localhost:1"}
    settings = tree_store(str(other_tree), str(folder), broker)
    assert settings == dict(broker, STORE_DB=str(folder / "store.db"), STATE_DB=str(folder / "state.db"))
    store = folder / "store.db"
    assert store.read_text() == f"the other tree: store --db {store} init\nthe other tree: store --db {store} demo\n"
    store.write_text("kept")
    assert tree_store(str(other_tree), str(folder), broker) == settings  # the next round: the same store
    assert store.read_text() == "kept"


def test_a_tree_that_cannot_make_its_store_stops_the_benchmark_with_its_words(other_tree, tmp_path):
    (other_tree / "broker" / "cli.py").write_text("def main():\n    raise SystemExit('store step 12 is unknown')\n")
    with pytest.raises(SystemExit, match="store step 12 is unknown"):
        tree_store(str(other_tree), str(tmp_path / "tree-1"), {})


def test_this_trees_store_holds_the_demo_persons(tmp_path):
    settings = tree_store(HERE, str(tmp_path / "tree-0"), {})
    with Store(settings["STORE_DB"]) as store:
        assert store.person(demo_data.PERSON_EXECUTOR).name
        assert store.person(demo_data.PERSON_OWN_NAME_ONLY).name
