"""Every refusal the store can give, each with an English and a Dutch sentence.

The English text is `str(error)`; `message_nl` is what a user-facing report (bulk report, CLI
in Dutch) shows. `field` and `value` name the input that was refused, when there is one.
"""


class StoreError(Exception):
    """Base of every refusal; the store is left unchanged when one is raised."""

    code = "store_error"

    def __init__(
        self, message: str, message_nl: str | None = None, *, field: str | None = None, value: object = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_nl = message_nl or message
        self.field = field
        self.value = value


class InvalidIdentifier(StoreError):
    code = "invalid_identifier"


class InvalidInput(StoreError):
    """A value that breaks a rule (date in the past, unknown language, missing field, ...)."""

    code = "invalid_input"


class UnknownEntity(StoreError):
    """A party, mandate type, mandate or right that is not in the store."""

    code = "unknown"


class NotAllowed(StoreError):
    """The acting person may not do this for this party, or the mandate is in the wrong state."""

    code = "not_allowed"


class Conflict(StoreError):
    """A second active mandate for one (type, giver, taker) would exist."""

    code = "conflict"

    def __init__(self, message: str, message_nl: str, *, existing_id: int) -> None:
        super().__init__(message, message_nl, field="mandate", value=existing_id)
        self.existing_id = existing_id


class StoreBusy(StoreError):
    """Another process held the write lock for longer than the busy timeout."""

    code = "busy"


class FileFormatError(StoreError):
    """Bad input in a loaded file: names the file, line and field."""

    code = "file_format"

    def __init__(self, path: str, line: int, field: str | None, reason: str, reason_nl: str | None = None) -> None:
        where = f"{path}, line {line}" + (f", field {field}" if field else "")
        waar = f"{path}, lijn {line}" + (f", veld {field}" if field else "")
        super().__init__(f"{where}: {reason}", f"{waar}: {reason_nl or reason}", field=field)
        self.path = path
        self.line = line
        self.reason = reason


class StoreUnreachable(StoreError):
    """A PostgreSQL location this process cannot log in to (refused, unknown host, no password)."""

    code = "store_unreachable"
