"""The policies in force, reloaded from the operator's folder while the broker runs.

Every worker process holds its own registry and looks at the files' modification stamps at most every
`check_interval` seconds, when asked for a policy; so an edit reaches every process within seconds,
without a background thread or a signal. Each file stands alone: an edit that does not validate is
refused and logged, and that file's last good version stays in force, while other files' edits apply.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from broker.policy.errors import Issue, PolicyError
from broker.policy.loader import FileResult, policy_files, read_file
from broker.policy.model import Policy

log = logging.getLogger("broker.policy")

Stamp = tuple[int, int, int]  # mtime_ns, size, inode: an editor that saves by renaming changes the inode


@dataclass(frozen=True)
class ReloadResult:
    at: float  # time.time() of the reload
    errors: tuple[Issue, ...]  # why files are refused (their last good version, if any, stays in force)
    loaded: tuple[str, ...]  # files whose new version took effect
    removed: tuple[str, ...]  # files gone, their applications now refused


class PolicyRegistry:
    def __init__(
        self,
        folder: str | Path,
        known_mandate_types: Callable[[], set[str]] | None = None,
        check_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        """Loads every policy in `folder`; raises PolicyError with every issue when one is invalid."""
        self.folder = Path(folder)
        self.check_interval = check_interval
        self._known_mandate_types = known_mandate_types
        self._clock = clock
        self._lock = threading.Lock()
        self._by_file: dict[str, Policy] = {}
        self._by_entity: dict[str, Policy] = {}
        self._stamps: dict[str, Stamp] | None = None
        self._checked_at = 0.0
        result = self._reload()
        if result.errors:
            raise PolicyError(result.errors)
        if not self._by_entity:
            log.warning("no policy files in %s: every application is refused", self.folder)

    def get(self, entity_id: str) -> Policy | None:
        """The application's policy, or None: an application without a policy is refused."""
        self.refresh()
        return self._by_entity.get(entity_id)

    def all(self) -> tuple[Policy, ...]:
        self.refresh()
        return tuple(sorted(self._by_entity.values(), key=lambda policy: policy.entity_id))

    @property
    def last_reload(self) -> ReloadResult:
        return self._last

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Why files in the folder are refused right now; empty when every file is in force."""
        return self._last.errors

    def refresh(self, force: bool = False) -> bool:
        """Reload when the check is due and a file changed; True when a reload ran.

        A thread that finds another one reloading goes on with the policies in force.
        """
        if not force and self._clock() - self._checked_at < self.check_interval:
            return False
        if not self._lock.acquire(blocking=force):
            return False
        try:
            self._checked_at = self._clock()
            stamps = self._read_stamps()
            if stamps is not None and stamps == self._stamps and not force:
                return False
            self._reload_locked(stamps)
            return True
        finally:
            self._lock.release()

    def _reload(self) -> ReloadResult:
        with self._lock:
            self._checked_at = self._clock()
            return self._reload_locked(self._read_stamps())

    def _read_stamps(self) -> dict[str, Stamp] | None:
        try:
            stamps = {}
            for path in policy_files(self.folder):
                stat = path.stat()
                stamps[str(path)] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            return stamps
        except OSError:
            return None  # the folder itself is gone or unreadable: _reload_locked says so

    def _reload_locked(self, stamps: dict[str, Stamp] | None) -> ReloadResult:
        errors: list[Issue] = []
        known = self._known_types(errors)
        if stamps is None or known is False:
            if stamps is None:
                errors.append(Issue(str(self.folder), 0, 0, "cannot read the policy folder"))
            return self._finish(errors, (), (), keep_everything=True)
        results = {file: read_file(Path(file), known) for file in stamps}
        candidates: dict[str, Policy] = {}
        for file, result in results.items():
            if result.policy is not None:
                candidates[file] = result.policy
            else:
                errors.extend(result.issues)
                if file in self._by_file:
                    candidates[file] = self._by_file[file]
                    log.error(
                        "policy file %s refused, its last good version stays in force:\n%s", file, _lines(result.issues)
                    )
                else:
                    log.error("policy file %s refused:\n%s", file, _lines(result.issues))
        fresh = {file for file, policy in candidates.items() if self._by_file.get(file) != policy}
        errors.extend(self._settle_duplicates(candidates, fresh, results))
        loaded = tuple(sorted(fresh))
        removed = tuple(sorted(set(self._by_file) - set(candidates)))
        self._stamps = stamps
        self._by_file = candidates
        self._by_entity = {policy.entity_id: policy for policy in candidates.values()}
        for file in loaded:
            log.info("policy for %s in force from %s", candidates[file].entity_id, file)
        for file in removed:
            log.info("policy file %s removed: application no longer accepted", file)
        return self._finish(errors, loaded, removed)

    def _known_types(self, errors: list[Issue]):
        """The known mandate type codes, None when not checked, False when they cannot be read."""
        if self._known_mandate_types is None:
            return None
        try:
            return frozenset(self._known_mandate_types())
        except Exception as error:  # a store that is down must not take the policies with it
            errors.append(Issue(str(self.folder), 0, 0, f"cannot read the known mandate types: {error}"))
            return False

    def _settle_duplicates(
        self, candidates: dict[str, Policy], fresh: set[str], results: dict[str, FileResult]
    ) -> list[Issue]:
        """Two files naming one entityID: the version already in force wins, the new one is refused."""
        issues = []
        while clash := _first_clash(candidates):
            earlier, later = clash
            loser = later if later in fresh else earlier if earlier in fresh else later
            winner = earlier if loser == later else later
            entity_id = candidates[loser].entity_id
            line, column = results[loser].entity_id_at
            where = winner
            if results[winner].entity_id == entity_id:
                where += ":%d:%d" % results[winner].entity_id_at
            issue = Issue(loser, line, column, f"entity_id '{entity_id}' is already used by {where}")
            issues.append(issue)
            log.error("policy file %s refused:\n%s", loser, issue)
            previous = self._by_file.get(loser)
            if loser in fresh and previous is not None:
                candidates[loser] = previous
            else:
                del candidates[loser]
            fresh.discard(loser)
        return issues

    def _finish(self, errors, loaded, removed, keep_everything=False) -> ReloadResult:
        previous = getattr(self, "_last", None)
        if keep_everything and (previous is None or previous.errors != tuple(errors)):  # say it once
            log.error("policies not reloaded, those in force stay:\n%s", _lines(errors))
        self._last = ReloadResult(time.time(), tuple(errors), tuple(loaded), tuple(removed))
        return self._last


def _first_clash(candidates: dict[str, Policy]) -> tuple[str, str] | None:
    owner: dict[str, str] = {}
    for file in sorted(candidates):
        entity_id = candidates[file].entity_id
        if entity_id in owner:
            return owner[entity_id], file
        owner[entity_id] = file
    return None


def _lines(issues) -> str:
    return "\n".join(f"  {issue}" for issue in issues)
