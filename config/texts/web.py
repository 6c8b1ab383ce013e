"""The supervisors' web page and its /web login links (issue 13)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- /web in Telegram ---------------------------------------------------------------
    "web_link": {
        "vi": "🔐 Đường dẫn đăng nhập trang web (dùng một lần, hết hạn sau {minutes} phút):\n"
        "{link}\n\nKhông chuyển tiếp đường dẫn này cho người khác.",
        "en": "🔐 Your login link to the web page (single use, expires in {minutes} "
        "{minutes:minute|minutes}):\n"
        "{link}\n\nDo not forward this link to anyone.",
    },
    "web_not_officer": {
        "vi": "Chỉ cán bộ công an đã tham gia mới đăng nhập được trang web.",
        "en": "Only officers who have joined can log in to the web page.",
    },
    "web_off": {
        "vi": "Trang web chưa được bật trên máy chủ này.",
        "en": "The web page is not enabled on this server.",
    },
    "web_limited": {
        "vi": "Bạn đã xin quá nhiều đường dẫn trong một giờ. Vui lòng thử lại sau.",
        "en": "You asked for too many links in one hour. Please try again later.",
    },
    # --- the login page's refusals ---------------------------------------------------------
    "web_refused_title": {"vi": "Không đăng nhập được", "en": "Cannot log in"},
    "web_refused_forged": {
        "vi": "Đường dẫn đăng nhập không hợp lệ. Hãy gửi /web cho bot để nhận đường dẫn mới.",
        "en": "This login link is not valid. Send /web to the bot for a new link.",
    },
    "web_refused_expired": {
        "vi": "Đường dẫn đăng nhập đã hết hạn. Hãy gửi /web cho bot để nhận đường dẫn mới.",
        "en": "This login link has expired. Send /web to the bot for a new link.",
    },
    "web_refused_used": {
        "vi": "Đường dẫn đăng nhập này đã được dùng. Hãy gửi /web cho bot để nhận đường dẫn mới.",
        "en": "This login link has already been used. Send /web to the bot for a new link.",
    },
    "web_refused_inactive": {
        "vi": "Tài khoản cán bộ này không còn hiệu lực.",
        "en": "This officer's access has been withdrawn.",
    },
    "web_login_needed": {
        "vi": "Bạn chưa đăng nhập. Gửi /web cho bot trong tin nhắn riêng để nhận đường dẫn.",
        "en": "You are not logged in. Send /web to the bot in a private chat for a link.",
    },
    "web_logged_out": {
        "vi": "Bạn đã đăng xuất.",
        "en": "You have logged out.",
    },
    # --- pages ------------------------------------------------------------------------------
    "web_title": {"vi": "Tin báo · {province}", "en": "Tips · {province}"},
    "web_overview": {"vi": "Tổng quan", "en": "Overview"},
    "web_logout": {"vi": "Đăng xuất", "en": "Log out"},
    "web_scope_province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "web_figure": {"vi": "Chỉ số", "en": "Figure"},
    "web_today": {"vi": "Hôm nay", "en": "Today"},
    "web_7_days": {"vi": "7 ngày", "en": "7 days"},
    "web_30_days": {"vi": "30 ngày", "en": "30 days"},
    "web_new_total": {"vi": "Tin báo mới", "en": "New tips"},
    "web_new_in": {"vi": "Mới · {category}", "en": "New · {category}"},
    "web_open_total": {"vi": "Đang xử lý (hiện tại)", "en": "Open (now)"},
    "web_open_in": {"vi": "Đang xử lý · {state}", "en": "Open · {state}"},
    "web_overdue_ack": {
        "vi": "Quá hạn tiếp nhận (hiện tại)",
        "en": "Overdue acknowledgement (now)",
    },
    "web_ack_median": {
        "vi": "Thời gian tiếp nhận (trung vị)",
        "en": "Time to acknowledge (median)",
    },
    "web_transfers": {"vi": "Chuyển đơn vị", "en": "Transfers"},
    "web_closed_in": {"vi": "Kết quả · {outcome}", "en": "Outcome · {outcome}"},
    "web_sightings": {"vi": "Tin về đối tượng truy nã", "en": "Wanted-person sightings"},
    "web_unit_new": {"vi": "Tin báo mới của đơn vị", "en": "New tips of the unit"},
    "web_unit_note": {
        "vi": "Đơn vị: {unit}. Các chỉ số khác theo đơn vị sẽ có trong bản sau.",
        "en": "Unit: {unit}. The other figures per unit come in a later version.",
    },
    "web_generated": {"vi": "Số liệu lúc {at}", "en": "Figures as of {at}"},
    "web_none": {"vi": "—", "en": "—"},
    # --- the tip list and a tip's details ------------------------------------------------
    "web_tips": {"vi": "Danh sách tin báo", "en": "Tips"},
    "web_tips_count": {"vi": "{n} tin báo", "en": "{n} {n:tip|tips}"},
    "web_col_code": {"vi": "Mã", "en": "Code"},
    "web_col_category": {"vi": "Loại", "en": "Category"},
    "web_col_status": {"vi": "Trạng thái", "en": "State"},
    "web_col_commune": {"vi": "Xã/phường", "en": "Commune"},
    "web_col_received": {"vi": "Tiếp nhận", "en": "Received"},
    "web_urgent": {"vi": "Khẩn", "en": "Urgent"},
    "web_all": {"vi": "Tất cả", "en": "All"},
    "web_filter": {"vi": "Lọc", "en": "Filter"},
    "web_previous": {"vi": "‹ Trang trước", "en": "‹ Previous"},
    "web_next": {"vi": "Trang sau ›", "en": "Next ›"},
    "web_page_of": {"vi": "Trang {page}/{pages}", "en": "Page {page} of {pages}"},
    "web_tip_title": {"vi": "Tin báo {code}", "en": "Tip {code}"},
    "web_description": {"vi": "Nội dung", "en": "Description"},
    "web_history": {"vi": "Lịch sử xử lý", "en": "History"},
    "web_reporter": {"vi": "người báo tin", "en": "the reporter"},
    "web_system": {"vi": "hệ thống", "en": "the system"},
    "web_not_found": {"vi": "Không tìm thấy tin báo này.", "en": "No such tip."},
}
