"""The operator's metadata folder, re-read while the broker runs (as broker.policy.registry does).

Each worker process looks at the files' stamps at most every `check_interval` seconds, when the
registry is asked for an entity; so a file added, edited or removed reaches every process within
seconds, without a restart, a background thread or a signal. Each file stands alone: one that does
not parse as metadata is refused and logged, and its last good version stays in use.
"""

import logging
import os
import time
from collections.abc import Callable, Iterable

from lxml import etree

from broker.saml.errors import SamlError
from broker.saml.metadata_sources import MAX_METADATA_BYTES
from broker.saml.xmlsafe import parse

log = logging.getLogger("broker.metadata")

Stamp = tuple[int, int, int]  # mtime_ns, size, inode: an editor that saves by renaming changes the inode


class MetadataFolder:
    def __init__(
        self,
        folder: str,
        skip: Iterable[str],
        check: Callable[[etree._Element, str], object],
        check_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """skip: files that are configured sources (checked there, with a signature); check(root,
        path) raises SamlError when a document is not usable metadata."""
        self.folder, self.check_interval, self.clock = folder, check_interval, clock
        self._skip = {os.path.abspath(path) for path in skip}
        self._check = check
        self._stamps: dict[str, Stamp] = {}
        self._documents: dict[str, etree._Element] = {}
        self._errors: dict[str, str] = {}
        self._checked_at = self.clock()

    def load(self) -> list[tuple[str, etree._Element]]:
        """The first read: a bad file is an error here, as there is no good copy to keep."""
        self._checked_at = self.clock()
        stamps = self._read_stamps()
        self._documents = {path: self._read(path) for path in stamps}
        self._stamps = stamps
        return self.documents

    @property
    def documents(self) -> list[tuple[str, etree._Element]]:
        return sorted(self._documents.items())

    def due(self) -> bool:
        return self.clock() - self._checked_at >= self.check_interval

    def refresh(self) -> bool:
        """Re-read what changed; True when the documents in use changed."""
        self._checked_at = self.clock()
        stamps = self._read_stamps()
        if stamps == self._stamps:
            return False
        documents, errors = {}, {}
        for path, stamp in stamps.items():
            if self._stamps.get(path) == stamp and path in self._documents:
                documents[path] = self._documents[path]
                if path in self._errors:  # refused before and unchanged since: still refused
                    errors[path] = self._errors[path]
                continue
            try:
                documents[path] = self._read(path)
                log.info("metadata file %s loaded", path)
            except (OSError, SamlError) as error:
                errors[path] = _reason(error)
                if path in self._documents:
                    documents[path] = self._documents[path]
                    log.error("metadata file %s REFUSED: %s; its last good version stays in use", path, errors[path])
                else:
                    log.error("metadata file %s REFUSED: %s", path, errors[path])
        for path in sorted(set(self._documents) - set(documents)):
            log.info("metadata file %s removed: its entities are no longer known", path)
        self._stamps, self._documents, self._errors = stamps, documents, errors
        return True

    @property
    def errors(self) -> tuple[tuple[str, str], ...]:
        """(file, reason) for each file refused right now."""
        return tuple(sorted(self._errors.items()))

    def _read_stamps(self) -> dict[str, Stamp]:
        stamps = {}
        try:
            names = sorted(os.listdir(self.folder))
        except OSError as error:
            log.error("metadata folder %s cannot be read (%s); the entities in use stay", self.folder, error)
            return self._stamps
        for name in names:
            path = os.path.join(self.folder, name)
            if not name.endswith(".xml") or os.path.abspath(path) in self._skip:
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue  # removed between listing and stat
            stamps[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        return stamps

    def _read(self, path: str) -> etree._Element:
        with open(path, "rb") as handle:
            root = parse(handle.read(), limit=MAX_METADATA_BYTES, allow_comments=True)
        self._check(root, path)
        return root


def _reason(error: Exception) -> str:
    if isinstance(error, SamlError):
        return f"{error.reason} ({error.detail})" if error.detail else error.reason
    return str(error)
