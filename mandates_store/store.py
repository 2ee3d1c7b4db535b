"""`Store`: the one object callers use. It opens (creating and migrating) the store at its
location, an SQLite path or a PostgreSQL URL (mandates_store.engine_of tells which), and
delegates to the small modules; each thread gets its own connection, so the broker may share
one Store between request threads.
"""

import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime

from mandates_store import (
    authority,
    bulk,
    explain,
    export,
    history,
    idm,
    kbo,
    login,
    mandate_changes,
    mandate_types,
    mandates,
    parties,
    search,
    user_admin,
)
from mandates_store.bulk import BulkOperation, BulkReport
from mandates_store.database import BUSY_TIMEOUT_SECONDS, opener
from mandates_store.engines import Database, engine_of
from mandates_store.model import (
    Actor,
    Address,
    HistoryEntry,
    LoginOption,
    Mandate,
    MandateType,
    MissingOption,
    Party,
    Representative,
    Scope,
    UserRight,
    WorkRelationship,
)
from mandates_store.search import MandateSearch


class Store:
    def __init__(
        self,
        location: str,
        *,
        now: Callable[[], datetime] = datetime.now,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
    ) -> None:
        self.path = self.location = str(location)
        self.engine = engine_of(self.location)
        self.now = now  # the clock; tests and the demo pass a fixed one
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._opener = opener(self.location, busy_timeout)
        try:
            _ = self.db  # create and migrate now, so a bad file fails here and not mid-request
        except BaseException:
            self._opener.close()  # a pool nobody closes is left to the garbage collector's thread
            raise

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._opener.open()
        return db

    def close(self) -> None:
        """Close this thread's connection (a background thread's, when it is done); the Store
        goes on for the other threads."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def shutdown(self) -> None:
        """Close this thread's connection and what all threads share (PostgreSQL's pool)."""
        self.close()
        self._opener.close()

    def probe_write(self) -> None:
        """Raise unless the store can be written now (a readiness probe; it leaves nothing)."""
        self.db.probe_write()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def today(self) -> date:
        return self.now().date()

    # --- parties and types ---------------------------------------------------------------
    def put_party(self, number: str, name: str, address: Address | None = None, *, kind: str | None = None) -> Party:
        return parties.put_party(self.db, number, name, address, kind=kind)

    def party(self, number: str) -> Party | None:
        return parties.get_party(self.db, number)

    def person(self, number: str) -> Party | None:
        found = parties.get_party(self.db, number, "national number")
        return found if found is not None and found.kind == "person" else None

    def address(self, number: str) -> Address:
        return parties.address_of(self.db, parties.require_party(self.db, number).number)

    def find_enterprise(self, number_or_name: str) -> Party | None:
        return parties.find_enterprise(self.db, number_or_name)

    def find_person(self, number: str, street: str, house_number: str, postcode: str) -> Party | None:
        return parties.find_person(self.db, number, street, house_number, postcode)

    def put_mandate_type(
        self,
        code: str,
        *,
        names: dict[str, str] | None = None,
        contracts: dict[str, str] | None = None,
        combinations: Iterable[tuple[str, str]],
    ) -> MandateType:
        return mandate_types.put_mandate_type(
            self.db, code, names=names, contracts=contracts, combinations=frozenset(combinations)
        )

    def mandate_type(self, code: str) -> MandateType | None:
        return mandate_types.get_mandate_type(self.db, code)

    def mandate_types(self, kind: str | None = None) -> list[MandateType]:
        """All types, or only those a party of this kind can take part in."""
        if kind is None:
            return mandate_types.all_mandate_types(self.db)
        return mandate_types.types_for(self.db, kind)

    # --- mandate life cycle --------------------------------------------------------------
    def create_mandates(
        self,
        actor: Actor,
        *,
        role: str,
        counterparty: str,
        types: Iterable[str] | str,
        start: date | None = None,
        end: date | None = None,
        reference: str | None = None,
        language: str | None = "nl",
        accept_contract: bool = False,
    ) -> list[Mandate]:
        return mandates.create_mandates(
            self.db,
            actor,
            role=role,
            counterparty=counterparty,
            types=types,
            now=self.now(),
            start=start,
            end=end,
            reference=reference,
            language=language,
            accept_contract=accept_contract,
        )

    def sign(self, actor: Actor, mandate_id: int, *, accept_contract: bool = False) -> Mandate:
        return mandate_changes.sign_mandate(self.db, actor, mandate_id, now=self.now(), accept_contract=accept_contract)

    def stop(self, actor: Actor, mandate_id: int, *, reason: str | None = None) -> Mandate:
        return mandate_changes.stop_mandate(self.db, actor, mandate_id, now=self.now(), reason=reason)

    def transfer(self, actor: Actor, mandate_id: int, new_taker: str) -> Mandate:
        return mandate_changes.transfer_mandate(self.db, actor, mandate_id, new_taker, now=self.now())

    def mandate(self, mandate_id: int) -> Mandate:
        return mandates.get_mandate(self.db, mandate_id, self.today())

    def history(self, mandate_id: int) -> list[HistoryEntry]:
        return history.mandate_history(self.db, mandate_id, self.today())

    def check_may_manage(self, actor: Actor) -> Party:
        """The party `actor` acts for, today; NotAllowed when the actor may not manage its
        mandates (any more): the self-service application asks before every page and action."""
        party = parties.require_party(self.db, actor.party)
        authority.check_may_manage(self.db, actor, party, self.today())
        return party

    # --- IDM and KBO ---------------------------------------------------------------------
    def add_work_relationship(
        self, person: str, organisation: str, valid_from: date, valid_until: date | None = None
    ) -> WorkRelationship:
        return idm.add_work_relationship(self.db, person, organisation, valid_from, valid_until)

    def grant_right(
        self,
        person: str,
        organisation: str,
        name: str,
        valid_from: date,
        valid_until: date | None = None,
        *,
        mandate_types: Iterable[str] = (),
        givers: Iterable[str] | None = None,
    ) -> UserRight:
        return idm.grant_right(
            self.db, person, organisation, name, valid_from, valid_until, mandate_types=mandate_types, givers=givers
        )

    def end_right(self, right_id: int, until: date) -> None:
        idm.end_right(self.db, right_id, until)

    def end_work_relationship(self, relationship_id: int, until: date) -> None:
        idm.end_work_relationship(self.db, relationship_id, until)

    def rights(self, person: str) -> list[UserRight]:
        return idm.rights_of(self.db, parties.require_party(self.db, person).number)

    def work_relationships(self, person: str) -> list[WorkRelationship]:
        return idm.work_relationships_of(self.db, parties.require_party(self.db, person).number)

    # --- Gebruikersbeheer: a local administrator's changes, each checked and recorded ----------
    def check_may_administer(self, actor: Actor) -> str:
        """user_admin.HEAD or LOCAL for the organisation `actor` acts for, today; NotAllowed otherwise."""
        return user_admin.standing(self.db, actor, actor.party, self.today())

    def members(self, organisation: str, text: str = "") -> list[user_admin.Member]:
        return user_admin.members(self.db, organisation, text)

    def member(self, organisation: str, person: str) -> user_admin.Member:
        return user_admin.member(self.db, organisation, person)

    def admin_add_relationship(
        self, actor: Actor, person: str, valid_from: date, valid_until: date | None = None, *, name: str = ""
    ) -> WorkRelationship:
        return user_admin.add_relationship(
            self.db, actor, actor.party, person, valid_from, valid_until, now=self.now(), name=name
        )

    def admin_end_relationship(self, actor: Actor, relationship_id: int) -> list[UserRight]:
        return user_admin.end_relationship(self.db, actor, actor.party, relationship_id, now=self.now())

    def admin_grant(
        self,
        actor: Actor,
        person: str,
        name: str,
        valid_from: date,
        valid_until: date | None = None,
        *,
        mandate_types: Iterable[str] = (),
        givers: Iterable[str] | None = None,
    ) -> UserRight:
        return user_admin.grant(
            self.db,
            actor,
            actor.party,
            person,
            name,
            valid_from,
            valid_until,
            now=self.now(),
            mandate_types=mandate_types,
            givers=givers,
        )

    def admin_end_right(self, actor: Actor, right_id: int) -> UserRight:
        return user_admin.end(self.db, actor, actor.party, right_id, now=self.now())

    def executor_types(self) -> list[MandateType]:
        """The mandate types SSM Mandaatuitvoerder may name: those an organisation can take."""
        return user_admin.executor_types(self.db)

    def local_administrators(self, organisation: str) -> list[tuple[Party, UserRight]]:
        return user_admin.local_administrators(self.db, organisation, self.today())

    def idm_events(self, organisation: str, person: str | None = None) -> list[user_admin.IdmEvent]:
        return user_admin.events(self.db, organisation, person)

    def add_representative(
        self, person: str, enterprise: str, function: str, since: date, until: date | None = None
    ) -> Representative:
        return kbo.add_representative(self.db, person, enterprise, function, since, until)

    def representations(self, person: str) -> list[Representative]:
        return kbo.representations_of(self.db, parties.require_party(self.db, person).number)

    # --- the broker's login questions ----------------------------------------------------
    def login_options(self, *, person: str, at: date | datetime, scope: Scope, name: str = "") -> list[LoginOption]:
        return login.login_options(self.db, person, at, scope, name)

    def login_option(
        self, *, person: str, at: date | datetime, scope: Scope, key: str, name: str = ""
    ) -> LoginOption | None:
        """One option of login_options, by its key, if it still holds (the chooser's re-check)."""
        return login.login_option(self.db, person, at, scope, key, name)

    def explain_missing(self, *, person: str, at: date | datetime, scope: Scope) -> list[MissingOption]:
        return explain.explain_missing(self.db, person, at, scope)

    # --- search, export, bulk actions ----------------------------------------------------
    def search(self, query: MandateSearch, limit: int | None = None) -> list[Mandate]:
        return search.search_mandates(self.db, query, self.today(), limit)

    def search_page(self, query: MandateSearch, *, offset: int, limit: int) -> tuple[int, list[Mandate]]:
        """(how many the whole result has, one page of it): the self-service search page's paging."""
        return search.search_page(self.db, query, self.today(), offset, limit)

    def export(self, query: MandateSearch, path: str) -> int:
        """Write the search result to a .csv or .xlsx file; returns the number of mandates."""
        return export.export(self.search(query), path)

    def bulk_create(
        self,
        actor: Actor,
        *,
        role: str,
        types: Iterable[str] | str,
        lines: Iterable[str] | None = None,
        path: str | None = None,
        accept_contract: bool = False,
        commit_every: int = bulk.COMMIT_LINES,
        commit_seconds: float = bulk.COMMIT_SECONDS,
        resume: int | None = None,
    ) -> BulkReport:
        """From the seeds' CSV: give `path` (a file) or `lines` (its lines). Each line is all or
        nothing; lines commit in groups of `commit_every` lines or `commit_seconds`, whichever
        comes first (commit_every=1: one transaction per line). `resume`: the id of an
        interrupted bulk create to continue after its last committed line (see bulk.py)."""
        if (lines is None) == (path is None):
            raise ValueError("give either lines or path")
        source = str(path) if path is not None else None
        if path is not None:
            digest = bulk.file_sha256(path)
            lines = bulk.read_lines(path)
        else:
            lines = list(lines)
            digest = bulk.lines_sha256(lines)
        return bulk.bulk_create(
            self.db,
            actor,
            role=role,
            types=types,
            lines=lines,
            now=self.now(),
            source=source,
            source_sha256=digest,
            accept_contract=accept_contract,
            commit_every=commit_every,
            commit_seconds=commit_seconds,
            resume=resume,
        )

    def interrupted_bulk_creates(self, party: str, path: str) -> list[BulkOperation]:
        """Interrupted bulk creates of `party` that read the same file as `path`."""
        return bulk.interrupted_creates(self.db, party, bulk.file_sha256(path))

    def bulk_preview(self, actor: Actor, query: MandateSearch, kind: str) -> list[Mandate]:
        """What bulk_sign (kind "sign") or bulk_stop ("stop") would act on; confirm its length."""
        return bulk.preview(self.db, actor, query, kind, self.today())

    def bulk_sign(
        self, actor: Actor, query: MandateSearch, *, confirm_count: int, accept_contract: bool = False
    ) -> BulkReport:
        return bulk.bulk_sign(
            self.db, actor, query, confirm_count=confirm_count, now=self.now(), accept_contract=accept_contract
        )

    def bulk_stop(
        self, actor: Actor, query: MandateSearch, *, confirm_count: int, reason: str | None = None
    ) -> BulkReport:
        return bulk.bulk_stop(self.db, actor, query, confirm_count=confirm_count, now=self.now(), reason=reason)

    def bulk_operations(self, party: str | None = None) -> list[BulkOperation]:
        return bulk.operations(self.db, party)

    def bulk_report(self, operation_id: int) -> BulkReport:
        return bulk.bulk_report(self.db, operation_id)

    def bulk_report_text(self, operation_id: int) -> str:
        return bulk.report_text_nl(self.db, self.bulk_report(operation_id))

    # --- files ---------------------------------------------------------------------------
    def import_mandates(self, path: str, operator: str) -> list[int]:
        """Existing mandates with their past dates and states (see importing.py); whole file or nothing."""
        from mandates_store.importing import import_mandates

        return import_mandates(self.db, path, operator, self.now())

    def load(self, what: str, path: str) -> int:
        """Load one file whole or not at all; `what` is a key of loaders.LOADERS."""
        from mandates_store.loaders import LOADERS

        if what not in LOADERS:
            raise ValueError(f"unknown kind of file '{what}' (use {', '.join(LOADERS)})")
        return LOADERS[what](self.db, path)
