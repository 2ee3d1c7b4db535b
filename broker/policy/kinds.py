"""The kinds of value a policy key can hold: each reads a YAML node and reports what is wrong with it."""

import difflib
import re
from dataclasses import dataclass

import yaml

from broker.attributes import VOCABULARY, saml_name
from broker.policy.model import ReleasedAttribute
from broker.policy.yamlnodes import BOOL, NULL, STR, Report, is_scalar, mapping_items, value_of, what

INVALID = object()  # returned after the problem has been reported

# An entityID is an absolute URI of at most 1024 characters (SAML 2.0 core, 8.3.6).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


@dataclass
class Reading:
    """What a kind needs besides the node: where to report, and what the outside world knows."""

    report: Report
    known_mandate_types: frozenset[str] | None = None  # None: not checked


def did_you_mean(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Kind:
    type_name = ""

    def read(self, node: yaml.Node, reading: Reading):
        raise NotImplementedError


class Flag(Kind):
    type_name = "true or false"

    def read(self, node, reading):
        if is_scalar(node, BOOL):
            return value_of(node)
        reading.report.at(node, f"expected true or false, got {what(node)}")
        return INVALID


class Text(Kind):
    type_name = "text"

    def read(self, node, reading):
        if not is_scalar(node, STR):
            reading.report.at(node, f"expected a text, got {what(node)}")
            return INVALID
        if not node.value.strip():
            reading.report.at(node, "expected a text, got an empty one")
            return INVALID
        return node.value


class EntityId(Text):
    type_name = "URI (text)"

    def read(self, node, reading):
        value = super().read(node, reading)
        if value is INVALID:
            return INVALID
        if not _URI.match(value) or len(value) > 1024:
            reading.report.at(
                node, f"'{value}' is not an entityID: expected an absolute URI without spaces, at most 1024 characters"
            )
            return INVALID
        return value


class OptionalText(Text):
    type_name = "text, or null for none"

    def read(self, node, reading):
        if is_scalar(node, NULL):
            return None
        if not is_scalar(node, STR):
            reading.report.at(node, f"expected a text or null, got {what(node)}")
            return INVALID
        return super().read(node, reading)


class Choice(Kind):
    def __init__(self, options: dict[str, object]):
        self.options = options
        self.type_name = "one of " + ", ".join(options)

    def read(self, node, reading):
        if is_scalar(node, STR) and node.value in self.options:
            return self.options[node.value]
        shown = f"'{node.value}'" if is_scalar(node, STR) else what(node)
        hint = did_you_mean(node.value, self.options) if is_scalar(node, STR) else ""
        reading.report.at(node, f"expected one of {', '.join(self.options)}, got {shown}{hint}")
        return INVALID


class MandateTypes(Kind):
    type_name = "list of mandate type codes"

    def read(self, node, reading):
        if not isinstance(node, yaml.SequenceNode):
            reading.report.at(node, f"expected a list of mandate type codes, got {what(node)}")
            return INVALID
        codes, ok = [], True
        for item in node.value:
            if not is_scalar(item, STR) or not item.value.strip():
                reading.report.at(item, f"expected a mandate type code (text), got {what(item)}")
                ok = False
            elif item.value in codes:
                reading.report.at(item, f"mandate type '{item.value}' is listed twice")
                ok = False
            elif reading.known_mandate_types is not None and item.value not in reading.known_mandate_types:
                hint = did_you_mean(item.value, reading.known_mandate_types)
                reading.report.at(item, f"unknown mandate type '{item.value}'{hint}")
                ok = False
            else:
                codes.append(item.value)
        return frozenset(codes) if ok else INVALID


class RightNames(Kind):
    """null, one right's name, or a list of them (any one of which will do)."""

    type_name = "text, a list of texts (any one), or null for none"

    def read(self, node, reading):
        if is_scalar(node, NULL):
            return None
        if not isinstance(node, yaml.SequenceNode):
            return OptionalText().read(node, reading)
        names, ok = [], True
        for item in node.value:
            name = Text().read(item, reading)
            if name is INVALID:
                ok = False
            elif name in names:
                reading.report.at(item, f"right '{name}' is listed twice")
                ok = False
            else:
                names.append(name)
        if ok and not names:
            reading.report.at(node, "expected at least one right's name, got an empty list (null means none)")
            ok = False
        return tuple(names) if ok else INVALID


NAME_FORMATS = {
    "uri": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "basic": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "unspecified": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
}


class ReleasedAttributes(Kind):
    """vocabulary key -> agreed SAML name: null (the broker's own name), a text, or {name, format}."""

    type_name = "mapping: attribute key → null, a SAML name, or {name, format}"
    _parts = ("name", "format")

    def read(self, node, reading):
        report = reading.report
        if not isinstance(node, yaml.MappingNode):
            report.at(node, f"expected a mapping of attribute keys, got {what(node)}")
            return INVALID
        released, ok, names = [], True, {}
        for key, key_node, value_node in mapping_items(node, report):
            if key not in VOCABULARY:
                report.at(key_node, f"unknown attribute '{key}'{did_you_mean(key, VOCABULARY)}")
                ok = False
                continue
            attribute = self._one(key, value_node, reading)
            if attribute is INVALID:
                ok = False
            elif attribute.name in names:
                report.at(value_node, f"SAML name '{attribute.name}' is already given to {names[attribute.name]}")
                ok = False
            else:
                names[attribute.name] = key
                released.append(attribute)
        return tuple(released) if ok else INVALID

    def _one(self, key, node, reading):
        if is_scalar(node, NULL):
            return ReleasedAttribute(key, saml_name(key))
        if is_scalar(node, STR):
            name = Text().read(node, reading)
            return INVALID if name is INVALID else ReleasedAttribute(key, name)
        if not isinstance(node, yaml.MappingNode):
            reading.report.at(node, f"expected null, a SAML name or a mapping with name and format, got {what(node)}")
            return INVALID
        parts, ok = {}, True
        for part, part_node, part_value in mapping_items(node, reading.report):
            if part == "name":
                parts["name"] = Text().read(part_value, reading)
            elif part == "format":
                parts["name_format"] = Choice(NAME_FORMATS).read(part_value, reading)
            else:
                reading.report.at(
                    part_node, f"unknown key '{part}'{did_you_mean(part, self._parts)}; expected name and format"
                )
                ok = False
        if "name" not in parts:
            reading.report.at(node, f"attribute '{key}' needs a name")
            ok = False
        if not ok or INVALID in parts.values():
            return INVALID
        return ReleasedAttribute(key, **parts)


class Section(Kind):
    """A mapping whose keys are the schema keys below it (e.g. login.own_name under login)."""

    type_name = "mapping"

    def read(self, node, reading):
        raise AssertionError("sections are read by the loader")
