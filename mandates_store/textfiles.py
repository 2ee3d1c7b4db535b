"""Reading the text of a file people bring (a bulk CSV, a load file): UTF-8, or Windows-1252.

The seeds advise Excel's "CSV (gescheiden door lijstscheidingsteken)", which writes Windows-1252,
not UTF-8: both are accepted. A byte neither can read is refused with its line and column, never
with a codec's byte offset.
"""

from pathlib import Path

from mandates_store.errors import FileFormatError


def read_text(path: str | Path) -> str:
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        byte = f"0x{raw[error.start]:02X}"
        raise FileFormatError(
            str(path),
            line,
            None,
            f"byte {byte} at column {column} is neither UTF-8 nor Windows-1252; save the file as UTF-8 "
            "(or as Excel's CSV) and try again",
            f"byte {byte} op kolom {column} is geen UTF-8 en geen Windows-1252; bewaar het bestand als UTF-8 "
            "(of als CSV uit Excel) en probeer opnieuw",
        ) from None
