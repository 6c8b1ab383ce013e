"""Issue 11: Zalo's settings are all or nothing; half a setup stops the start with a line
that names what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings
from tests.harness import KEY

BASE = {"bot_token": "123456:abcdefghijklmnop", "secret_key": KEY}


def test_zalo_is_off_unless_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    settings = load_settings(**BASE)
    assert not settings.zalo_on
    assert settings.zalo_webhook_path == "/zalo" and settings.zalo_webhook_listen == "127.0.0.1"


def test_app_id_and_oa_key_turn_zalo_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        **BASE,
        zalo_app_id="1234567890",
        zalo_oa_secret_key="oa-key",
        zalo_app_secret="app-secret",
        zalo_api_url="http://x/",
    )
    assert settings.zalo_on and settings.zalo_api_url == "http://x"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"zalo_app_id": "123", "zalo_app_secret": "s"}, "TINBAO_ZALO_OA_SECRET_KEY"),
        ({"zalo_oa_secret_key": "k", "zalo_app_secret": "s"}, "TINBAO_ZALO_APP_ID"),
        ({"zalo_app_secret": "s"}, "TINBAO_ZALO_APP_ID and TINBAO_ZALO_OA_SECRET_KEY"),
        (
            {"zalo_app_id": "123", "zalo_oa_secret_key": "k"},
            "TINBAO_ZALO_APP_SECRET must be set",
        ),
    ],
)
def test_half_a_zalo_setup_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: dict[str, str], missing: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=missing):
        load_settings(**BASE, **given)


def test_a_wrong_app_id_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="TINBAO_ZALO_APP_ID is invalid"):
        load_settings(**BASE, zalo_app_id="abc", zalo_oa_secret_key="k", zalo_app_secret="s")
