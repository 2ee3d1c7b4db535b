"""`broker store …`: load, change, search and export the mandates store.

Every refusal prints one clear message and exits with code 1; `bulk create` exits 0 when every
line succeeded (Geslaagd), 2 on Gedeeltelijk succes, 1 on Fout.
"""

import functools
import os
from datetime import date

import click

from mandates_store import (
    KIND_ORDER,
    LEGAL_REPRESENTATIVE,
    MANDATE,
    OWN_NAME,
    WORK_RELATIONSHIP,
    Actor,
    MandateSearch,
    Scope,
    Store,
    StoreError,
)
from mandates_store.bulk import COMMIT_LINES
from mandates_store.clock import TEST_CLOCK_SWITCH, clock_override_allowed
from mandates_store.database import store_file_problem
from mandates_store.export import export as export_file
from mandates_store.loaders import LOADERS, parse_date
from mandates_store.search import parse_participants
from mandates_store.status import parse_status
from mandates_store.validity import last_valid_day

DEFAULT_DB = "var/store.db"  # the broker's own default (STORE_DB)


class Context:
    def __init__(self, path: str, language: str, today: date | None) -> None:
        self.path = path
        self.language = language
        self.today = today
        self._store: Store | None = None
        self.may_create = False  # only `init` creates a store: a mistyped --db must not

    @property
    def store(self) -> Store:
        if self._store is None:
            if not self.may_create:
                self._refuse_a_file_that_is_no_store()
            if self.today is None:
                self._store = Store(self.path)
            else:
                from datetime import datetime, time

                fixed = datetime.combine(self.today, time(12))
                self._store = Store(self.path, now=lambda: fixed)
        return self._store

    def _refuse_a_file_that_is_no_store(self) -> None:
        problem = store_file_problem(self.path)
        if problem is not None:
            raise click.ClickException(f"{self.path}: {problem[1] if self.language == 'nl' else problem[0]}")

    def message(self, error: StoreError) -> str:
        return error.message_nl if self.language == "nl" else error.message


def refusals(command):
    """A StoreError becomes one message and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        context = click.get_current_context().find_object(Context)
        try:
            return command(*args, **kwargs)
        except StoreError as error:
            raise click.ClickException(context.message(error)) from None
        except ValueError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value, param.name)
    except StoreError as error:
        raise click.BadParameter(error.message) from None


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
    callback=_date,
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


pass_context = click.make_pass_decorator(Context)


def actor_options(command):
    command = click.option(
        "--admin", "admin_user", metavar="USER", help="Act as administrator USER (no rights checked)."
    )(command)
    command = click.option(
        "--for", "party", metavar="NUMBER", help="The party acted for (default: the person itself)."
    )(command)
    command = click.option("--as", "person", metavar="NATIONAL_NUMBER", help="The acting person.")(command)
    return command


def make_actor(person: str | None, party: str | None, admin_user: str | None) -> Actor:
    if admin_user:
        if not party:
            raise click.UsageError("--admin needs --for PARTY")
        return Actor.admin(party, admin_user)
    if not person:
        raise click.UsageError("give --as PERSON (and --for PARTY), or --admin USER --for PARTY")
    return Actor(person, party or person)


# --- set-up -------------------------------------------------------------------------------


@store.command()
@pass_context
@refusals
def init(context: Context) -> None:
    """Create the store file, or bring its schema up to date."""
    context.may_create = True
    os.makedirs(os.path.dirname(os.path.abspath(context.path)), exist_ok=True)
    version = context.store.db.conn.execute("PRAGMA user_version").fetchone()[0]
    click.echo(f"{context.path}: schema version {version}")


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

    if context.store.db.conn.execute("SELECT count(*) FROM parties").fetchone()[0]:
        raise click.ClickException("the store is not empty; demo data goes into an empty store")
    load_demo(context.store, context.store.today())
    click.echo(f"demo data loaded into {context.path}")


# --- one mandate --------------------------------------------------------------------------


def _show(mandate) -> None:
    end = f" tot en met {last_valid_day(mandate.end_date):%d/%m/%Y}" if mandate.end_date else ""
    click.echo(
        f"{mandate.id}\t{mandate.type_code}\t{mandate.giver.label} -> "
        f"{mandate.taker.label}\tvanaf {mandate.start_date:%d/%m/%Y}{end}\t"
        f"{mandate.status_nl}"
    )


@store.command()
@actor_options
@click.option("--role", type=click.Choice(["giver", "taker"]), required=True, help="The role of the party acted for.")
@click.option("--type", "types", multiple=True, required=True, help="Mandate type (repeatable).")
@click.option("--counterparty", required=True, help="National or enterprise number.")
@click.option("--start", callback=_date, help="Start date (default today).")
@click.option("--end", callback=_date, help="End date, the first day it no longer holds.")
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
        _show(mandate)


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--accept", is_flag=True, help="Accept the contract text (required).")
@pass_context
@refusals
def sign(context, mandate_id, person, party, admin_user, accept) -> None:
    """Sign a mandate as its counterparty."""
    _show(context.store.sign(make_actor(person, party, admin_user), mandate_id, accept_contract=accept))


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--reason")
@pass_context
@refusals
def stop(context, mandate_id, person, party, admin_user, reason) -> None:
    """Stop a mandate, immediately, as its giver or taker."""
    _show(context.store.stop(make_actor(person, party, admin_user), mandate_id, reason=reason))


@store.command()
@click.argument("mandate_id", type=int)
@actor_options
@click.option("--to", "new_taker", required=True, help="The new taker's number.")
@pass_context
@refusals
def transfer(context, mandate_id, person, party, admin_user, new_taker) -> None:
    """Propose a mandate to a new taker; it takes over when the new taker signs."""
    _show(context.store.transfer(make_actor(person, party, admin_user), mandate_id, new_taker))


@store.command()
@click.argument("mandate_id", type=int)
@pass_context
@refusals
def show(context, mandate_id) -> None:
    """A mandate with its history."""
    mandate = context.store.mandate(mandate_id)
    _show(mandate)
    click.echo(f"Gewijzigd door: {mandate.changed_by}; referentie: {mandate.reference or '-'}")
    for entry in context.store.history(mandate_id):
        click.echo(f"  {entry.at:%d/%m/%Y}\t{entry.text_nl}")


# --- search and export --------------------------------------------------------------------


def search_options(command):
    for option in reversed(
        [
            click.option("--party", help="Whose mandates (default: every mandate; administrator)."),
            click.option(
                "--role", type=click.Choice(["giver", "taker", "either"]), default="either", show_default=True
            ),
            click.option("--type", "types", multiple=True, help="Mandate type (repeatable)."),
            click.option(
                "--status", help="active, awaiting_signature, future_start, stopped, expired (or the Dutch label)."
            ),
            click.option("--changed-by", type=click.Choice(["giver", "taker", "administrator"])),
            click.option("--participants", help="Numbers separated by comma or space."),
            click.option("--name", help="Part of the other side's name."),
            click.option("--reference"),
            click.option("--changed-since", callback=_date, help="dd/mm/yyyy or yyyy-mm-dd."),
        ]
    ):
        command = option(command)
    return command


def make_search(party, role, types, status, changed_by, participants, name, reference, changed_since) -> MandateSearch:
    return MandateSearch(
        party=party,
        role=role,
        types=frozenset(types),
        status=parse_status(status) if status else None,
        changed_by=changed_by,
        participants=parse_participants(participants or ""),
        name=name,
        reference=reference,
        changed_since=changed_since,
    )


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
        _show(mandate)
    more = " (more not shown)" if len(found) > limit else ""
    click.echo(f"{min(len(found), limit)} result(s){more}")


# --- bulk ---------------------------------------------------------------------------------


@store.group()
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
            _show(mandate)
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
            click.option("--changed-since", callback=_date),
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


# --- the broker's question, for support ---------------------------------------------------


@store.command()
@click.argument("person")
@click.option("--type", "types", multiple=True, help="Mandate type in scope (repeatable).")
@click.option("--own-name/--no-own-name", default=True)
@click.option("--work/--no-work", "work_relationship", default=False)
@click.option("--member-right")
@click.option("--mandates/--no-mandates", "mandate", default=True)
@click.option("--legal-representative/--no-legal-representative", default=False)
@click.option("--at", callback=_date, help="The day (default today).")
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
