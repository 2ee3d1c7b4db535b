"""bench/login_statement.py's variants ask the login statement's own question: each differs from
the built statement (a change in login_query.py that made a rewrite miss would show here), and on
a COPY-loaded store every variant returns the built statement's rows: `joined`, with the givers'
names from the parties through store step 11's "C" index, the same names the mandates carry."""

import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import login_statement  # noqa: E402
import pg_load  # noqa: E402
from store import SCOPE  # noqa: E402

from mandates_store import login_query  # noqa: E402
from mandates_store.engines.postgresql import translate  # noqa: E402
from mandates_store.schema import LOGIN_INDEX, PARTY_NUMBERS_C  # noqa: E402
from tests.store.test_bench_loader import SIZES, TODAY, quiet  # noqa: E402


def test_every_variant_returns_the_built_statements_rows(postgres_url):
    facts = pg_load.load(postgres_url, **SIZES, today=TODAY, log=quiet)
    shape = login_query.shape_of(SCOPE, with_party=True)
    params = login_query.parameters(shape, facts["big_executor"], TODAY.isoformat(), sorted(SCOPE.mandate_types))
    chosen = login_statement.variants(login_query.statement(shape))
    built = chosen["built"][0]
    assert all(sql != built for name, (sql, binary) in chosen.items() if name not in ("built", "binary"))
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("ANALYZE parties")
        expected = conn.execute(translate(built), params).fetchall()
        assert sum(1 for row in expected if row[0] > login_query.EXECUTED) == SIZES["organisations"] - 1
        conn.execute("SET enable_seqscan = off")  # a tiny table is scanned otherwise
        conn.execute(login_statement.C_INDEX)  # store step 12 dropped it; the bench makes it on its copy
        plans = {}
        for name, (sql, binary) in chosen.items():
            assert conn.execute(translate(sql), params, binary=binary).fetchall() == expected, name
            plans[name] = " ".join(line for (line,) in conn.execute("EXPLAIN " + translate(sql), params))
    assert PARTY_NUMBERS_C in plans["joined"] and PARTY_NUMBERS_C not in plans["built"]
    # the firm's mandates with their names from the login index alone (store step 12)
    assert f"Index Only Scan using {LOGIN_INDEX} on mandates m_1" in plans["built"], plans["built"]
