"""Issue 11: evidence a Zalo citizen sends. Zalo's attachment URLs expire, so the file is
downloaded when the event is applied (from the fake OA's loopback CDN), kept in the
database under a file id of ours, and uploaded to the police group's Telegram chat with
the tip's card. A URL that fails, times out or brings too much, a type the tip line does
not take: the citizen is told, and nothing changes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.crypto import IdentityBox
from bot.retention import purge
from handlers.zalo.attachments import TELEGRAM_PHOTO_BYTES, Attachment, stored, stored_name
from storage import stored_files
from tests.police import QUEUE, setup_unit
from tests.zalo_chat import UID, ZaloCitizen, ZaloWorld, close_zalo, open_zalo

DESCRIPTION = "Có người lạ cạy cửa kho hàng ở cuối thôn lúc nửa đêm, tôi đã chụp được ảnh."
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"  # a small "JPEG"
PDF = b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF"


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    world = await open_zalo(tmp_path, max_attachment_mb=1)
    world.channel.inbox.download_timeout = 0.5
    try:
        yield world
    finally:
        await close_zalo(world)


async def choose(citizen: ZaloCitizen, label: str) -> None:
    await citizen.says(citizen.number_of(label))


async def to_evidence(citizen: ZaloCitizen) -> None:
    await citizen.says("/baotin")
    await choose(citizen, "Tố giác tội phạm")
    await choose(citizen, "Không, đã xảy ra rồi")
    await citizen.says("tam chuk")
    for label in ("Tam Chúc", "Bỏ qua", "Hôm nay", "Bỏ qua"):
        await choose(citizen, label)
    await citizen.says(DESCRIPTION)
    assert "Bước 7/7" in citizen.last()


async def stored_count(world: ZaloWorld) -> int:
    async with world.h.tinbao.db.read() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM stored_files") or 0)


async def test_a_photo_is_downloaded_kept_and_uploaded_to_the_police_group(
    zalo: ZaloWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await setup_unit(zalo.h)
    citizen = zalo.citizen()
    await to_evidence(citizen)
    url = zalo.oa.attachment_url("a1b2c3.jpg", PHOTO)
    event = zalo.oa.image_event(UID, url)
    with caplog.at_level(logging.DEBUG):
        await citizen.sends(event)
        await citizen.sends(event)  # Zalo's retry: the same file, kept and counted once
    assert "Đã nhận 1/" in citizen.last()
    assert zalo.oa.downloads == ["a1b2c3.jpg"]  # fetched once, at once
    assert await stored_count(zalo) == 1
    assert url not in caplog.text and UID not in caplog.text
    await choose(citizen, "Xong")
    await choose(citizen, "Ẩn danh")
    assert "Bằng chứng: 1 tệp" in citizen.last()
    await choose(citizen, "Gửi tin báo")
    assert citizen.receipt()
    zalo.oa.files.clear()  # the URL has expired by now: the police get the kept bytes
    await zalo.h.flush()
    (photo,) = [m for m in zalo.h.api.sent_to(QUEUE) if m.get("photo")]
    (upload,) = zalo.h.api.calls_of("sendPhoto", ok_only=True)
    assert str(upload.params["photo"]).startswith("upload:")
    sent = await zalo.h.tinbao.app.bot.get_file(photo["photo"][-1]["file_id"])
    assert bytes(await sent.download_as_bytearray()) == PHOTO


async def test_a_pdf_document_is_taken_and_an_executable_is_not(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await to_evidence(citizen)
    exe = zalo.oa.attachment_url("setup.exe", b"MZ" + b"0" * 100, content_type="x/exe")
    await citizen.sends(zalo.oa.file_event(UID, exe, "setup.exe", 102))
    assert "không được nhận" in citizen.last() and zalo.oa.downloads == []
    pdf = zalo.oa.attachment_url("bien-ban.pdf", PDF, content_type="application/pdf")
    await citizen.sends(zalo.oa.file_event(UID, pdf, "bien-ban.pdf", len(PDF)))
    assert "Đã nhận 1/" in citizen.last()
    async with zalo.h.tinbao.db.read() as tx:
        row = await tx.fetchone("SELECT kind, mime_type, size_bytes, name FROM stored_files")
        assert row is not None
        file = await stored_files.get(tx, str(row[3]), open_=zalo.h.tinbao.people.box.open_bytes)
    assert tuple(row[:3]) == ("document", "application/pdf", len(PDF))
    assert file is not None and (file.filename, file.data) == ("bien-ban.pdf", PDF)


@pytest.mark.parametrize("fault", ["404", "500", "timeout"])
async def test_a_url_that_fails_is_told_and_changes_nothing(zalo: ZaloWorld, fault: str) -> None:
    citizen = zalo.citizen()
    await to_evidence(citizen)
    url = zalo.oa.attachment_url("gone.jpg", PHOTO, fault=fault)
    await citizen.sends(zalo.oa.image_event(UID, url))
    assert "Không tải được tệp" in citizen.last()
    assert await stored_count(zalo) == 0
    await choose(citizen, "Bỏ qua")  # the step's options still stand: nothing was taken
    assert "ẩn danh" in citizen.last()


@pytest.mark.parametrize("fault", [None, "lying"])
async def test_a_file_over_the_limit_is_refused(zalo: ZaloWorld, fault: str | None) -> None:
    citizen = zalo.citizen()
    await to_evidence(citizen)
    big = b"\xff\xd8" + bytes(1024 * 1024 + 512)  # over TINBAO_MAX_ATTACHMENT_MB=1
    url = zalo.oa.attachment_url("big.jpg", big, fault=fault)
    await citizen.sends(zalo.oa.image_event(UID, url))
    assert "Tệp quá lớn" in citizen.last() and "tối đa 1 MB" in citizen.last()
    assert await stored_count(zalo) == 0


async def test_a_file_zalo_says_is_too_big_is_not_even_fetched(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await to_evidence(citizen)
    url = zalo.oa.attachment_url("video.pdf", PDF, content_type="application/pdf")
    await citizen.sends(zalo.oa.file_event(UID, url, "video.pdf", 5 * 1024 * 1024))
    assert "Tệp quá lớn" in citizen.last() and zalo.oa.downloads == []


async def test_a_photo_where_no_file_is_asked_for_is_not_fetched(zalo: ZaloWorld) -> None:
    citizen = zalo.citizen()
    await citizen.says("/start")
    url = zalo.oa.attachment_url("early.jpg", PHOTO)
    await citizen.sends(zalo.oa.image_event(UID, url))
    assert any("Bằng chứng" in text for text in citizen.texts()[-2:])  # «not now»
    assert zalo.oa.downloads == [] and await stored_count(zalo) == 0


def test_the_stored_file_id_names_the_event_not_the_citizen() -> None:
    name = stored_name("zalo:8f1d0a2c3b")
    assert name.startswith("stored:") and name == stored_name("zalo:8f1d0a2c3b")
    assert "8f1d0a2c3b" not in name and UID not in name


async def test_files_of_an_abandoned_dialogue_are_purged_with_it_a_tips_stay(
    zalo: ZaloWorld,
) -> None:
    citizen = zalo.citizen()
    await to_evidence(citizen)
    await citizen.sends(zalo.oa.image_event(UID, zalo.oa.attachment_url("kept.jpg", PHOTO)))
    await choose(citizen, "Xong")
    await choose(citizen, "Ẩn danh")
    await choose(citizen, "Gửi tin báo")
    other = zalo.citizen("2512523625419999")
    await to_evidence(other)
    url = zalo.oa.attachment_url("left.jpg", PHOTO + b"x")
    await other.sends(zalo.oa.image_event(other.uid, url))
    assert await stored_count(zalo) == 2
    h = zalo.h
    report = await purge(h.tinbao.db, h.tinbao.settings, h.clock() + timedelta(days=8))
    assert report.unfiled_files == 1 and await stored_count(zalo) == 1
    async with h.tinbao.db.read() as tx:
        kept = await tx.scalar(
            "SELECT COUNT(*) FROM tip_attachments t JOIN stored_files s ON s.name = t.file_id"
        )
    assert kept == 1


async def test_several_photos_reach_the_police_as_one_album_of_uploads(zalo: ZaloWorld) -> None:
    await setup_unit(zalo.h)
    citizen = zalo.citizen()
    await to_evidence(citizen)
    for n in range(2):
        url = zalo.oa.attachment_url(f"p{n}.jpg", PHOTO + bytes([n]))
        await citizen.sends(zalo.oa.image_event(UID, url))
    assert "Đã nhận 2/" in citizen.last()
    await choose(citizen, "Xong")
    await choose(citizen, "Ẩn danh")
    await choose(citizen, "Gửi tin báo")
    await zalo.h.flush()
    (album,) = zalo.h.api.calls_of("sendMediaGroup", ok_only=True)
    assert album.params["chat_id"] == QUEUE and len(album.files) == 2


def test_a_photo_too_large_for_telegrams_photos_is_kept_as_an_image_document() -> None:
    found = Attachment("photo", "https://cdn.example/x.jpg", "image/jpeg", None, "x.jpg")
    box = IdentityBox(bytes(32))
    small = stored(found, "zalo:m1", b"\xff" * 1000, "image/jpeg", box)
    large = stored(found, "zalo:m2", b"\xff" * (TELEGRAM_PHOTO_BYTES + 1), "image/jpeg", box)
    assert (small.kind, large.kind) == ("photo", "document")
    assert large.mime_type == "image/jpeg"  # a type the evidence step takes as a document


async def test_evidence_is_sealed_in_the_database_file(zalo: ZaloWorld) -> None:
    """A copied database file shows neither the photo, nor a document's name, nor the
    plain hash that would confirm a known picture; the police still get the bytes."""
    await setup_unit(zalo.h)
    citizen = zalo.citizen()
    await to_evidence(citizen)
    await citizen.sends(zalo.oa.image_event(UID, zalo.oa.attachment_url("c.jpg", PHOTO)))
    named = "Đơn của Nguyễn Văn Tố.pdf"
    url = zalo.oa.attachment_url("d.pdf", PDF, content_type="application/pdf")
    await citizen.sends(zalo.oa.file_event(UID, url, named, len(PDF)))
    assert "Đã nhận 2/" in citizen.last()
    await choose(citizen, "Xong")
    await choose(citizen, "Ẩn danh")
    await choose(citizen, "Gửi tin báo")
    await zalo.h.flush()
    db = zalo.h.tinbao.db
    await db.sync()
    async with db.read() as tx:
        await tx.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = zalo.h.tinbao.settings.database_path
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert len(raw) > 100_000
    assert PHOTO[4:400] not in raw and PDF[:200] not in raw
    assert named.encode() not in raw and "Nguyễn Văn Tố".encode() not in raw
    assert hashlib.sha256(PHOTO).hexdigest().encode() not in raw
    # the police group got both, whole, under the document's own name
    api = zalo.h.api
    names = [
        n
        for m in ("sendMediaGroup", "sendDocument", "sendPhoto")
        for c in api.calls_of(m, ok_only=True)
        for n in c.files.values()
    ]
    assert named in names
    assert PDF in api._file_bytes.values() and PHOTO in api._file_bytes.values()
