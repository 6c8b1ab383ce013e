"""`tinbao demo --channel zalo`: the whole Zalo story over both fakes on loopback, printed
as a transcript a newcomer can read (handlers/demo_zalo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.cli import main


def test_the_zalo_demo_prints_the_whole_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    main(["demo", "--channel", "zalo", "--database", str(tmp_path / "demo.db")])
    out = capsys.readouterr().out
    lines = out.splitlines()

    def after(mark: str, start: int = 0) -> int:
        """The index of the first line from ``start`` holding ``mark`` (in story order)."""
        for index in range(start, len(lines)):
            if mark in lines[index]:
                return index
        raise AssertionError(f"{mark!r} not printed after line {start}:\n{out}")

    at = after("$ tinbao zalo authorize --code")
    at = after("📱 Lan (Zalo): xin chào", at)
    at = after("🏛 OA gửi Lan: Xin chào!", at)
    at = after("Gõ 1, 2, 3, 4 hoặc 5.", at)  # the numbered options that always work
    at = after("nút: [📝 Báo tin]", at)  # and the OA's buttons
    at = after("📱 Lan (Zalo) gõ: ", at)
    at = after("📱 Lan (Zalo) chia sẻ vị trí", at)
    at = after("📱 Lan (Zalo) gửi một ảnh", at)
    at = after("Mã tin báo của bạn:", at)
    at = after("👮 nhóm CA Tam Chúc (gửi): 🆕 TIN BÁO", at)
    at = after("🖼 ảnh bằng chứng (tải lên: 1 tệp)", at)
    at = after("🏛 OA gửi Lan: Công an Phường Tam Chúc đã tiếp nhận", at)
    at = after("🏛 OA gửi Lan: Công an hỏi thêm", at)
    at = after("«Bạn có biết chủ quán tên gì không?»", at)
    at = after("📱 Lan (Zalo): Chủ quán tên Tư", at)
    at = after("👮 nhóm CA Tam Chúc (gửi): 💬 Người báo tin", at)
    at = after("Chủ quán tên Tư, hay đứng ở cửa canh chừng.", at)
    at = after("🏛 OA gửi Lan: Tin báo", at)
    assert "đã được công an xử lý xong" in lines[at]
    at = after("trạng thái: closed", at)
    assert "dạng rõ? False" in lines[at + 1] and "dạng rõ? False" in lines[at + 2]
    assert "2512523625412515" not in "\n".join(line for line in lines if "👮" in line)
    assert "Zalo từ chối" not in out
