"""Opening the mandates store for the policy commands (the broker itself passes its own Store)."""

from pathlib import Path

from mandates_store import Store


def open_store(path: Path) -> Store:
    return Store(str(path))


def mandate_type_codes(path: Path) -> set[str]:
    with open_store(path) as store:
        return {mandate_type.code for mandate_type in store.mandate_types()}
