"""`broker store …`: load, change, search and export the mandates store.

Every refusal prints one clear message and exits with code 1; `bulk create` exits 0 when every
line succeeded (Geslaagd), 2 on Gedeeltelijk succes, 1 on Fout.
"""

import os
from datetime import date

import click

from mandates_store import (
    KIND_ORDER,
    LEGAL_REPRESENTATIVE,
    MANDATE,
    OWN_NAME,
    WORK_RELATIONSHIP,
    Scope,
)
from mandates_store.cli_bulk import bulk
from mandates_store.cli_common import (
    Context,
    actor_options,
    date_option,
    echo_mandate,
    make_actor,
    make_search,
    pass_context,
    refusals,
    search_options,
)
from mandates_store.cli_copy import copy
from mandates_store.clock import TEST_CLOCK_SWITCH, clock_override_allowed
from mandates_store.engines import SQLITE, engine_of
from mandates_store.export import export as export_file
from mandates_store.loaders import LOADERS

DEFAULT_DB = "var/store.db"  # the broker's own default (STORE_DB)


@click.group()
@click.option(
    "--db",
    "path",
    envvar="MANDATES_STORE_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="The SQLite file of the store (env MANDATES_STORE_DB).",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["nl", "en"]),
    default="nl",
    envvar="MANDATES_STORE_LANG",
    show_default=True,
    help="Language of messages.",
)
@click.option(
    "--today",
    callback=date_option,
    help="Act as if today were this date: tests and the demo only, with MANDATES_STORE_TEST_CLOCK=1.",
)
@click.pass_context
def store(ctx: click.Context, path: str, language: str, today: date | None) -> None:
    """Work on the mandates store (parties, rights, mandates)."""
    if today is not None and not clock_override_allowed():
        raise click.UsageError(
            f"--today is een klok voor tests en de demo: zet {TEST_CLOCK_SWITCH}=1 om ze te gebruiken (nooit waar "
            "de broker draait). Mandaten die vroeger begonnen, breng je binnen met `broker store import`."
            if language == "nl"
            else f"--today is a clock for tests and the demo: set {TEST_CLOCK_SWITCH}=1 to use it (never where the "
            "broker serves). Mandates that began in the past come in with `broker store import`."
        )
    ctx.obj = Context(path, language, today)
    ctx.call_on_close(lambda: ctx.obj._store and ctx.obj._store.close())


# --- set-up -------------------------------------------------------------------------------


@store.command()
@pass_context
@refusals
def init(context: Context) -> None:
    """Create the store (an SQLite file, or the tables in a PostgreSQL database), or bring its
    schema up to date."""
    context.may_create = True
    if engine_of(context.path) == SQLITE:
        os.makedirs(os.path.dirname(os.path.abspath(context.path)), exist_ok=True)
    click.echo(f"{context.path}: schema version {context.store.db.schema_version()}")


@store.command()
@pass_context
@refusals
def migrate(context: Context) -> None:
    """Bring an existing store's schema up to the version of this code (either engine)."""
    click.echo(f"{context.path}: schema version {context.store.db.schema_version()}")


@store.command()
@click.argument("what", type=click.Choice(sorted(LOADERS)))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@pass_context
@refusals
def load(context: Context, what: str, files: tuple[str, ...]) -> None:
    """Load parties, types, work-relationships, rights or representatives from CSV/JSON files.

    Each file loads whole or not at all; see mandates_store/README.md for the columns."""
    for path in files:
        count = context.store.load(what, path)
        click.echo(f"{path}: {count} {what} loaded")


@store.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--admin", "admin_user", required=True, metavar="USER", help="Your user name, for the history.")
@pass_context
@refusals
def import_command(context: Context, file: str, admin_user: str) -> None:
    """Import existing mandates with their past dates and states (an export of another platform).

    The whole file or nothing; each mandate's history says imported, by USER, now. Format in
    mandates_store/README.md."""
    ids = context.store.import_mandates(file, admin_user)
    span = "" if not ids else f": {ids[0]}" if len(ids) == 1 else f": {ids[0]}-{ids[-1]}"
    click.echo(
        f"{file}: {len(ids)} mandaten geïmporteerd{span}"
        if context.language == "nl"
        else f"{file}: {len(ids)} mandates imported{span}"
    )


@store.command()
@pass_context
@refusals
def demo(context: Context) -> None:
    """Fill an empty store with the demo data (see mandates_store/demo_data.py)."""
    from mandates_store.demo_data import load_demo

    if context.store.db.execute("SELECT count(*) FROM parties").fetchone()[0]:
        raise click.ClickException("the store is not empty; demo data goes into an empty store")
    load_demo(context.store, context.store.today())
    click.echo(f"demo data loaded into {context.path}")


# --- one mandate --------------------------------------------------------------------------


@store.command()
@actor_options
@click.option("--role", type=click.Choice(["giver", "taker"]), required=True, help="The role of the party acted for.")
@click.option("--type", "types", multiple=True, required=True, help="Mandate type (repeatable).")
@click.option("--counterparty", required=True, help="National or enterprise number.")
@click.option("--start", callback=date_option, help="Start date (default today).")
@click.option("--end", callback=date_option, help="End date, the first day it no longer holds.")
@click.option("--reference")
@click.option("--language", default="nl", show_default=True)
@click.option("--accept", is_flag=True, help="Accept the contract text (required).")
@pass_context
@refusals
def create(
    context, person, party, admin_user, role, types, counterparty, start, end, reference, language, accept
) -> None:
    """Create one mandate per type; each awaits the counterparty's signature."""
    for mandate in context.store.create_mandates(
        make_actor(person, party, admin_user),
        role=role,
        counterparty=counterparty,
        types=list(types),
        start=start,
        end=end,
        reference=reference,
        language=language,
        accept_contract=accept,
    ):
        echo_mandate(mandate)


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--accept", is_flag=True, help="Accept the contract text (required).")
@pass_context
@refusals
def sign(context, mandate_id, person, party, admin_user, accept) -> None:
    """Sign a mandate as its counterparty."""
    echo_mandate(context.store.sign(make_actor(person, party, admin_user), mandate_id, accept_contract=accept))


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--reason")
@pass_context
@refusals
def stop(context, mandate_id, person, party, admin_user, reason) -> None:
    """Stop a mandate, immediately, as its giver or taker."""
    echo_mandate(context.store.stop(make_actor(person, party, admin_user), mandate_id, reason=reason))


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--to", "new_taker", required=True, help="The new taker's number.")
@pass_context
@refusals
def transfer(context, mandate_id, person, party, admin_user, new_taker) -> None:
    """Propose a mandate to a new taker; it takes over when the new taker signs."""
    echo_mandate(context.store.transfer(make_actor(person, party, admin_user), mandate_id, new_taker))


@store.command()
@click.argument("mandate_id", type=int)
@pass_context
@refusals
def show(context, mandate_id) -> None:
    """A mandate with its history."""
    mandate = context.store.mandate(mandate_id)
    echo_mandate(mandate)
    click.echo(f"Gewijzigd door: {mandate.changed_by}; referentie: {mandate.reference or '-'}")
    for entry in context.store.history(mandate_id):
        click.echo(f"  {entry.at:%d/%m/%Y}\t{entry.text_nl}")


# --- search and export --------------------------------------------------------------------


@store.command()
@search_options
@click.option(
    "--export", "export_path", type=click.Path(dir_okay=False), help="Write the result to a .csv or .xlsx file."
)
@click.option("--limit", type=int, default=200, show_default=True, help="Lines printed.")
@pass_context
@refusals
def search(context, export_path, limit, **filters) -> None:
    """Search mandates with the seeds' filters; optionally export the result."""
    query = make_search(**filters)
    if export_path:
        count = export_file(context.store.search(query), export_path)
        click.echo(f"{count} mandates written to {export_path}")
        return
    found = context.store.search(query, limit=limit + 1)
    for mandate in found[:limit]:
        echo_mandate(mandate)
    more = " (more not shown)" if len(found) > limit else ""
    click.echo(f"{min(len(found), limit)} result(s){more}")


# --- the broker's question, for support ---------------------------------------------------


@store.command()
@click.argument("person")
@click.option("--type", "types", multiple=True, help="Mandate type in scope (repeatable).")
@click.option("--own-name/--no-own-name", default=True)
@click.option("--work/--no-work", "work_relationship", default=False)
@click.option("--member-right")
@click.option("--mandates/--no-mandates", "mandate", default=True)
@click.option("--legal-representative/--no-legal-representative", default=False)
@click.option("--at", callback=date_option, help="The day (default today).")
@pass_context
@refusals
def options(
    context, person, types, own_name, work_relationship, member_right, mandate, legal_representative, at
) -> None:
    """Login options of a person for a scope, and why the other links give none.

    Plain words for support; the chooser's own wording is the broker's (broker.selection)."""
    scope = Scope(frozenset(types), own_name, work_relationship, member_right, mandate, legal_representative)
    day = at or context.store.today()
    found = context.store.login_options(person=person, at=day, scope=scope)
    nl = context.language == "nl"  # one language per run: the kinds, the reasons, the explanations
    for option in found:
        via = f" via {option.intermediary.label}" if option.intermediary is not None else ""
        click.echo(f"{option.represented.label}: {(KIND_NL if nl else KIND_EN)[option.kind]}{via}")
        click.echo(f"  [{option.key}] {option.reason.in_language(context.language)}")
    for missing in context.store.explain_missing(person=person, at=day, scope=scope):
        click.echo(f"- {missing.condition}: {missing.text_nl if nl else missing.text_en}")
    if not found:
        raise click.ClickException("geen aanmeldoptie" if nl else "no login option")


KIND_EN = {kind: kind.replace("_", " ") for kind in KIND_ORDER}
KIND_NL = {OWN_NAME: "in eigen naam", WORK_RELATIONSHIP: "als medewerker", MANDATE: "mandaat"}
KIND_NL[LEGAL_REPRESENTATIVE] = "als wettelijk vertegenwoordiger"


store.add_command(bulk)
store.add_command(copy)
