"""docs/policy.md, generated from the schema so that the documentation cannot drift from the loader."""

import yaml

from broker.attributes import VOCABULARY, saml_name
from broker.policy.kinds import NAME_FORMATS, Section
from broker.policy.schema import KEYS, NAMEID_FORMATS, REQUIRED, Key

WSE_LOKET_EXAMPLE = """\
# The WSE Loket: employers and their social secretariats or accountants file work and social
# economy declarations. The file name is free; the broker finds this policy by entity_id.
entity_id: https://wse-loket.example.be/saml/metadata

# An active mandate of this type opens the WSE Loket on behalf of its giver.
mandate_types: [WSE Loket]

login:
  own_name: true                # a self-employed person files for themself
  work_relationship: true       # an employee files for their own employer ...
  member_right: WSE Loket gebruiker   # ... when holding this right for that employer
  mandate: true                 # an accountant files on behalf of a client through a mandate
  legal_representative: true    # a director (KBO) files for the enterprise without a mandate

# Released attributes, under the names agreed in the WSE Loket's integration file.
attributes:
  ActingSubjectID:              # null: the broker's own name urn:mandaatbroker:1.0:ActingSubjectID
  ActingSubjectName:
  LegalSubjectID: urn:be:wse:LegalSubjectID
  LegalSubjectKind: urn:be:wse:LegalSubjectKind
  LegalSubjectName: urn:be:wse:LegalSubjectName
  IntermediateSubjectID: urn:be:wse:IntermediateSubjectID
  MandateID: urn:be:wse:MandateID
  MandateType:
    name: MandateType
    format: basic
  LoginKind: urn:be:wse:LoginKind

nameid:
  format: persistent            # opaque, stable per person, represented party and application
  source: pairwise

authn_context: http://eidas.europa.eu/LoA/substantial
signing: assertion
encrypt_assertion: true
require_signed_requests: true
skip_single_option: false       # always show on whose behalf the person logs in
single_logout: true
"""


def render() -> str:
    parts = [_INTRO, "## Keys\n", _summary(), ""]
    for key in KEYS:
        parts.append(_section(key))
    parts += [_vocabulary(), _EXAMPLE_HEAD, "```yaml\n" + WSE_LOKET_EXAMPLE + "```\n"]
    return "\n".join(parts)


def _inline(value) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False)
        .removesuffix("...\n")
        .strip()
    )


def _default(key: Key) -> str:
    if key.default is REQUIRED:
        return "required"
    return key.default_text or f"`{_inline(key.default)}`"


def _summary() -> str:
    rows = ["| key | type | default |", "| --- | --- | --- |"]
    for key in KEYS:
        rows.append(f"| [`{key.path}`](#{key.path.replace('.', '')}) | {key.kind.type_name} | {_default(key)} |")
    return "\n".join(rows) + "\n"


def _example(key: Key) -> str:
    value = {key.name: key.example}
    for parent in reversed(key.parent.split(".") if key.parent else []):
        value = {parent: value}
    return "```yaml\n" + "".join(_block(value, "")) + "```\n"


def _block(mapping: dict, indent: str):
    """Mappings as blocks, leaves (scalars, lists) on one line: how an operator writes a policy."""
    for name, value in mapping.items():
        if isinstance(value, dict) and value:
            yield f"{indent}{name}:\n"
            yield from _block(value, indent + "  ")
        else:
            yield f"{indent}{name}: {_inline(value)}\n"


def _section(key: Key) -> str:
    lines = [f"### `{key.path}`\n", key.meaning + "\n", f"- type: {key.kind.type_name}", f"- default: {_default(key)}"]
    if key.path == "nameid.format":
        lines.append("- formats: " + ", ".join(f"{short} = `{urn}`" for short, urn in NAMEID_FORMATS.items()))
    if key.path == "attributes":
        lines.append("- name formats: " + ", ".join(f"{short} = `{urn}`" for short, urn in NAME_FORMATS.items()))
    if isinstance(key.kind, Section):
        lines.append("- keys: " + ", ".join(f"`{k.name}`" for k in KEYS if k.parent == key.path))
    return "\n".join(lines) + "\n\nExample:\n\n" + _example(key)


def _vocabulary() -> str:
    rows = [
        "## Attribute vocabulary\n",
        "The keys `attributes` may list (from `broker/attributes.py`):\n",
        "| key | the broker's own SAML name | meaning |",
        "| --- | --- | --- |",
    ]
    for key, meaning in VOCABULARY.items():
        rows.append(f"| `{key}` | `{saml_name(key)}` | {meaning} |")
    return "\n".join(rows) + "\n"


_INTRO = """\
# Policy files

<!-- Generated from broker/policy/schema.py by `broker policy docs`; do not edit by hand. -->

Each application (SAML service provider) the broker serves has one policy file: a YAML file in the
operator's policies folder: the broker's `POLICY_DIR` setting (default `policies`); for the commands
`--policies DIR` or the environment variable `BROKER_POLICY_DIR`. Every `*.yaml` and `*.yml` file in the folder is a policy;
files whose name starts with `.` or `#` (editors' leftovers) are not. The file name is free: the
broker finds a policy by its `entity_id`. **An application without a policy file is refused.**

A policy says who may log in to the application and how (own name, ordinary member, mandate, legal
representative), which mandate types open it, which attributes it receives under which agreed names,
its NameID, the level of assurance to demand, and how the answer is signed and encrypted. A key left
out keeps its default; an unknown key is an error, so a typo never silently falls back to a default.

## Checking

`broker policy check [PATH…] [--policies DIR] [--store DB]` checks files and folders (default: the
policies folder), prints every problem of every file at once as `file:line:column: message`, and exits
with 1 when there is one, 0 otherwise, so that it can run in the operator's own CI. Problems found:
YAML syntax errors, unknown keys (with a "did you mean"), duplicate keys, values of the wrong type,
unknown attribute keys, keys that contradict each other, two files with the same `entity_id`, and,
with `--store`, mandate types the store does not know (without `--store` that check is skipped, and
the command says so).

## Changing a policy while the broker runs

Every broker process looks at the policy files' modification times at most every two seconds and
reloads what changed: an edited, added or removed file takes effect within seconds, without a restart.
An edit that does not validate is refused and logged (logger `broker.policy`) with all its problems;
that file's last good version stays in force and other files' edits still apply. The broker does not
start when a policy file is invalid. Check an edit with `broker policy check` before saving it into
the live folder.

## Explaining a login

`broker policy explain --sp ENTITYID --person NUMBER [--at DATE] [--language en|nl] --policies DIR
--store DB` (or `BROKER_POLICY_DIR` and `BROKER_STORE_DB`) answers the helpdesk's "why can't I log in
on behalf of …?". It asks the mandates store with this application's policy and prints the options the
person gets on that day (default today; `yyyy-mm-dd` or `dd/mm/yyyy`), with the chooser's label, and
then, for every mandate, right, work relationship and KBO function of the person that gives no option,
the condition that fails, for example:

```text
options (2):
  - own name: Jan Peeters (88012226557) [In eigen naam]
  - mandate: Emmaüs (0411515075), mandate 5710246 (WSE Loket) from 2026-06-01 indefinitely, via BAROCY (0806154033) [Mandaat via BAROCY]

no option from (2):
  - right at IMEC (0425260668): right_type_not_in_scope: Your SSM Mandaatuitvoerder right at IMEC covers Kiosk, none of which this application uses (WSE Loket).
  - mandate 5710248: mandate_not_active: Mandate 5710248 (WSE Loket) from BALOISE BELGIUM to Jan Peeters is not active (stopped).
```

The conditions: `own_name_not_allowed`, `work_relationship_not_allowed`, `work_relationship_not_valid`,
`member_right_missing`, `legal_representative_not_allowed`, `representation_not_valid`,
`mandates_not_allowed`, `right_not_valid`, `right_type_not_in_scope`, `no_active_mandate`,
`mandate_not_active`, `type_not_in_scope`. A policy file with problems is not explained: the command
prints its problems instead.
"""

_EXAMPLE_HEAD = """\
## Complete example: the WSE Loket

A policy using every key (the demo application's policy is `policies/demo-application.yaml`):
"""
