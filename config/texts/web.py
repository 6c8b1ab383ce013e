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
    "web_refused_cross_site": {
        "vi": "Yêu cầu đăng nhập không đến từ trang này. Hãy mở lại đường dẫn từ bot.",
        "en": "This login request did not come from this site. Open the bot's link again.",
    },
    "web_login_title": {"vi": "Đăng nhập", "en": "Log in"},
    "web_login_as": {
        "vi": "Đăng nhập với tư cách {name} ({role}, {unit}).",
        "en": "Log in as {name} ({role}, {unit}).",
    },
    "web_login_button": {"vi": "Đăng nhập", "en": "Log in"},
    "web_login_once": {
        "vi": "Đường dẫn chỉ dùng được một lần. Nếu đây không phải bạn, hãy đóng trang này.",
        "en": "The link works once. If this is not you, close this page.",
    },
    "web_brand": {"vi": "Tin báo", "en": "Tips"},
    "web_back": {"vi": "← Về trang {page}", "en": "← Back to {page}"},
    "web_page_missing_title": {"vi": "Không tìm thấy trang", "en": "Page not found"},
    "web_page_missing": {
        "vi": "Không có trang này.",
        "en": "There is no such page.",
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
    "web_urgent_new": {"vi": "Tin khẩn mới", "en": "New urgent tips"},
    "web_closed_total": {"vi": "Đã kết thúc", "en": "Closed"},
    "web_verification_over": {
        "vi": "Quá hạn xác minh 20 ngày (hiện tại)",
        "en": "Past the 20-day verification (now)",
    },
    "web_chart_daily": {
        "vi": "Tin báo mới theo ngày (30 ngày)",
        "en": "New tips per day (30 days)",
    },
    "web_compare": {
        "vi": "30 ngày qua so với 30 ngày trước đó",
        "en": "Last 30 days against the 30 before",
    },
    "web_last_30": {"vi": "30 ngày qua", "en": "Last 30 days"},
    "web_previous_30": {"vi": "30 ngày trước đó", "en": "The 30 before"},
    "web_change": {"vi": "Thay đổi", "en": "Change"},
    "web_generated": {"vi": "Số liệu lúc {at}", "en": "Figures as of {at}"},
    "web_none": {"vi": "—", "en": "—"},
    # --- the tip list and a tip's details ------------------------------------------------
    "web_tips": {"vi": "Danh sách tin báo", "en": "Tips"},
    "web_tips_count": {"vi": "{n} tin báo", "en": "{n} {n:tip|tips}"},
    "web_col_code": {"vi": "Mã", "en": "Code"},
    "web_col_category": {"vi": "Loại", "en": "Category"},
    "web_col_status": {"vi": "Trạng thái", "en": "State"},
    "web_col_commune": {"vi": "Xã/phường", "en": "Commune"},
    # the time a tip came in; not "Tiếp nhận", which is the acknowledge action
    "web_col_received": {"vi": "Nhận lúc", "en": "Received at"},
    "web_urgent": {"vi": "Khẩn", "en": "Urgent"},
    "web_all": {"vi": "Tất cả", "en": "All"},
    "web_filter": {"vi": "Lọc", "en": "Filter"},
    "web_previous": {"vi": "‹ Trang trước", "en": "‹ Previous"},
    "web_next": {"vi": "Trang sau ›", "en": "Next ›"},
    "web_page_of": {"vi": "Trang {page}/{pages}", "en": "Page {page} of {pages}"},
    "web_page_n": {"vi": "Trang {page}", "en": "Page {page}"},
    "web_tips_count_over": {"vi": "Hơn {n} tin báo", "en": "More than {n} {n:tip|tips}"},
    "web_tip_title": {"vi": "Tin báo {code}", "en": "Tip {code}"},
    "web_description": {"vi": "Nội dung", "en": "Description"},
    "web_history": {"vi": "Lịch sử xử lý", "en": "History"},
    "web_reporter": {"vi": "người báo tin", "en": "the reporter"},
    "web_system": {"vi": "hệ thống", "en": "the system"},
    "web_not_found": {"vi": "Không tìm thấy tin báo này.", "en": "No such tip."},
    # --- navigation -------------------------------------------------------------------------
    "web_menu": {"vi": "Trang", "en": "Pages"},
    "web_map": {"vi": "Bản đồ", "en": "Map"},
    "web_wanted": {"vi": "Truy nã", "en": "Wanted"},
    "web_downloads": {"vi": "Tải xuống", "en": "Downloads"},
    # --- the list's filters ----------------------------------------------------------------
    "web_from": {"vi": "Từ ngày", "en": "From"},
    "web_to": {"vi": "Đến ngày", "en": "To"},
    "web_only_urgent": {"vi": "Chỉ tin khẩn", "en": "Urgent only"},
    "web_only_overdue": {"vi": "Chỉ tin quá hạn tiếp nhận", "en": "Overdue acknowledgement only"},
    "web_overdue": {"vi": "quá hạn tiếp nhận", "en": "overdue acknowledgement"},
    "web_open_any": {"vi": "đang mở (mọi trạng thái)", "en": "open (any state)"},
    "web_clear_filters": {"vi": "Bỏ lọc", "en": "Clear filters"},
    "web_filter_summary": {"vi": "Đang lọc: {filters}", "en": "Filtered by: {filters}"},
    "web_date_range": {"vi": "từ {start} đến {end}", "en": "from {start} to {end}"},
    "web_bad_status": {
        "vi": "Trạng thái không hợp lệ: đã bỏ qua bộ lọc này.",
        "en": "Unknown state: that filter was ignored.",
    },
    "web_bad_category": {
        "vi": "Loại tin không hợp lệ: đã bỏ qua bộ lọc này.",
        "en": "Unknown category: that filter was ignored.",
    },
    "web_bad_date": {
        "vi": "Ngày «{value}» không hợp lệ (cần dạng NNNN-TT-NN): đã bỏ qua.",
        "en": "The date “{value}” is not valid (YYYY-MM-DD expected): ignored.",
    },
    "web_bad_range": {
        "vi": "Ngày kết thúc trước ngày bắt đầu: không có tin nào trong khoảng này.",
        "en": "The end date is before the start date: no tips fall in that range.",
    },
    "web_bad_commune": {
        "vi": "Không có xã/phường với mã này trong tỉnh.",
        "en": "No commune of the province has this code.",
    },
    # --- the map ------------------------------------------------------------------------------
    "web_map_label": {"vi": "{name}: {n} tin đang mở", "en": "{name}: {n} open {n:tip|tips}"},
    "web_map_quiet": {
        "vi": "{n} xã/phường không có tin (đang mở, quá hạn hay mới trong 30 ngày)",
        "en": "{n} {n:commune|communes} without tips (open, overdue or new in 30 days)",
    },
    "web_map_col_name": {"vi": "Xã/phường", "en": "Commune"},
    "web_map_col_open": {"vi": "Đang mở", "en": "Open"},
    "web_map_col_overdue": {"vi": "Quá hạn tiếp nhận", "en": "Overdue"},
    "web_map_col_new": {"vi": "Mới 30 ngày", "en": "New, 30 days"},
    "web_map_level_none": {"vi": "Không có tin quá hạn", "en": "None overdue"},
    "web_map_level_some": {"vi": "Có tin quá hạn", "en": "Some overdue"},
    "web_map_level_many": {
        "vi": "Nhiều tin quá hạn (từ 3 tin, hoặc quá nửa)",
        "en": "Many overdue (3 or more, or over half)",
    },
    "web_map_level_empty": {"vi": "Không có tin đang mở", "en": "No open tips"},
    "web_map_note": {
        "vi": "Mỗi vòng tròn là một xã/phường, đặt tại tâm theo dữ liệu hành chính chính thức;"
        " diện tích tỉ lệ với số tin đang mở. Bấm để xem danh sách tin của xã/phường đó.",
        "en": "Each circle is a commune at its official centroid; its area grows with the"
        " open tips. Click one for that commune's tips.",
    },
    # --- a tip's details ---------------------------------------------------------------------
    "web_holder": {"vi": "Đơn vị đang giữ", "en": "Held by"},
    "web_card": {"vi": "Thẻ tin báo", "en": "The card"},
    "web_clocks": {"vi": "Thời hạn", "en": "Deadlines"},
    "web_clock_ack": {"vi": "Hạn tiếp nhận", "en": "Acknowledge by"},
    "web_clock_transfer": {"vi": "Hạn chuyển tin ({hours} giờ)", "en": "Hand over ({hours} h) by"},
    "web_clock_verification": {
        "vi": "Hạn xác minh (ngày thứ {day}/{days})",
        "en": "Verify by (day {day} of {days})",
    },
    "web_clock_left": {"vi": "còn {span}", "en": "{span} left"},
    "web_clock_over": {"vi": "quá hạn {span}", "en": "overdue by {span}"},
    "web_linked": {"vi": "Tin liên quan", "en": "Linked tips"},
    "web_link_original": {
        "vi": "tin gốc (tin này trùng lặp)",
        "en": "the original (this is a duplicate)",
    },
    "web_link_sighting": {
        "vi": "cũng báo về cùng đối tượng truy nã",
        "en": "also about the same wanted person",
    },
    "web_linked_hidden": {
        "vi": "và {n} tin của đơn vị khác",
        "en": "and {n} {n:tip|tips} of other units",
    },
    "web_evidence": {"vi": "Chứng cứ", "en": "Evidence"},
    "web_no_evidence": {"vi": "Không có tệp đính kèm.", "en": "No files attached."},
    "web_evidence_note": {
        "vi": "Tệp được lưu trên Telegram, nên trang web không hiển thị ảnh thu nhỏ (trang web"
        " không tải tệp từ Telegram). Xem tệp trong nhóm tiếp nhận, ngay dưới thẻ tin báo.",
        "en": "The files are held by Telegram, so the web page shows no thumbnails (it does"
        " not download from Telegram). See them in the queue group, under the tip's card.",
    },
    "web_kind_photo": {"vi": "Ảnh", "en": "Photo"},
    "web_kind_video": {"vi": "Video", "en": "Video"},
    "web_kind_voice": {"vi": "Tin nhắn thoại", "en": "Voice message"},
    "web_kind_audio": {"vi": "Âm thanh", "en": "Audio"},
    "web_kind_document": {"vi": "Tệp tài liệu", "en": "Document"},
    "web_size_kb": {"vi": "{n} KB", "en": "{n} KB"},
    "web_size_mb": {"vi": "{n} MB", "en": "{n} MB"},
    "web_act_submitted": {"vi": "Người dân gửi tin", "en": "Filed by the citizen"},
    "web_act_routed": {"vi": "Chuyển đến nhóm tiếp nhận", "en": "Delivered to the queue"},
    "web_act_unroutable": {"vi": "Chưa có nhóm nhận tin", "en": "No chat to deliver to"},
    "web_act_acknowledged": {"vi": "Tiếp nhận", "en": "Acknowledged"},
    "web_act_ack_notified": {
        "vi": "Báo người dân đã tiếp nhận",
        "en": "Citizen told of the acknowledgement",
    },
    "web_act_taken": {"vi": "Nhận xử lý", "en": "Taken up"},
    "web_act_asked": {"vi": "Hỏi thêm người báo tin", "en": "Question to the reporter"},
    "web_act_question_sent": {"vi": "Đã gửi câu hỏi", "en": "Question sent"},
    "web_act_answered": {"vi": "Người báo tin trả lời", "en": "The reporter answered"},
    "web_act_reporter_added": {"vi": "Người báo tin bổ sung", "en": "The reporter added to it"},
    "web_act_transferred": {"vi": "Chuyển đơn vị", "en": "Transferred"},
    "web_act_closed": {"vi": "Đóng tin", "en": "Closed"},
    "web_act_reminded": {"vi": "Nhắc hạn tiếp nhận", "en": "Acknowledgement reminder"},
    "web_act_escalated": {"vi": "Báo lên cấp trên (quá hạn)", "en": "Escalated (overdue)"},
    "web_act_card_moved": {"vi": "Thẻ chuyển sang nhóm mới", "en": "Card moved to a new chat"},
    "web_act_web_view": {"vi": "Xem trên trang web", "en": "Viewed on the web page"},
    # --- wanted notices -------------------------------------------------------------------
    "web_wanted_count": {"vi": "{n} lệnh truy nã", "en": "{n} {n:notice|notices}"},
    "web_col_person": {"vi": "Đối tượng", "en": "Person"},
    "web_col_notice_state": {"vi": "Tình trạng", "en": "State"},
    "web_col_sightings": {"vi": "Tin báo nhìn thấy", "en": "Sightings"},
    "web_col_latest": {"vi": "Tin gần nhất", "en": "Latest"},
    "web_dangerous": {"vi": "Nguy hiểm", "en": "Dangerous"},
    "web_open_short": {"vi": "đang mở", "en": "open"},
    "web_notice_active": {"vi": "Đang truy nã", "en": "Wanted"},
    "web_notice_not_found": {"vi": "Không tìm thấy lệnh truy nã này.", "en": "No such notice."},
    "web_sightings_count": {"vi": "{n} tin báo", "en": "{n} {n:sighting|sightings}"},
    # --- downloads --------------------------------------------------------------------------
    "web_download_csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "web_download_xlsx": {"vi": "Tải Excel (XLSX)", "en": "Download Excel (XLSX)"},
    "web_export_note": {
        "vi": "Cùng tệp như lệnh /export của bot: mỗi dòng một tin, không có danh tính người"
        " báo tin, nội dung, địa chỉ hay toạ độ. Tối đa {days} ngày mỗi lần.",
        "en": "The same file as the bot's /export: one row per tip, without the reporter,"
        " the description, the address or coordinates. At most {days} {days:day|days} at a time.",
    },
    "web_export_bad": {
        "vi": "Khoảng ngày không hợp lệ: cần hai ngày dạng NNNN-TT-NN, cách nhau tối đa {days} ngày.",
        "en": "Not a valid period: two dates as YYYY-MM-DD, at most {days} {days:day|days} apart.",
    },
}
