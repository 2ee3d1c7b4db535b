"""`broker audit`: print and filter the audit trail."""

import click

from broker.ops.state_option import state_option
from broker.storage.audit import COLUMNS, OUTCOMES, STORED_ISSUED, AuditTrail


@click.command("audit")
@state_option
@click.option("--since", help="only decisions from this date or instant on (ISO, UTC), e.g. 2025-01-31")
@click.option("--application", help="only this application (entity ID)")
@click.option("--person", help="only this person (national number)")
@click.option(
    "--outcome",
    type=click.Choice([*OUTCOMES, STORED_ISSUED]),
    help="issued: an assertion was sent to the application (its delivery is the application's side); "
    "answered is the old name of issued",
)
def audit(state_db, since, application, person, outcome):
    """Every login decision: who, at which application, on whose behalf (an assertion issued), or why refused."""
    entries = AuditTrail(state_db).entries(since=since, application=application, person=person, outcome=outcome)
    click.echo("\t".join(COLUMNS[1:]))
    for entry in entries:
        values = (getattr(entry, column) for column in COLUMNS[1:])
        click.echo("\t".join("" if value is None else str(value) for value in values))
