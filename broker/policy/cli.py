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
    "--policies", "folder", envvar="BROKER_POLICY_DIR", default=DEFAULT_FOLDER, show_default=True,
    type=click.Path(path_type=Path, file_okay=False), help="The folder of policy files (env BROKER_POLICY_DIR).")


@click.group()
def policy() -> None:
    """Check, document and explain per-application policy files."""


@policy.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@folder_option
@click.option("--store", "store_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Check mandate types against this mandates store.")
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
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help=f"Write the documentation to this file (e.g. {DEFAULT_DOCS}) instead of printing it.")
@click.option("--check", "check_only", is_flag=True,
              help="Only compare with --output (default docs/policy.md); exit 1 when it is stale.")
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


def _mandate_types(store_path: Path) -> set[str]:
    from broker.policy.store_access import mandate_type_codes
    try:
        return mandate_type_codes(store_path)
    except Exception as error:  # any store problem: say which and stop, do not check half
        raise click.ClickException(f"cannot read mandate types from {store_path}: {error}") from error
