"""Policy files → Policy values, with every problem of every file reported at once."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from broker.policy.errors import Issue
from broker.policy.kinds import INVALID, Reading, Section, did_you_mean
from broker.policy.model import NAMEID_UNSPECIFIED, LoginKinds, Policy
from broker.policy.schema import BY_PATH, KEYS, REQUIRED, children
from broker.policy.yamlnodes import NULL, Report, compose, is_scalar, mapping_items, what

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FileResult:
    file: str
    policy: Policy | None  # None when the file has issues
    issues: tuple[Issue, ...]
    entity_id: str | None = None  # read even when other keys are wrong, to find duplicates
    entity_id_at: tuple[int, int] = (0, 0)


@dataclass
class LoadResult:
    files: list[FileResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # every file's issues, then duplicates

    @property
    def policies(self) -> dict[str, Policy]:
        """entity_id -> Policy of the files without issues (the first file wins a duplicate)."""
        found: dict[str, Policy] = {}
        for result in self.files:
            if result.policy is not None:
                found.setdefault(result.policy.entity_id, result.policy)
        return found


def policy_files(folder: Path) -> list[Path]:
    """The policy files in a folder, in name order; hidden files and editors' leftovers are not policies."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix in SUFFIXES and not path.name.startswith((".", "#"))
    )


def load(paths: Iterable[Path], known_mandate_types: frozenset[str] | None = None) -> LoadResult:
    """Read files and folders of policy files; report every issue, duplicate entityIDs included."""
    result = LoadResult()
    for path in paths:
        if path.is_dir():
            files = policy_files(path)
        elif path.exists():
            files = [path]
        else:
            result.issues.append(Issue(str(path), 0, 0, "no such file or folder"))
            continue
        for file in files:
            file_result = read_file(file, known_mandate_types)
            result.files.append(file_result)
            result.issues.extend(file_result.issues)
    result.issues.extend(duplicate_issues(result.files))
    return result


def duplicate_issues(files: Iterable[FileResult]) -> list[Issue]:
    first: dict[str, FileResult] = {}
    issues = []
    for result in files:
        if result.entity_id is None:
            continue
        if result.entity_id in first:
            earlier = first[result.entity_id]
            line, column = result.entity_id_at
            where = f"{earlier.file}:{earlier.entity_id_at[0]}:{earlier.entity_id_at[1]}"
            issues.append(
                Issue(result.file, line, column, f"entity_id '{result.entity_id}' is already used by {where}")
            )
        else:
            first[result.entity_id] = result
    return issues


def read_file(path: Path, known_mandate_types: frozenset[str] | None = None) -> FileResult:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return FileResult(str(path), None, (Issue(str(path), 0, 0, f"cannot read: {error.strerror}"),))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return FileResult(str(path), None, (Issue(str(path), line, column, "not UTF-8 text"),))
    return read_policy(str(path), text, known_mandate_types)


def read_policy(file: str, text: str, known_mandate_types: frozenset[str] | None = None) -> FileResult:
    """One policy file's text → its Policy, or the issues that keep it from being one."""
    reading = Reading(Report(file), known_mandate_types)
    root = compose(text, reading.report)
    if root is None:
        return FileResult(file, None, tuple(reading.report.issues))
    if not isinstance(root, yaml.MappingNode):
        reading.report.at(root, f"expected a mapping with entity_id and the other policy keys, got {what(root)}")
        return FileResult(file, None, tuple(reading.report.issues))
    values: dict[str, object] = {}
    present: dict[str, yaml.Node] = {}
    _read_mapping(root, "", reading, values, present)
    policy = _build(values, file)
    _check_together(policy, values, present, root, reading.report)
    entity_node = present.get("entity_id")
    entity_at = (entity_node.start_mark.line + 1, entity_node.start_mark.column + 1) if entity_node else (0, 0)
    issues = tuple(sorted(reading.report.issues))
    return FileResult(file, None if issues else policy, issues, values.get("entity_id"), entity_at)


def _read_mapping(node, parent, reading, values, present) -> None:
    report = reading.report
    keys = {key.name: key for key in children(parent)}
    for name, key_node, value_node in mapping_items(node, report):
        key = keys.get(name)
        if key is None:
            report.at(key_node, _unknown_key(name, parent, keys))
            continue
        present[key.path] = value_node
        if not isinstance(key.kind, Section):
            value = key.kind.read(value_node, reading)
            if value is not INVALID:
                values[key.path] = value
        elif isinstance(value_node, yaml.MappingNode):
            _read_mapping(value_node, key.path, reading, values, present)
        elif not is_scalar(value_node, NULL):  # `login:` with every line below commented out is fine
            report.at(value_node, f"expected a mapping with {', '.join(keys_of(key.path))}, got {what(value_node)}")
    for key in keys.values():
        if key.default is REQUIRED and key.path not in present:
            report.at(node, f"missing required key '{key.path}'")


def keys_of(parent: str) -> list[str]:
    return [key.name for key in children(parent)]


def _unknown_key(name: str, parent: str, keys: dict) -> str:
    inside = f" in {parent}" if parent else ""
    hint = did_you_mean(name, keys)
    if not hint:  # a key written at the wrong level, e.g. own_name at the top instead of under login
        elsewhere = [key.path for key in KEYS if key.name == name and key.parent != parent]
        hint = f" (did you mean '{elsewhere[0]}'?)" if elsewhere else ""
    return f"unknown key '{name}'{inside}{hint}"


def _build(values: dict[str, object], source: str) -> Policy:
    """A Policy from the keys that were present and valid; the model's defaults for the rest."""
    fields: dict[str, object] = {}
    login: dict[str, object] = {}
    for path, value in values.items():
        target = BY_PATH[path].field
        if isinstance(target, tuple):
            fields.update(zip(target, value))
        elif target.startswith("login_kinds."):
            login[target.removeprefix("login_kinds.")] = value
        else:
            fields[target] = value
    fields.setdefault("entity_id", "")
    return Policy(login_kinds=LoginKinds(**login), source=source, **fields)


def _check_together(policy: Policy, values, present, root, report: Report) -> None:
    """Rules between keys; skipped when one of the keys involved is already wrong on its own."""

    def valid(*paths: str) -> bool:
        return all(path in values or path not in present for path in paths)

    def node(*paths: str) -> yaml.Node:
        return next((present[path] for path in paths if path in present), root)

    kinds = policy.login_kinds
    login_paths = ("login.own_name", "login.work_relationship", "login.mandate", "login.legal_representative")
    if valid(*login_paths) and not (
        kinds.own_name or kinds.work_relationship or kinds.mandate or kinds.legal_representative
    ):
        report.at(node("login"), "no kind of login is allowed: nobody could log in to this application")
    if valid("login.mandate", "mandate_types") and kinds.mandate and not policy.mandate_types:
        report.at(
            node("login.mandate", "mandate_types"),
            "login.mandate is true but mandate_types is empty: list the mandate types that open this "
            "application, or set login.mandate: false",
        )
    if valid("login.member_right", "login.work_relationship") and kinds.member_right and not kinds.work_relationship:
        report.at(node("login.member_right"), "login.member_right only applies with login.work_relationship: true")
    if valid("nameid.format", "nameid.source"):
        unspecified = policy.nameid_format == NAMEID_UNSPECIFIED
        if unspecified and policy.nameid_source == "pairwise":
            report.at(
                node("nameid.source", "nameid.format"),
                "nameid.format unspecified needs nameid.source ActingSubjectID or LegalSubjectID",
            )
        elif not unspecified and policy.nameid_source != "pairwise":
            report.at(
                node("nameid.source"),
                f"nameid.source '{policy.nameid_source}' only goes with nameid.format unspecified; "
                "persistent and transient identifiers are made by the broker (source: pairwise)",
            )
