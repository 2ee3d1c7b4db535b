"""deploy/: the nginx front and the systemd units the README shows (README "Beyond one machine").
What can be checked here is checked: nginx parses the front's file (`nginx -t`, Debian's nginx,
which bin/test installs when missing), systemd-analyze verifies the units with the project's own
commands in place of /opt/broker, and every option a unit passes exists in that command."""

import os
import re
import shlex
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(REPO, "deploy")
BIN = os.path.dirname(sys.executable)
NGINX = "/usr/sbin/nginx"
UNITS = ("broker.service", "selfservice.service")


def _self_signed(folder):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=broker.example.be"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )


def _nginx_test(tmp_path, text: str) -> subprocess.CompletedProcess:
    """nginx -t on the front's file inside a minimal main file, the certificates made here."""
    _self_signed(tmp_path)
    text = text.replace("/etc/ssl/broker/fullchain.pem", str(tmp_path / "cert.pem"))
    (tmp_path / "broker.conf").write_text(text.replace("/etc/ssl/broker/privkey.pem", str(tmp_path / "key.pem")))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log {tmp_path}/access.log; include {tmp_path}/broker.conf; }}\n"
    )
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )


def test_the_nginx_front_parses(tmp_path):
    text = open(os.path.join(DEPLOY, "nginx", "broker.conf"), encoding="utf-8").read()
    result = _nginx_test(tmp_path, text)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # both nodes in each upstream, the scheme and the client passed on, and no stickiness
    for upstream in ("broker_nodes", "selfservice_nodes"):
        block = re.search(r"upstream " + upstream + r" \{(.*?)\}", text, re.S).group(1)
        assert len(re.findall(r"^\s*server \S+", block, re.M)) == 2
    assert text.count("proxy_set_header X-Forwarded-Proto $scheme;") == 2
    assert text.count("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;") == 2
    assert not re.search(r"^\s*(ip_hash|hash|sticky)\b", text, re.M)


def test_a_broken_front_is_refused_by_the_same_check(tmp_path):
    text = open(os.path.join(DEPLOY, "nginx", "broker.conf"), encoding="utf-8").read()
    result = _nginx_test(tmp_path, text.replace("proxy_pass http://broker_nodes;", "proxy_pass http://nowhere_nodes;"))
    assert result.returncode != 0
    assert "nowhere_nodes" in result.stderr


def _unit(name: str, tmp_path) -> str:
    """The unit with the project's own commands for /opt/broker's, written to tmp_path."""
    text = open(os.path.join(DEPLOY, "systemd", name), encoding="utf-8").read()
    text = text.replace("/opt/broker/.venv/bin", BIN)
    (tmp_path / name).write_text(text)
    return text


@pytest.mark.parametrize("name", UNITS)
def test_systemd_verifies_the_unit(name, tmp_path):
    _unit(name, tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / name)], capture_output=True, text=True, cwd=tmp_path
    )
    complaints = [line for line in result.stderr.splitlines() if name in line]
    assert result.returncode == 0 and not complaints, result.stderr


@pytest.mark.parametrize("name", UNITS)
def test_every_option_a_unit_passes_exists(name, tmp_path):
    text = _unit(name, tmp_path)
    commands = re.findall(r"^Exec(?:Start|StartPre)=(.+)$", text, re.M)
    assert commands
    for command in commands:
        words = shlex.split(command)
        assert os.access(words[0], os.X_OK), words[0]
        subcommand = [w for w in words[1:] if not w.startswith("-") and not w.startswith("/")]
        helped = subprocess.run([words[0], *subcommand, "--help"], capture_output=True, text=True)
        assert helped.returncode == 0, helped.stderr
        for option in (w for w in words if w.startswith("--")):
            assert option in helped.stdout, f"{name}: {words[0]} {' '.join(subcommand)} has no {option}"


def test_what_the_readme_shows_is_in_the_files():
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    section = readme.split("## Beyond one machine", 1)[1].split("\n## ", 1)[0]
    for language, path in (("nginx", ("nginx", "broker.conf")), ("ini", ("systemd", "broker.service"))):
        lines = set(open(os.path.join(DEPLOY, *path), encoding="utf-8").read().splitlines())
        blocks = re.findall(r"```" + language + r"\n(.*?)```", section, re.S)
        assert blocks, language
        for block in blocks:
            missing = [line for line in block.splitlines() if line not in lines]
            assert not missing, f"{os.path.join(*path)} lacks {missing}"
