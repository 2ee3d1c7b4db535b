"""What both engines' schemas share: the version number, the conflict rule, the first id.

The numbered migration steps themselves are per engine (engines/sqlite_schema.py with
`PRAGMA user_version`, engines/postgresql_schema.py with a `schema_version` table): the same
numbers, the same tables and rules. Dates are ISO `YYYY-MM-DD` text, moments ISO date-times,
on both engines. Every `valid_until` / `end_date` is exclusive: the first day the thing no
longer holds.
"""

FIRST_MANDATE_ID = 5710246  # the seeds' numbering; only cosmetic
SCHEMA_VERSION = 12

# The conflict rule, said once: a signed mandate `m` conflicts with another mandate of its type
# between the same giver and taker when their periods overlap. Periods are [start, end) and a
# NULL end is open, so touching periods do not overlap. `{other}` prefixes the other mandate's
# columns: "NEW." in the SQLite triggers, ":" for named parameters (mandates.check_no_conflict).
# The bulk import checks the period part in Python (bulk.create.periods_overlap); PostgreSQL
# holds it with an exclusion constraint on the same half-open ranges. Changing this text needs
# a migration that recreates the triggers (as the SQLite v6 step does).
CONFLICT_RULE = (
    "m.giver = {other}giver AND m.taker = {other}taker AND m.type_code = {other}type_code "
    "AND m.state = 'signed' "
    "AND m.start_date < coalesce({other}end_date, '9999-12-31') "
    "AND {other}start_date < coalesce(m.end_date, '9999-12-31')"
)


# v7: Mandatenbeheer's search counts and pages a firm's mandates (a hundred thousand and more)
# by every filter but the name: with these columns in both sides' indexes it reads no table row.
# The login path keeps its prefix (taker, type_code, state, dates, giver), the conflict rule its
# (giver, taker, type_code).
SEARCH_INDEXES = {
    "mandates_by_taker": ("taker", "type_code", "state", "start_date", "end_date", "giver", "changed_by", "changed_at"),
    "mandates_by_giver": ("giver", "taker", "type_code", "state", "start_date", "end_date", "changed_by", "changed_at"),
}


# v9 (PostgreSQL only): an SQLite index carries the row's id (the rowid), a PostgreSQL index does
# not, so there the login's and the bulk import's lookups read every mandate's table row for its
# id, and the planner sometimes preferred the conflict rule's GiST index (slower still). The two
# mandate indexes include the id there.
COVERING_ID = "id"


# v11 (SQLite only): the bulk import's conflict lookup reads a counterparty's signed mandates
# with the own party. Through mandates_by_giver each lookup descended into the own party's whole
# range, which every import grows by its awaiting mandates (100,000+ per run at the big firm); an
# index of the signed mandates only holds none of them, and an awaiting mandate's insert does not
# touch it. It carries `state` so the lookup reads no table row. (PostgreSQL: its step 11.)
SIGNED_INDEX = "mandates_signed"
SIGNED_KEY = ("giver", "taker", "type_code")
SIGNED_ONLY = "state = 'signed'"


# v11 (PostgreSQL only): a login's party lookups (the givers of a firm's thousands of mandates)
# compare numbers in an index of them under the "C" collation, byte by byte: under the cluster's
# default collation each comparison went through strcoll (~30 % of the 2,000-giver login's
# server CPU). Equality is the same (the collations are deterministic); the joins that go by it
# said COLLATE "C". SQLite compares bytes already (BINARY): its join named the covering index of
# step 1, PARTY_NUMBERS. Step 12 ends that join (GIVER_NAME) and drops the "C" index again.
PARTY_NUMBERS_C = "parties_number_c"
PARTY_NUMBERS = "parties_number_kind_name"


# v12: a mandate carries its giver's name (giver_name), which the database keeps equal to the
# party's: an insert or update with another name is refused, a party's new name is written to its
# mandates. A login's options for an executor at a firm read thousands of mandates with their
# givers' names; the join to the parties was half of PostgreSQL's server time for 2,000 givers.
# The login's index carries the name (LOGIN_INDEX), so the login reads no table row.
GIVER_NAME = "giver_name"
LOGIN_INDEX = "mandates_by_taker"


def conflict_rule(other: str) -> str:
    return CONFLICT_RULE.format(other=other)
