"""bench/store.py --reuse reads a kept store's facts: its own file beside the store, or the one
bench/engines.py keeps (DIR/facts.json beside DIR/store.db), so one kept 10M store serves both."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from store import reused_facts  # noqa: E402


def test_its_own_facts_file_is_read_as_it_is(tmp_path):
    store = tmp_path / "bench-store-1.db"
    Path(f"{store}.facts.json").write_text(json.dumps({"mandates": 5, "organisation_count": 3, "seconds": 1.0}))
    assert reused_facts(store) == {"mandates": 5, "organisation_count": 3, "seconds": 1.0}


def test_the_engines_bench_facts_give_the_organisation_count(tmp_path):
    store = tmp_path / "store.db"
    kept = {"big_firm": "2000000042", "big_executor": "50000000080", "typical": ["1"], "mandates": 10}
    (tmp_path / "facts.json").write_text(json.dumps({**kept, "organisations": 7, "seconds": 2.5}))
    facts = reused_facts(store)
    assert facts["organisation_count"] == 7
    assert facts["mandates"] == 10 and facts["big_firm"] == "2000000042" and facts["seconds"] == 2.5
