"""The web page's downloads: the very file ``/export`` sends (same bytes for the same
period and scope), a unit's own tips for its officers, each download audited, and bad
periods refused in words."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from storage import officers, web_audit
from tests.harness import file_tip
from tests.police import setup_unit
from tests.web import Web, get, logged_in, telegram_file, web_harness

SUPERVISOR_USER = 503


async def audit(web: Web, user_id: int) -> list[web_audit.AuditEntry]:
    async with web.h.tinbao.db.read() as tx:
        officer = await officers.find_active(tx, user_id)
        assert officer is not None
        return await web_audit.entries(tx, officer.id)


async def test_the_csv_is_the_bytes_export_sends(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        first = await file_tip(web.h.citizen())
        await file_tip(web.h.citizen(1002, "Bình"), place="kim bang", choose="Kim Bảng")
        today = web.h.clock().astimezone(web.h.tinbao.settings.tz).date()
        start = today - timedelta(days=6)
        sup = web.h.officer(SUPERVISOR_USER, "Sơn")
        await sup.says(f"/export {start:%d/%m/%Y} {today:%d/%m/%Y} csv")
        await web.h.flush()
        sent = [m for m in web.h.api.sent_to(sup.chat_id) if "document" in m]
        assert sent, "no file from /export"
        from_bot = await telegram_file(web.h, sent[-1]["document"]["file_id"])
        async with web.client() as browser:
            await logged_in(web, browser, sup)
            async with browser.get(
                f"{web.base}/export.csv?from={start.isoformat()}&to={today.isoformat()}"
            ) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/csv")
                disposition = response.headers["Content-Disposition"]
                from_web = await response.read()
            assert from_web == from_bot
            assert f"tinbao_{start:%Y%m%d}_{today:%Y%m%d}.csv" in disposition
            rows = list(csv.reader(io.StringIO(from_web.decode("utf-8-sig"))))
            assert len(rows) == 3 and first in {r[0] for r in rows}
            assert "Lan" not in from_web.decode("utf-8-sig")  # never the reporter
            async with browser.get(f"{web.base}/export.xlsx") as response:
                assert response.status == 200
                assert (await response.read())[:2] == b"PK"  # a zip: an XLSX workbook
        entries = await audit(web, SUPERVISOR_USER)
        assert [e.action for e in entries] == ["export", "export"]
        assert entries[0].detail.startswith(f"csv {start.isoformat()}..{today.isoformat()}")
        assert "province" in entries[0].detail and "rows=2" in entries[0].detail


async def test_a_unit_lead_downloads_the_units_tips_only(tmp_path: Path) -> None:
    async with web_harness(tmp_path) as web:
        await setup_unit(web.h)
        mine = await file_tip(web.h.citizen())
        await file_tip(web.h.citizen(1002, "Bình"), place="kim bang", choose="Kim Bảng")
        lead = web.h.officer(501, "Hùng")
        async with web.client() as browser:
            await logged_in(web, browser, lead)
            status, page = await get(web, browser, "/export")
            assert status == 200 and 'action="/export.csv"' in page
            async with browser.get(f"{web.base}/export.csv") as response:
                data = (await response.read()).decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(data)))
            assert [r[0] for r in rows[1:]] == [mine]
            for query in ("from=2026-02-30", "from=1900-01-01", "from=2026-01-01&to=2027-06-01"):
                status, page = await get(web, browser, "/export.csv?" + query)
                assert status == 400 and "Khoảng ngày không hợp lệ" in page
        entries = await audit(web, 501)
        assert len(entries) == 1 and "unit=" in entries[0].detail
