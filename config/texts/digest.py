"""Digests, deadline reminders, reports and exports: what supervisors and commune police
read about the province's tips as a whole (and the column headings of the files they get).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- durations and marks ---------------------------------------------------------------
    "n_days": {"vi": "{n} ngày", "en": "{n} d"},
    "n_hours": {"vi": "{n} giờ", "en": "{n} h"},
    "n_minutes": {"vi": "{n} phút", "en": "{n} min"},
    "urgent_mark": {"vi": " ⚠️ KHẨN", "en": " ⚠️ URGENT"},
    "more": {"vi": "+{n} khác", "en": "+{n} more"},
    "reporters": {"vi": "người báo tin", "en": "reporters"},
    # --- states and outcomes -------------------------------------------------------------
    "st_new": {"vi": "mới", "en": "new"},
    "st_acknowledged": {"vi": "đã tiếp nhận", "en": "acknowledged"},
    "st_in_progress": {"vi": "đang xử lý", "en": "in progress"},
    "st_transferred": {"vi": "đã chuyển (chờ tiếp nhận)", "en": "transferred (awaiting ack)"},
    "st_needs_info": {"vi": "chờ bổ sung", "en": "waiting for reporter"},
    "st_closed": {"vi": "đã kết thúc", "en": "closed"},
    "oc_resolved": {"vi": "đã giải quyết", "en": "resolved"},
    "oc_forwarded": {"vi": "chuyển Cơ quan điều tra", "en": "forwarded to investigators"},
    "oc_unfounded": {"vi": "không có cơ sở", "en": "unfounded"},
    "oc_duplicate": {"vi": "trùng lặp", "en": "duplicate"},
    "oc_spam": {"vi": "tin rác", "en": "spam"},
    # --- deadline clocks on a tip card ---------------------------------------------------
    "clock_ack": {
        "vi": "⏱ Hạn tiếp nhận ({limit}): {due}",
        "en": "⏱ Acknowledge ({limit}) by {due}",
    },
    "clock_transfer": {
        "vi": "🔁 Hạn chuyển tin ({limit}): {due}",
        "en": "🔁 Hand over ({limit}) by {due}",
    },
    "clock_verification": {
        "vi": "📅 Hạn xác minh: {due} (ngày thứ {day}/{days})",
        "en": "📅 Verify by {due} (day {day} of {days})",
    },
    "clock_left": {"vi": "còn {span}", "en": "{span} left"},
    "clock_over": {"vi": "đã quá hạn {span}", "en": "overdue by {span}"},
    "clock_met": {"vi": "đúng hạn", "en": "on time"},
    "clock_late": {"vi": "trễ {span}", "en": "late by {span}"},
    # --- the acknowledgement ladder ------------------------------------------------------
    "reminder": {
        "vi": (
            "⏰ Nhắc việc: tin báo {code}{urgent} ({category}) nhận lúc {received} "
            "chưa được tiếp nhận sau {waited} (hạn {limit}). "
            "Đề nghị bấm «✅ Tiếp nhận» trên thẻ tin báo."
        ),
        "en": (
            "⏰ Reminder: tip {code}{urgent} ({category}) received at {received} "
            "has not been acknowledged after {waited} (limit {limit}). "
            "Please press «✅ Acknowledge» on its card."
        ),
    },
    "escalation": {
        "vi": (
            "🚨 Chậm tiếp nhận: tin báo {code}{urgent} ({category}) của {unit}, nhận lúc "
            "{received}, đã chờ {waited} mà chưa được tiếp nhận (hạn {limit})."
        ),
        "en": (
            "🚨 Not acknowledged: tip {code}{urgent} ({category}) at {unit}, received at "
            "{received}, has waited {waited} (limit {limit})."
        ),
    },
    # --- digests -------------------------------------------------------------------------
    "d_title_daily": {
        "vi": "📊 Tin báo ngày {date} — {province}",
        "en": "📊 Tips on {date} — {province}",
    },
    "d_title_weekly": {
        "vi": "📊 Tin báo tuần {start} – {end} — {province}",
        "en": "📊 Tips, week {start} – {end} — {province}",
    },
    "d_title_monthly": {
        "vi": "📊 Tin báo tháng {month} — {province}",
        "en": "📊 Tips in {month} — {province}",
    },
    "d_new": {
        "vi": "🆕 Tin mới: {n} (khẩn: {urgent})",
        "en": "🆕 New tips: {n} (urgent: {urgent})",
    },
    "d_by_category": {"vi": "• Theo loại: {items}", "en": "• By category: {items}"},
    "d_by_unit": {"vi": "• Theo xã/phường: {items}", "en": "• By commune: {items}"},
    "d_urgent": {"vi": "⚠️ Tin khẩn:", "en": "⚠️ Urgent tips:"},
    "d_tip_line": {"vi": "• {code} {unit}, {category}", "en": "• {code} {unit}, {category}"},
    "d_open": {"vi": "📂 Đang mở: {n}", "en": "📂 Open: {n}"},
    "d_overdue": {"vi": "⏰ Quá hạn tiếp nhận: {n}", "en": "⏰ Past acknowledgement deadline: {n}"},
    "d_overdue_line": {"vi": "• {code} {unit}, chờ {age}", "en": "• {code} {unit}, waiting {age}"},
    "d_ack_times": {
        "vi": "⏱ Thời gian tiếp nhận: trung vị {median}, 90% trong {p90} ({n} tin)",
        "en": "⏱ Time to acknowledge: median {median}, 90% within {p90} ({n} {n:tip|tips})",
    },
    "d_ack_none": {
        "vi": "⏱ Không có tin nào được tiếp nhận trong kỳ.",
        "en": "⏱ No tip was acknowledged in the period.",
    },
    "d_transfers": {"vi": "🔁 Chuyển đơn vị: {n}", "en": "🔁 Transfers: {n}"},
    "d_closed": {"vi": "✅ Đã kết thúc: {n}", "en": "✅ Closed: {n}"},
    "d_verification": {
        "vi": "📅 Hạn xác minh {days} ngày: sắp hết hạn {warn}, quá hạn {over}",
        "en": "📅 {days}-day verification: due soon {warn}, overdue {over}",
    },
    "d_verification_line": {
        "vi": "• {code} {unit}, ngày thứ {day}",
        "en": "• {code} {unit}, day {day}",
    },
    "d_unrouted": {
        "vi": "📭 Tin báo chưa tới nhóm nào: {n} ({items}) — hãy gắn nhóm trực ban",
        "en": "📭 Tips no police chat received: {n} ({items}) — bind a duty group",
    },
    "d_no_queue": {
        "vi": "📡 Chưa gắn nhóm tiếp nhận: {n} ({items})",
        "en": "📡 No queue chat bound: {n} ({items})",
    },
    "d_failed": {"vi": "❗ Gửi tin thất bại: {items}", "en": "❗ Failed deliveries: {items}"},
    # the movement's figures on wanted persons: sightings received, notices withdrawn
    # because the person was arrested or gave himself up, and the list still out
    "wanted_line": {
        "vi": (
            "🔎 Truy nã: {sightings} tin báo nhìn thấy{people}; "
            "bắt {arrested}, đầu thú {surrendered} (nguy hiểm: {dangerous}){cancelled}; "
            "còn {active} lệnh đang truy nã ({active_dangerous} nguy hiểm)"
        ),
        "en": (
            "🔎 Wanted: {sightings} {sightings:sighting|sightings}{people}; "
            "arrested {arrested}, surrendered {surrendered} (dangerous: {dangerous}){cancelled}; "
            "{active} {active:notice|notices} still active ({active_dangerous} dangerous)"
        ),
    },
    "wanted_people": {"vi": " ({n} đối tượng)", "en": " ({n} {n:person|people})"},
    "wanted_cancelled": {"vi": "; hủy {n} lệnh", "en": "; {n} cancelled"},
    "d_attached": {
        "vi": "📎 Danh sách đầy đủ trong tệp đính kèm.",
        "en": "📎 The full list is in the attached file.",
    },
    "d_file_caption": {"vi": "📎 Danh sách đầy đủ — {title}", "en": "📎 Full list — {title}"},
    "d_chart_caption": {
        "vi": "📈 Tin báo theo ngày và loại, {start} – {end}",
        "en": "📈 Tips per day by category, {start} – {end}",
    },
    "d_ack_chart_caption": {
        "vi": "📈 Thời gian tiếp nhận theo đơn vị, tháng {month}",
        "en": "📈 Time to acknowledge by unit, {month}",
    },
    # --- the morning list of one commune queue -------------------------------------------
    "u_title": {
        "vi": "🌅 Tin báo đang mở của {unit} — {date}",
        "en": "🌅 Open tips of {unit} — {date}",
    },
    "u_line": {
        "vi": "{i}. {code} · {category} · {status} · nhận {received} (ngày {day}){flags}",
        "en": "{i}. {code} · {category} · {status} · received {received} (day {day}){flags}",
    },
    "u_legend": {
        "vi": "⏰ quá hạn tiếp nhận · 📅 sắp hết hạn xác minh · 🔴 quá hạn xác minh",
        "en": "⏰ past acknowledgement deadline · 📅 verification due soon · 🔴 verification overdue",
    },
    # --- the full-list file of a digest --------------------------------------------------
    "col_section": {"vi": "Mục", "en": "Section"},
    "col_code": {"vi": "Mã tin báo", "en": "Receipt code"},
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "col_category": {"vi": "Loại tin", "en": "Category"},
    "col_urgent": {"vi": "Khẩn", "en": "Urgent"},
    "col_status": {"vi": "Trạng thái", "en": "Status"},
    "col_received": {"vi": "Thời điểm nhận", "en": "Received"},
    "col_waited_hours": {"vi": "Đã chờ (giờ)", "en": "Waited (hours)"},
    "col_day": {"vi": "Ngày xác minh", "en": "Verification day"},
    "col_count": {"vi": "Số lượng", "en": "Count"},
    "sec_urgent": {"vi": "Tin khẩn", "en": "Urgent"},
    "sec_unrouted": {"vi": "Chưa tới nhóm nào", "en": "No police chat received it"},
    "sec_overdue": {"vi": "Quá hạn tiếp nhận", "en": "Past acknowledgement deadline"},
    "sec_verification_warn": {"vi": "Sắp hết hạn xác minh", "en": "Verification due soon"},
    "sec_verification_over": {"vi": "Quá hạn xác minh", "en": "Verification overdue"},
    "sec_by_unit": {"vi": "Tin mới theo xã/phường", "en": "New tips by commune"},
    "sec_no_queue": {"vi": "Chưa gắn nhóm tiếp nhận", "en": "No queue chat"},
    "sec_failed": {"vi": "Gửi tin thất bại", "en": "Failed deliveries"},
    # --- charts --------------------------------------------------------------------------
    "chart_per_day": {"vi": "Tin báo theo ngày và loại", "en": "Tips per day by category"},
    "chart_tips": {"vi": "Số tin báo", "en": "Tips"},
    "chart_ack": {
        "vi": "Thời gian tiếp nhận theo đơn vị (giờ)",
        "en": "Time to acknowledge by unit (hours)",
    },
    "chart_median": {"vi": "Trung vị", "en": "Median"},
    "chart_p90": {"vi": "90%", "en": "90th percentile"},
    "chart_empty": {"vi": "Không có số liệu", "en": "No data"},
    # --- /report -------------------------------------------------------------------------
    "r_title_month": {"vi": "📘 Báo cáo tháng {label}", "en": "📘 Report for {label}"},
    "r_title_quarter": {"vi": "📘 Báo cáo quý {label}", "en": "📘 Report for Q{label}"},
    "r_title_year": {"vi": "📘 Báo cáo năm {label}", "en": "📘 Report for {label}"},
    "r_subtitle": {
        "vi": "{province} · số liệu đến {at}",
        "en": "{province} · figures as of {at}",
    },
    "r_received": {
        "vi": "Tiếp nhận {n} tin báo, tố giác về tội phạm (khẩn: {urgent}):",
        "en": "{n} {n:tip|tips} received (urgent: {urgent}):",
    },
    "r_category_line": {"vi": "• {label}: {n}", "en": "• {label}: {n}"},
    "r_wanted_acted": {
        "vi": "• Tin báo nhìn thấy đã giải quyết hoặc chuyển Cơ quan điều tra: {acted}/{n}",
        "en": "• Sightings resolved or forwarded: {acted} of {n}",
    },
    "r_ack": {
        "vi": "⏱ Tiếp nhận trong hạn: {pct} ({within}/{measured} tin)",
        "en": "⏱ Acknowledged within the deadline: {pct} ({within} of {measured})",
    },
    "r_ack_none": {
        "vi": "⏱ Chưa có tin nào đến hạn tiếp nhận.",
        "en": "⏱ No tip has reached its acknowledgement deadline yet.",
    },
    "r_forwarded": {
        "vi": "📤 Chuyển Cơ quan điều tra: {n}",
        "en": "📤 Forwarded to the investigation agency: {n}",
    },
    "r_outcomes": {"vi": "✅ Đã kết thúc: {n} — {items}", "en": "✅ Closed: {n} — {items}"},
    "r_open": {"vi": "📂 Còn đang xử lý: {n}", "en": "📂 Still open: {n}"},
    "r_transfers": {
        "vi": "🔁 Chuyển cho đơn vị khác: {n} tin",
        "en": "🔁 Transferred to another unit: {n}",
    },
    "r_units": {
        "vi": "🏘 {n} xã/phường có tin báo; nhiều nhất: {items}",
        "en": "🏘 {n} {n:commune|communes} with tips; most: {items}",
    },
    "r_usage": {
        "vi": (
            "Cách dùng: /report month|quarter|year [kỳ]\n"
            "Ví dụ: /report month 2026-10 · /report quarter 2026-Q3 · /report year 2025\n"
            "Không ghi kỳ: kỳ hiện tại, tính đến nay."
        ),
        "en": (
            "Usage: /report month|quarter|year [period]\n"
            "Examples: /report month 2026-10 · /report quarter 2026-Q3 · /report year 2025\n"
            "Without a period: the current one, to date."
        ),
    },
    # --- exports -------------------------------------------------------------------------
    "x_sheet": {"vi": "Tin báo", "en": "Tips"},
    "x_code": {"vi": "Mã tin báo", "en": "Receipt code"},
    "x_received": {"vi": "Thời điểm nhận", "en": "Received"},
    "x_category": {"vi": "Loại tin", "en": "Category"},
    "x_urgent": {"vi": "Khẩn", "en": "Urgent"},
    "x_place_unit": {"vi": "Xã/phường nơi xảy ra", "en": "Commune of the place"},
    "x_current_unit": {"vi": "Đơn vị đang giữ", "en": "Unit holding it"},
    "x_status": {"vi": "Trạng thái", "en": "Status"},
    "x_outcome": {"vi": "Kết quả", "en": "Outcome"},
    "x_acknowledged": {"vi": "Thời điểm tiếp nhận", "en": "Acknowledged"},
    "x_ack_minutes": {"vi": "Thời gian tiếp nhận (phút)", "en": "Time to acknowledge (min)"},
    "x_closed": {"vi": "Thời điểm kết thúc", "en": "Closed"},
    "x_transfers": {"vi": "Số lần chuyển", "en": "Transfers"},
    "x_attachments": {"vi": "Số tệp chứng cứ", "en": "Evidence files"},
    "x_verification_day": {"vi": "Ngày xác minh", "en": "Verification day"},
    "x_caption": {
        "vi": "📎 Danh sách tin báo {start} – {end} ({n} tin)",
        "en": "📎 Tips {start} – {end} ({n} {n:tip|tips})",
    },
}
