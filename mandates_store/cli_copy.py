"""`broker store copy --from LOCATION --to LOCATION`: an SQLite file or a postgresql:// URL on
either side (README "Beyond one machine"); prints each table's counts and checksums on both sides."""

import contextlib
import os

import click

from mandates_store.cli_common import Context, pass_context, refusals
from mandates_store.copying import BATCH_ROWS, CopyReport, Mismatch, copy_store
from mandates_store.engines import POSTGRESQL, engine_of

WORDS = {
    "nl": ("tabel", "rijen bron", "rijen doel", "controlesom bron", "controlesom doel", "ok", "VERSCHILLEND"),
    "en": ("table", "rows from", "rows to", "checksum from", "checksum to", "ok", "DIFFERS"),
}


def is_url(location: str) -> bool:
    return engine_of(location) == POSTGRESQL


def open_side(location: str, *, create: bool):
    if is_url(location):
        from mandates_store.engines.copy_postgresql import PostgresSide

        return PostgresSide(location, create=create)
    from mandates_store.engines.copy_sqlite import SqliteSide

    if create:
        os.makedirs(os.path.dirname(os.path.abspath(location)), exist_ok=True)
    return SqliteSide(location, create=create)


def _same_place(a: str, b: str) -> bool:
    return a == b if is_url(a) or is_url(b) else os.path.realpath(a) == os.path.realpath(b)


def echo_report(report: CopyReport, language: str) -> None:
    words = WORDS[language]
    click.echo(f"{words[0]:<26} {words[1]:>11} {words[2]:>11}  {words[3]:<32}  {words[4]:<32}")
    for check in report.checks:
        verdict = words[5] if check.ok else words[6]
        click.echo(
            f"{check.table:<26} {check.source_rows:>11} {check.target_rows:>11}  "
            f"{check.source_checksum}  {check.target_checksum}  {verdict}"
        )


@click.command("copy")
@click.option("--from", "source", required=True, metavar="LOCATION", help="The store to copy: a file or a URL.")
@click.option("--to", "target", required=True, metavar="LOCATION", help="An empty store (a new file or database).")
@click.option("--batch", "batch_rows", type=click.IntRange(min=1), default=BATCH_ROWS, show_default=True)
@pass_context
@refusals
def copy(context: Context, source: str, target: str, batch_rows: int) -> None:
    """Copy a whole store into an empty one (SQLite file or postgresql://user@host:port/db, either
    way), in one transaction, then check every table's row count and checksum on both sides."""
    nl = context.language == "nl"
    if _same_place(source, target):
        raise click.ClickException(
            f"--from en --to zijn dezelfde store ({source})" if nl else f"--from and --to are one store ({source})"
        )
    with contextlib.ExitStack() as stack:
        source_side = open_side(source, create=False)
        stack.callback(source_side.close)
        target_side = open_side(target, create=True)
        stack.callback(target_side.close)
        try:
            report = copy_store(source_side, target_side, batch_rows)
        except Mismatch as failed:
            echo_report(failed.report, context.language)
            tables = ", ".join(failed.report.mismatches)
            raise click.ClickException(
                f"controle mislukt voor tabel {tables}: het doel is teruggedraaid en leeg gebleven ({target})"
                if nl
                else f"check failed for table {tables}: the target was rolled back and left empty ({target})"
            ) from None
    echo_report(report, context.language)
    rows = sum(check.target_rows for check in report.checks)
    click.echo(
        f"{len(report.checks)} tabellen, {rows} rijen gekopieerd en nagekeken in {report.seconds:.1f} s: "
        f"{source} -> {target}"
        if nl
        else f"{len(report.checks)} tables, {rows} rows copied and checked in {report.seconds:.1f} s: "
        f"{source} -> {target}"
    )
