"""Kept so that `from broker.state import ...` goes on working: the code is in broker.storage.state."""

from broker.storage.state import Flow, Logout, Participant, Session, StateStore, new_id

__all__ = ["Flow", "Logout", "Participant", "Session", "StateStore", "new_id"]
