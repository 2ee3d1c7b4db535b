"""`broker certs generate`: a self-signed key pair for signing or encryption (never commit it)."""

import os

import click

from broker.saml.certgen import RSA_BITS
from broker.saml.certgen import generate as generate_pair


@click.group()
def certs() -> None:
    """The broker's keys and certificates."""


@certs.command()
@click.option(
    "--kind", type=click.Choice(["rsa", "ec"]), default="rsa", show_default=True, help="RSA (see --bits) or EC P-256."
)
@click.option(
    "--bits",
    type=click.Choice([str(b) for b in RSA_BITS]),
    default="3072",
    show_default=True,
    help="RSA key size; 2048 signs about twice as fast as 3072 and is still allowed until 2030.",
)
@click.option("--use", type=click.Choice(["signing", "encryption"]), default="signing", show_default=True)
@click.option("--out", "folder", type=click.Path(file_okay=False), default="certs", show_default=True)
@click.option(
    "--name", help="File name without extension (default broker-<use>); e.g. broker-signing-next for a rollover."
)
@click.option("--common-name", default="mandate broker", show_default=True)
@click.option("--days", type=int, default=730, show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an existing key (a key in use would stop working).")
def generate(kind, bits, use, folder, name, common_name, days, force) -> None:
    """Write NAME.key (mode 0600) and NAME.crt into the folder."""
    if use == "encryption" and kind == "ec":
        raise click.UsageError("encryption keys must be RSA: assertions are encrypted with RSA-OAEP key transport")
    name = name or f"broker-{use}"
    key, cert = os.path.join(folder, name + ".key"), os.path.join(folder, name + ".crt")
    if not force and (os.path.exists(key) or os.path.exists(cert)):
        raise click.ClickException(f"{key} or {cert} exists; use --force to replace it")
    generate_pair(key, cert, f"{common_name} {use}", kind, days, int(bits))
    click.echo(f"{key} (mode 0600)\n{cert}")
