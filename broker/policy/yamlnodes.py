"""Reading YAML as PyYAML's node tree, so that every value keeps its line and column."""

import yaml

from broker.policy.errors import Issue

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"

_WHAT = {
    STR: "a text",
    BOOL: "true/false",
    NULL: "nothing (null)",
    INT: "a number",
    FLOAT: "a number",
}


class Report:
    """Collects the issues of one file."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []

    def at(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.issues.append(Issue(self.file, mark.line + 1, mark.column + 1, message))

    def whole_file(self, message: str) -> None:
        self.issues.append(Issue(self.file, 1, 1, message))


def compose(text: str, report: Report) -> yaml.Node | None:
    """The document's root node, or None after reporting a syntax error or an empty file."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        if error.context:
            problem = f"{error.context}: {problem}"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        report.issues.append(Issue(report.file, line, column, f"YAML syntax error: {problem}"))
        return None
    except yaml.YAMLError as error:  # e.g. a character YAML does not allow, without a mark
        report.whole_file(f"YAML error: {error}")
        return None
    if root is None:
        report.whole_file("the file is empty; expected a mapping with at least entity_id")
    return root


def what(node: yaml.Node) -> str:
    """A short description of a node's kind, for 'expected …, got …' messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _WHAT.get(node.tag, f"a value tagged {node.tag}")


def is_scalar(node: yaml.Node, tag: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == tag


def value_of(node: yaml.ScalarNode):
    """The Python value of a scalar node (YAML 1.1 rules, as PyYAML's safe loader)."""
    return yaml.SafeLoader("").construct_object(node)


def mapping_items(node: yaml.MappingNode, report: Report) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) in file order; reports keys that are not text and duplicates.

    PyYAML silently keeps the last of two equal keys; an operator editing a long file should hear of it.
    """
    items = []
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not is_scalar(key_node, STR):
            report.at(key_node, f"a key must be a text, got {what(key_node)}")
            continue
        key = key_node.value
        if key in first_line:
            report.at(key_node, f"duplicate key '{key}' (first on line {first_line[key]})")
            continue
        first_line[key] = key_node.start_mark.line + 1
        items.append((key, key_node, value_node))
    return items
