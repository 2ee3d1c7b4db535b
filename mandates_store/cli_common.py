"""What the `broker store` commands share: the context (store file, language, clock), refusals as
one message, the actor and search options."""

import functools
from datetime import date

import click

from mandates_store import (
    Actor,
    MandateSearch,
    Store,
    StoreError,
)
from mandates_store.database import store_file_problem
from mandates_store.engines import shown
from mandates_store.loaders import parse_date
from mandates_store.search import parse_participants
from mandates_store.status import parse_status
from mandates_store.validity import last_valid_day


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
            where = shown(self.path)
            raise click.ClickException(f"{where}: {problem[1] if self.language == 'nl' else problem[0]}")

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


def date_option(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_date(value, param.name)
    except StoreError as error:
        raise click.BadParameter(error.message) from None


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


def echo_mandate(mandate) -> None:
    end = f" tot en met {last_valid_day(mandate.end_date):%d/%m/%Y}" if mandate.end_date else ""
    click.echo(
        f"{mandate.id}\t{mandate.type_code}\t{mandate.giver.label} -> "
        f"{mandate.taker.label}\tvanaf {mandate.start_date:%d/%m/%Y}{end}\t"
        f"{mandate.status_nl}"
    )


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
            click.option("--changed-since", callback=date_option, help="dd/mm/yyyy or yyyy-mm-dd."),
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
