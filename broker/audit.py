"""Kept so that `from broker.audit import ...` goes on working: the code is in broker.storage.audit."""

from broker.storage.audit import COLUMNS, AuditTrail, Entry

__all__ = ["COLUMNS", "AuditTrail", "Entry"]
