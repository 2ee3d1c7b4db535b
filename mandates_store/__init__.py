"""The mandates store: parties, mandate types, the mandate life cycle, IDM rights and KBO
representatives in one SQLite file. Knows nothing of HTTP or SAML; enforces the domain rules
itself so no caller can break them."""

from mandates_store.errors import (Conflict, FileFormatError, InvalidIdentifier, InvalidInput,
                                   NotAllowed, StoreBusy, StoreError, UnknownEntity)
from mandates_store.login import choice_label, group_by_represented
from mandates_store.model import (ADMINISTRATOR, GIVER, LEGAL_REPRESENTATIVE, MANDAATBEHEERDER,
                                  MANDAATUITVOERDER, MANDATE, ORGANISATION, OWN_NAME, PERSON,
                                  TAKER, WORK_RELATIONSHIP, Actor, Address, HistoryEntry,
                                  LoginOption, Mandate, MandateType, MissingOption, Party,
                                  Representative, Scope, UserRight, WorkRelationship)
from mandates_store.bulk import BulkLine, BulkOperation, BulkReport
from mandates_store.schema import SCHEMA_VERSION
from mandates_store.search import MandateSearch
from mandates_store.store import Store

__all__ = [
    "Store", "Scope", "Party", "LoginOption", "MissingOption", "group_by_represented",
    "choice_label", "Actor", "Address", "Mandate", "MandateType", "HistoryEntry", "UserRight",
    "WorkRelationship", "Representative", "SCHEMA_VERSION", "MandateSearch", "BulkLine",
    "BulkOperation", "BulkReport",
    "StoreError", "InvalidIdentifier", "InvalidInput", "UnknownEntity", "NotAllowed", "Conflict",
    "StoreBusy", "FileFormatError",
    "PERSON", "ORGANISATION", "GIVER", "TAKER", "ADMINISTRATOR", "MANDAATBEHEERDER",
    "MANDAATUITVOERDER", "OWN_NAME", "WORK_RELATIONSHIP", "MANDATE", "LEGAL_REPRESENTATIVE",
]
