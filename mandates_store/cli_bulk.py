"""`broker store bulk …`: the grouped actions (create from a CSV, sign or stop a search result, list, report)."""

import os

import click

from mandates_store.bulk import COMMIT_LINES
from mandates_store.cli_common import (
    Context,
    actor_options,
    date_option,
    echo_mandate,
    make_actor,
    make_search,
    pass_context,
    refusals,
)

# --- bulk ---------------------------------------------------------------------------------


@click.group()
def bulk() -> None:
    """Bulk actions (Gegroepeerde acties): create from CSV, sign or stop a search result."""


EXIT = {"Geslaagd": 0, "Gedeeltelijk succes": 2, "Fout": 1}


def _finish_report(context: Context, report) -> None:
    click.echo(context.store.bulk_report_text(report.operation.id), nl=False)
    code = EXIT.get(report.status, 1)
    if code:
        click.get_current_context().exit(code)


@bulk.command("create")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@actor_options
@click.option("--role", type=click.Choice(["giver", "taker"]), required=True)
@click.option("--type", "types", multiple=True, required=True)
@click.option("--accept", is_flag=True, help="Accept the contract text (required).")
@click.option(
    "--resume",
    type=int,
    metavar="OPERATION",
    help="Continue this interrupted bulk create of the same file after its last committed line.",
)
@click.option("--again", is_flag=True, help="Start a new operation even though one on this file was interrupted.")
@click.option(
    "--commit-every",
    type=click.IntRange(min=1),
    default=COMMIT_LINES,
    show_default=True,
    help="Lines per commit at most (1: one commit per line).",
)
@pass_context
@refusals
def bulk_create(context, csv_file, person, party, admin_user, role, types, accept, resume, again, commit_every) -> None:
    """Create mandates from the seeds' CSV (no header, `;`, one mandate per line)."""
    if not os.path.exists(csv_file):
        raise click.ClickException(f"{csv_file}: file not found")
    actor = make_actor(person, party, admin_user)
    if resume is None and not again:
        # Running a file again after an interrupted import would create its first lines twice.
        for interrupted in context.store.interrupted_bulk_creates(actor.party, csv_file):
            raise click.ClickException(
                f"Gegroepeerde actie {interrupted.id} op dit bestand werd onderbroken na lijn "
                f"{interrupted.last_line or 0}; hervat ze met --resume {interrupted.id} "
                f"(of begin opnieuw met --again)."
                if context.language == "nl"
                else f"Bulk operation {interrupted.id} on this file was interrupted after line "
                f"{interrupted.last_line or 0}; continue it with --resume {interrupted.id} "
                f"(or start anew with --again)."
            )
    report = context.store.bulk_create(
        actor,
        role=role,
        types=list(types),
        path=csv_file,
        accept_contract=accept,
        commit_every=commit_every,
        resume=resume,
    )
    _finish_report(context, report)


def _bulk_over_search(context, kind, person, party, admin_user, count, filters, **extra) -> None:
    actor = make_actor(person, party, admin_user)
    query = make_search(party=actor.party, **filters)
    if count is None:
        found = context.store.bulk_preview(actor, query, kind)
        for mandate in found:
            echo_mandate(mandate)
        raise click.ClickException(f"{len(found)} mandate(s) found; confirm with --count {len(found)}")
    action = context.store.bulk_sign if kind == "sign" else context.store.bulk_stop
    _finish_report(context, action(actor, query, confirm_count=count, **extra))


def bulk_search_options(command):
    for option in reversed(
        [
            click.option("--role", type=click.Choice(["giver", "taker", "either"]), default="either"),
            click.option("--type", "types", multiple=True),
            click.option("--changed-by", type=click.Choice(["giver", "taker", "administrator"])),
            click.option("--participants"),
            click.option("--name"),
            click.option("--reference"),
            click.option("--changed-since", callback=date_option),
            click.option("--count", type=int, help="The number of mandates found, to confirm."),
        ]
    ):
        command = option(command)
    return command


@bulk.command("sign")
@actor_options
@bulk_search_options
@click.option("--accept", is_flag=True, help="Accept the contract texts (required).")
@pass_context
@refusals
def bulk_sign(context, person, party, admin_user, count, accept, **filters) -> None:
    """Sign every mandate awaiting signature in a search (without --count: preview)."""
    _bulk_over_search(
        context, "sign", person, party, admin_user, count, dict(filters, status=None), accept_contract=accept
    )


@bulk.command("stop")
@actor_options
@bulk_search_options
@click.option("--reason")
@pass_context
@refusals
def bulk_stop(context, person, party, admin_user, count, reason, **filters) -> None:
    """Stop every active mandate in a search (without --count: preview)."""
    _bulk_over_search(context, "stop", person, party, admin_user, count, dict(filters, status=None), reason=reason)


@bulk.command("list")
@click.option("--party")
@pass_context
@refusals
def bulk_list(context, party) -> None:
    """The history of bulk operations, newest first."""
    for operation in context.store.bulk_operations(party):
        where = f"\ttot lijn {operation.last_line or 0}" if operation.interrupted else ""
        click.echo(
            f"{operation.id}\t{operation.started_at:%d/%m/%Y}\t{operation.kind_nl}\t"
            f"{operation.status}\t{operation.lines_ok}/{operation.lines_total}{where}"
        )


@bulk.command("report")
@click.argument("operation_id", type=int)
@pass_context
@refusals
def bulk_report(context, operation_id) -> None:
    """The report of one bulk operation."""
    click.echo(context.store.bulk_report_text(operation_id), nl=False)
