"""What both engines' schemas share: the version number, the conflict rule, the first id.

The numbered migration steps themselves are per engine (engines/sqlite_schema.py with
`PRAGMA user_version`, engines/postgresql_schema.py with a `schema_version` table): the same
numbers, the same tables and rules. Dates are ISO `YYYY-MM-DD` text, moments ISO date-times,
on both engines. Every `valid_until` / `end_date` is exclusive: the first day the thing no
longer holds.
"""

FIRST_MANDATE_ID = 5710246  # the seeds' numbering; only cosmetic
SCHEMA_VERSION = 6

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


def conflict_rule(other: str) -> str:
    return CONFLICT_RULE.format(other=other)
