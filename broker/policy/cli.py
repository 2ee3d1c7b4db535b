"""`broker policy …`: check, document and explain the per-application policy files."""

import sys
from pathlib import Path

import click

from broker.policy import docs as policy_docs
from broker.policy.errors import Issue
from broker.policy.loader import load, policy_files

DEFAULT_FOLDER = "policies"
DEFAULT_DOCS = "docs/policy.md"

folder_option = click.option(
    "--policies",
    "folder",
    envvar="BROKER_POLICY_DIR",
    default=DEFAULT_FOLDER,
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder of policy files (env BROKER_POLICY_DIR).",
)


@click.group()
def policy() -> None:
    """Check, document and explain per-application policy files."""


@policy.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@folder_option
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Check mandate types against this mandates store.",
)
def check(paths: tuple[Path, ...], folder: Path, store_path: Path | None) -> None:
    """Validate policy files and folders (default: the policies folder); exit 1 on any problem."""
    if store_path is None:
        known = None
        click.echo("note: mandate types not checked against a store (no --store given)", err=True)
    else:
        known = frozenset(_mandate_types(store_path))
    targets = list(paths) or [folder]
    result = load(targets, known)
    issues = list(result.issues)
    for target in targets:
        if target.is_dir() and not policy_files(target):
            issues.append(Issue(str(target), 0, 0, "no policy files (*.yaml, *.yml) in this folder"))
    for issue in issues:
        click.echo(str(issue))
    if issues:
        files = len({issue.file for issue in issues})
        click.echo(f"{len(issues)} problem{'s' * (len(issues) != 1)} in {files} file{'s' * (files != 1)}", err=True)
        sys.exit(1)
    click.echo(f"{len(result.files)} policy file{'s' * (len(result.files) != 1)} OK", err=True)


@policy.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Write the documentation to this file (e.g. {DEFAULT_DOCS}) instead of printing it.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only compare with --output (default docs/policy.md); exit 1 when it is stale.",
)
def docs(output: Path | None, check_only: bool) -> None:
    """Generate the policy file documentation from the schema."""
    text = policy_docs.render()
    if check_only:
        target = output or Path(DEFAULT_DOCS)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            click.echo(f"{target} is stale: run `broker policy docs --output {target}`", err=True)
            sys.exit(1)
        click.echo(f"{target} is up to date", err=True)
    elif output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@policy.command()
@click.option("--sp", "entity_id", required=True, help="The application's entityID.")
@click.option("--person", required=True, help="National register or BIS number of the person who logs in.")
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
    help="The day to explain (yyyy-mm-dd or dd/mm/yyyy); default today.",
)
@folder_option
@click.option(
    "--store",
    "store_path",
    envvar="BROKER_STORE_DB",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The mandates store (env BROKER_STORE_DB).",
)
@click.option(
    "--language", type=click.Choice(["en", "nl"]), default="en", show_default=True, help="Language of the reasons."
)
def explain(entity_id: str, person: str, at, folder: Path, store_path: Path, language: str) -> None:
    """Show the options a person gets at an application, and the failing condition for each missing one."""
    from broker.policy.explain import explain as explain_login
    from broker.policy.explain import render
    from broker.policy.kinds import did_you_mean
    from broker.policy.store_access import open_store
    from mandates_store import StoreError

    with open_store(store_path) as store:
        known = frozenset(mandate_type.code for mandate_type in store.mandate_types())
        result = load([folder], known)
        mine = [file for file in result.files if file.entity_id == entity_id]
        if not mine:
            hint = did_you_mean(entity_id, [file.entity_id for file in result.files if file.entity_id])
            raise click.ClickException(
                f"no policy for {entity_id} in {folder}{hint}: the broker refuses this application"
            )
        problems = [issue for issue in result.issues if issue.file in {file.file for file in mine}]
        if problems:
            for issue in problems:
                click.echo(str(issue))
            raise click.ClickException(f"the policy for {entity_id} has problems (above); fix them first")
        day = at.date() if at else store.today()
        try:
            explanation = explain_login(store, mine[0].policy, person, day)
        except StoreError as error:
            raise click.ClickException(str(error)) from error
    for line in render(explanation, language):
        click.echo(line)


def _mandate_types(store_path: Path) -> set[str]:
    from broker.policy.store_access import mandate_type_codes

    try:
        return mandate_type_codes(store_path)
    except Exception as error:  # any store problem: say which and stop, do not check half
        raise click.ClickException(f"cannot read mandate types from {store_path}: {error}") from error
