"""What a citizen reads: the menu and help, the tip dialogue step by step, the receipt and
status lookup, refusals, the notifications about their tip, and a wanted person's sighting.

Neutral and respectful wording: a citizen who reports is protected, never told more than
the public status of the tip, and reminded of 113 where lives may be at risk.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- menu and help -------------------------------------------------------------------
    "welcome": {
        "vi": (
            "Xin chào! Đây là kênh tiếp nhận tin báo, tố giác tội phạm của Công an tỉnh {province}.\n\n"
            "Bạn có thể báo tin mà không cần nêu tên. Mỗi tin báo được cấp một mã để theo dõi.\n\n"
            "☎️ Trường hợp khẩn cấp, nguy hiểm đến tính mạng: gọi ngay 113."
        ),
        "en": (
            "Hello! This is the tip line of the {province} provincial police for reporting crimes.\n\n"
            "You can report without giving your name. Every tip gets a code to follow it up.\n\n"
            "☎️ In an emergency, when lives are at risk: call 113 now."
        ),
    },
    "btn_report": {"vi": "📝 Báo tin", "en": "📝 Report a tip"},
    "btn_wanted": {"vi": "🔎 Báo tin về người bị truy nã", "en": "🔎 Report a wanted person"},
    "btn_status": {"vi": "📄 Tra cứu tin báo", "en": "📄 Check a tip's status"},
    "btn_help": {"vi": "❓ Hướng dẫn", "en": "❓ Help"},
    "btn_language": {"vi": "🌐 English", "en": "🌐 Tiếng Việt"},
    "help": {
        "vi": (
            "Hướng dẫn sử dụng:\n"
            "• /baotin hoặc nút «Báo tin»: gửi tin báo từng bước (khoảng 2 phút).\n"
            "• /status <mã>: xem tình trạng tin báo bằng mã đã nhận.\n"
            "• /cancel: hủy thao tác đang làm.\n"
            "• /language: đổi ngôn ngữ (Tiếng Việt / English).\n\n"
            "Bạn được ẩn danh theo mặc định. Công an không thấy tài khoản Telegram của bạn; "
            "chỉ khi bạn tự chia sẻ số điện thoại thì cán bộ mới có thể liên hệ.\n"
            "☎️ Khẩn cấp: gọi 113."
        ),
        "en": (
            "How to use:\n"
            "• /report or the «Report a tip» button: send a tip step by step (about 2 minutes).\n"
            "• /status <code>: see a tip's status with the code you received.\n"
            "• /cancel: cancel what you are doing.\n"
            "• /language: change language (Tiếng Việt / English).\n\n"
            "You are anonymous by default. The police do not see your Telegram account; "
            "only if you share your phone number can an officer contact you.\n"
            "☎️ Emergency: call 113."
        ),
    },
    # the bot's command menu (setMyCommands), per language
    "cmd_start": {"vi": "Bắt đầu", "en": "Start"},
    "cmd_report": {"vi": "Báo tin", "en": "Report a tip"},
    "cmd_status": {"vi": "Tra cứu tin báo", "en": "Check a tip"},
    "cmd_help": {"vi": "Hướng dẫn", "en": "Help"},
    "cmd_language": {"vi": "Đổi ngôn ngữ", "en": "Language"},
    "cmd_cancel": {"vi": "Hủy", "en": "Cancel"},
    "language_pick": {"vi": "Chọn ngôn ngữ:", "en": "Choose a language:"},
    "language_set": {"vi": "Đã chuyển sang Tiếng Việt.", "en": "Language set to English."},
    "cancelled": {
        "vi": "Đã hủy. Tin báo chưa được gửi và không có gì được lưu.",
        "en": "Cancelled. The tip was not sent and nothing was kept.",
    },
    "nothing_to_cancel": {"vi": "Không có thao tác nào để hủy.", "en": "Nothing to cancel."},
    "resume_or_restart": {
        "vi": "Bạn đang có một tin báo chưa gửi. Tiếp tục hay bắt đầu lại?",
        "en": "You have a tip that was not sent yet. Continue it or start again?",
    },
    "btn_continue": {"vi": "▶️ Tiếp tục", "en": "▶️ Continue"},
    "btn_restart": {"vi": "🔄 Bắt đầu lại", "en": "🔄 Start again"},
    "btn_cancel": {"vi": "❌ Hủy", "en": "❌ Cancel"},
    "btn_skip": {"vi": "⏭ Bỏ qua", "en": "⏭ Skip"},
    "btn_back": {"vi": "⬅️ Quay lại", "en": "⬅️ Back"},
    "btn_menu": {"vi": "🏠 Về đầu", "en": "🏠 Main menu"},
    # --- steps ---------------------------------------------------------------------------
    "ask_category": {
        "vi": "Bước 1/7. Bạn muốn báo tin về việc gì?",
        "en": "Step 1/7. What is your tip about?",
    },
    "ask_urgent": {
        "vi": "Bước 2/7. Sự việc có đang xảy ra ngay lúc này không?",
        "en": "Step 2/7. Is it happening right now?",
    },
    "btn_urgent_yes": {"vi": "⚠️ Đang xảy ra", "en": "⚠️ Happening now"},
    "btn_urgent_no": {"vi": "Không, đã xảy ra rồi", "en": "No, it already happened"},
    "call_113": {
        "vi": (
            "☎️ HÃY GỌI NGAY 113 nếu có người gặp nguy hiểm.\n"
            "Tin báo này được đánh dấu KHẨN và chuyển ngay cho công an. Hãy giữ an toàn, "
            "không tự mình can thiệp."
        ),
        "en": (
            "☎️ CALL 113 NOW if anyone is in danger.\n"
            "This tip is marked URGENT and goes to the police at once. Stay safe and "
            "do not intervene yourself."
        ),
    },
    "ask_place": {
        "vi": (
            "Bước 3/7. Sự việc xảy ra ở xã/phường nào?\n"
            "Gõ tên xã/phường (có dấu hay không dấu đều được, tên cũ trước 2025 cũng được), "
            "hoặc bấm «📍 Gửi vị trí»."
        ),
        "en": (
            "Step 3/7. In which commune or ward did it happen?\n"
            "Type its name (with or without accents; a pre-2025 name works too), "
            "or press «📍 Send location»."
        ),
    },
    "btn_send_location": {"vi": "📍 Gửi vị trí", "en": "📍 Send location"},
    "place_matches": {
        "vi": "Chọn đúng xã/phường (hoặc gõ lại tên khác):",
        "en": "Pick the right commune or ward (or type another name):",
    },
    "place_old_name": {"vi": "{old} → nay là {new}", "en": "{old} → now {new}"},
    "place_none": {
        "vi": (
            "Không tìm thấy xã/phường nào khớp với «{query}» trong tỉnh {province}. "
            "Hãy thử gõ tên khác, tên cũ, hoặc bấm «📍 Gửi vị trí»."
        ),
        "en": (
            "No commune or ward in {province} matches «{query}». "
            "Try another spelling, its former name, or press «📍 Send location»."
        ),
    },
    "place_confirm": {
        "vi": "Vị trí bạn gửi gần {unit} nhất (khoảng {km} km). Đúng không?",
        "en": "The location you sent is nearest to {unit} (about {km} km). Is that right?",
    },
    "place_outside": {
        "vi": "Vị trí này nằm ngoài tỉnh {province}. Hãy gõ tên xã/phường nơi xảy ra sự việc.",
        "en": "That location is outside {province}. Please type the commune or ward name.",
    },
    "btn_yes": {"vi": "✅ Đúng", "en": "✅ Yes"},
    "btn_no_type": {"vi": "✏️ Không, tôi gõ tên", "en": "✏️ No, I'll type it"},
    "btn_search_again": {"vi": "🔍 Tìm lại", "en": "🔍 Search again"},
    "place_chosen": {"vi": "📍 Địa điểm: {unit}", "en": "📍 Place: {unit}"},
    "ask_address": {
        "vi": (
            "Bước 4/7. Địa chỉ cụ thể hoặc mốc dễ nhận biết (thôn, đường, gần chợ, trường...). "
            "Không bắt buộc."
        ),
        "en": (
            "Step 4/7. The exact address or a landmark (hamlet, street, near a market, "
            "school...). Optional."
        ),
    },
    "ask_when": {"vi": "Bước 5/7. Sự việc xảy ra khi nào?", "en": "Step 5/7. When did it happen?"},
    "btn_when_now": {"vi": "Ngay bây giờ", "en": "Right now"},
    "btn_when_today": {"vi": "Hôm nay", "en": "Today"},
    "btn_when_earlier": {"vi": "Trước hôm nay", "en": "Before today"},
    "ask_when_note": {
        "vi": "Khoảng lúc nào? Ví dụ: «khoảng 21 giờ», «tối 25/11», «3 ngày trước». Không bắt buộc.",
        "en": "Roughly when? For example «around 9 pm», «evening of 25/11», «3 days ago». Optional.",
    },
    "ask_description": {
        "vi": (
            "Bước 6/7. Hãy mô tả sự việc: ai, làm gì, đặc điểm nhận dạng, phương tiện, "
            "biển số (nếu có). Từ {min} đến {max} ký tự."
        ),
        "en": (
            "Step 6/7. Describe what happened: who, doing what, how they look, vehicles, "
            "number plates (if any). {min} to {max} {max:character|characters}."
        ),
    },
    "ask_evidence": {
        "vi": (
            "Bước 7/7. Gửi ảnh, video, ghi âm hoặc tài liệu làm bằng chứng (tối đa {count} tệp, "
            "mỗi tệp tối đa {mb} MB), rồi bấm «Xong». Không có thì bấm «Bỏ qua»."
        ),
        "en": (
            "Step 7/7. Send photos, videos, voice notes or documents as evidence (up to {count} "
            "{count:file|files}, {mb} MB each), then press «Done». None? Press «Skip»."
        ),
    },
    "btn_done": {"vi": "✅ Xong", "en": "✅ Done"},
    "evidence_received": {
        "vi": "Đã nhận {n}/{count} tệp. Gửi thêm hoặc bấm «Xong».",
        "en": "Received {n}/{count} {count:file|files}. Send more or press «Done».",
    },
    "ask_identity": {
        "vi": (
            "Bạn muốn ẩn danh hay để lại số điện thoại để công an liên hệ khi cần?\n"
            "Dù chọn cách nào, công an cũng không thấy tài khoản Telegram của bạn."
        ),
        "en": (
            "Do you want to stay anonymous, or leave your phone number so the police can "
            "contact you?\nEither way, the police never see your Telegram account."
        ),
    },
    "btn_anonymous": {"vi": "🕶 Ẩn danh (khuyên dùng)", "en": "🕶 Stay anonymous (recommended)"},
    "btn_contactable": {"vi": "📞 Để lại số điện thoại", "en": "📞 Leave my phone number"},
    "ask_phone": {
        "vi": "Bấm nút «📞 Chia sẻ số điện thoại» bên dưới. Số chỉ được dùng để liên hệ về tin báo này.",
        "en": "Press «📞 Share my phone number» below. It is used only to contact you about this tip.",
    },
    "btn_share_phone": {"vi": "📞 Chia sẻ số điện thoại", "en": "📞 Share my phone number"},
    "phone_received": {"vi": "Đã nhận số điện thoại.", "en": "Phone number received."},
    "review": {
        "vi": (
            "Kiểm tra lại tin báo trước khi gửi:\n\n"
            "{wanted}Loại: {category}\nKhẩn cấp: {urgent}\nĐịa điểm: {unit}\nĐịa chỉ/mốc: {address}\n"
            "Thời gian: {when}\nNội dung: {description}\nBằng chứng: {evidence} tệp\n"
            "Danh tính: {identity}"
        ),
        "en": (
            "Check your tip before sending:\n\n"
            "{wanted}Type: {category}\nUrgent: {urgent}\nPlace: {unit}\nAddress/landmark: {address}\n"
            "When: {when}\nWhat happened: {description}\nEvidence: {evidence} {evidence:file|files}\n"
            "Identity: {identity}"
        ),
    },
    "none": {"vi": "(không có)", "en": "(none)"},
    "identity_anonymous": {"vi": "Ẩn danh", "en": "Anonymous"},
    "identity_phone": {"vi": "Để lại số điện thoại {phone}", "en": "Contactable at {phone}"},
    "when_now": {"vi": "Đang xảy ra", "en": "Happening now"},
    "when_today": {"vi": "Hôm nay", "en": "Today"},
    "when_earlier": {"vi": "Trước hôm nay", "en": "Before today"},
    "btn_submit": {"vi": "✅ Gửi tin báo", "en": "✅ Send the tip"},
    "btn_edit": {"vi": "✏️ Sửa", "en": "✏️ Edit"},
    "edit_pick": {"vi": "Bạn muốn sửa phần nào?", "en": "Which part do you want to change?"},
    "field_category": {"vi": "Loại tin", "en": "Type"},
    "field_urgent": {"vi": "Khẩn cấp", "en": "Urgency"},
    "field_place": {"vi": "Địa điểm", "en": "Place"},
    "field_address": {"vi": "Địa chỉ/mốc", "en": "Address"},
    "field_when": {"vi": "Thời gian", "en": "When"},
    "field_description": {"vi": "Nội dung", "en": "What happened"},
    "field_evidence": {"vi": "Bằng chứng", "en": "Evidence"},
    "field_identity": {"vi": "Danh tính", "en": "Identity"},
    "receipt": {
        "vi": (
            "✅ Tin báo đã được ghi nhận an toàn.\n\n"
            "Mã tin báo của bạn: {code}\n\n"
            "Hãy lưu lại mã này để tra cứu (/status {code}) hoặc bổ sung thông tin. "
            "{routing} Công an sẽ xem xét và có thể hỏi thêm bạn "
            "qua cuộc trò chuyện này, danh tính của bạn vẫn được giữ kín.\n"
            "Cảm ơn bạn đã chung tay giữ gìn an ninh, trật tự."
        ),
        "en": (
            "✅ Your tip is safely recorded.\n\n"
            "Your tip code: {code}\n\n"
            "Keep this code to check the status (/status {code}) or add information. "
            "{routing} The police will look into it and may ask you more "
            "in this chat; your identity stays protected.\n"
            "Thank you for helping keep our community safe."
        ),
    },
    # what the receipt says about where the tip is: only what is true at the commit
    "receipt_routed": {
        "vi": "Tin báo đã được chuyển tới {unit}.",
        "en": "The tip has gone to {unit}.",
    },
    "receipt_waiting": {
        "vi": "Tin báo đã được lưu và đang chờ phân công cho đơn vị công an xử lý.",
        "en": "The tip is stored and waiting to be assigned to a police unit.",
    },
    # --- status --------------------------------------------------------------------------
    "ask_code": {
        "vi": "Gõ mã tin báo (12 ký tự, ví dụ 7Q2K-M9XD-TR4C):",
        "en": "Type the tip code (12 characters, e.g. 7Q2K-M9XD-TR4C):",
    },
    "code_malformed": {
        "vi": "Mã «{code}» không đúng dạng. Mã gồm 12 ký tự chữ và số, ví dụ 7Q2K-M9XD-TR4C. Hãy kiểm tra lại.",
        "en": "«{code}» is not a valid code. A code has 12 letters and digits, e.g. 7Q2K-M9XD-TR4C. Please check it.",
    },
    "code_unknown": {
        "vi": "Không tìm thấy tin báo nào có mã {code}.",
        "en": "No tip has the code {code}.",
    },
    "status_limited": {
        "vi": "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "en": "Too many lookups. Please try again in a few minutes.",
    },
    "status_card": {
        "vi": "Tin báo {code}\nLoại: {category}\nGửi lúc: {created}\nTình trạng: {status}\nCập nhật gần nhất: {last}",
        "en": "Tip {code}\nType: {category}\nSent: {created}\nStatus: {status}\nLast update: {last}",
    },
    "status_new": {
        "vi": "Đã tiếp nhận vào hệ thống, chờ công an xem xét",
        "en": "Received, waiting for the police",
    },
    "status_acknowledged": {"vi": "Công an đã tiếp nhận", "en": "Acknowledged by the police"},
    "status_in_progress": {"vi": "Đang được xác minh, xử lý", "en": "Being verified and handled"},
    "status_needs_info": {
        "vi": "Công an cần bạn bổ sung thông tin",
        "en": "The police need more information from you",
    },
    "status_transferred": {
        "vi": "Đã chuyển đơn vị có thẩm quyền",
        "en": "Passed to the competent unit",
    },
    "status_closed": {"vi": "Đã xử lý xong", "en": "Handled and closed"},
    # --- refusals ------------------------------------------------------------------------
    "private_only": {
        "vi": "Để bảo vệ bạn, hãy báo tin trong cuộc trò chuyện riêng với bot, không báo trong nhóm.",
        "en": "To protect you, please report in a private chat with the bot, not in a group.",
    },
    "unknown_command": {
        "vi": "Lệnh không hợp lệ. Gõ /help để xem hướng dẫn.",
        "en": "Unknown command. Type /help for help.",
    },
    "use_buttons": {
        "vi": "Vui lòng chọn một trong các nút bên dưới.",
        "en": "Please choose one of the buttons below.",
    },
    "stale_button": {
        "vi": "Nút này đã cũ, không còn dùng được.",
        "en": "This button is out of date.",
    },
    "too_short": {
        "vi": "Nội dung quá ngắn ({n} ký tự). Hãy mô tả ít nhất {min} ký tự.",
        "en": "Too short ({n} {n:character|characters}). Please write at least {min} {min:character|characters}.",
    },
    "too_long": {
        "vi": "Nội dung quá dài ({n} ký tự, tối đa {max}). Hãy rút gọn rồi gửi lại.",
        "en": "Too long ({n} {n:character|characters}, at most {max}). Please shorten it and send again.",
    },
    "expect_text": {
        "vi": "Ở bước này, hãy gửi nội dung bằng chữ.",
        "en": "At this step, please send text.",
    },
    "unsupported_file": {
        "vi": "Loại tệp này không được nhận ({kind}). Chỉ nhận ảnh, video, ghi âm và tài liệu PDF/ảnh.",
        "en": "This kind of file is not accepted ({kind}). Only photos, videos, voice notes and PDF/image documents.",
    },
    "file_too_big": {
        "vi": "Tệp quá lớn ({mb} MB, tối đa {max} MB).",
        "en": "The file is too big ({mb} MB, at most {max} MB).",
    },
    "too_many_files": {
        "vi": "Đã đủ {count} tệp, không nhận thêm. Bấm «Xong» để tiếp tục.",
        "en": "You already sent {count} {count:file|files}, the maximum. Press «Done» to continue.",
    },
    "not_now_media": {
        "vi": "Bước này chưa nhận tệp. Bạn sẽ gửi ảnh, video ở bước «Bằng chứng».",
        "en": "Files are not taken at this step. You can send photos and videos at the «Evidence» step.",
    },
    "not_own_contact": {
        "vi": "Hãy chia sẻ số điện thoại của chính bạn bằng nút bên dưới.",
        "en": "Please share your own phone number with the button below.",
    },
    "tip_limit": {
        "vi": "Bạn đã gửi {n} tin báo trong một giờ qua, mức tối đa là {max}. Vui lòng thử lại sau. Khẩn cấp: gọi 113.",
        "en": "You sent {n} {n:tip|tips} in the past hour; the limit is {max}. Please try later. Emergency: call 113.",
    },
    "flood": {
        "vi": "Bạn gửi tin nhắn quá nhanh. Vui lòng chờ một chút rồi gửi tiếp.",
        "en": "You are sending messages too fast. Please wait a moment.",
    },
    "already_submitted": {
        "vi": "Tin báo này đã được gửi, mã {code}.",
        "en": "This tip was already sent, code {code}.",
    },
    # --- notifications: neutral and respectful, never more than the public status -------
    "n_acknowledged": {
        "vi": "Công an {unit} đã tiếp nhận tin báo {code} của bạn. Cảm ơn bạn.",
        "en": "The police of {unit} have acknowledged your tip {code}. Thank you.",
    },
    "n_question": {
        "vi": "Công an hỏi thêm về tin báo {code} của bạn:\n\n«{question}»\n\nBấm «Trả lời» để gửi câu trả lời (chữ hoặc ảnh). Danh tính của bạn vẫn được giữ kín.",
        "en": "The police have a question about your tip {code}:\n\n«{question}»\n\nPress «Reply» to answer (text or photos). Your identity stays protected.",
    },
    "n_closed_resolved": {
        "vi": "Tin báo {code} của bạn đã được công an xử lý xong. Cảm ơn bạn đã chung tay giữ gìn an ninh, trật tự.",
        "en": "Your tip {code} has been handled by the police. Thank you for helping keep the community safe.",
    },
    "n_closed_forwarded": {
        "vi": "Tin báo {code} của bạn đã được chuyển tới cơ quan điều tra có thẩm quyền. Cảm ơn bạn.",
        "en": "Your tip {code} has been passed to the competent investigation agency. Thank you.",
    },
    "n_closed_unfounded": {
        "vi": "Công an đã xác minh tin báo {code}. Hiện chưa có đủ cơ sở để xử lý thêm. Cảm ơn bạn đã cung cấp thông tin; nếu có thêm thông tin mới, bạn có thể gửi tin báo khác.",
        "en": "The police have checked tip {code}. For now there is not enough to act on further. Thank you for the information; if you learn more, you can send a new tip.",
    },
    "n_closed_duplicate": {
        "vi": "Tin báo {code} trùng với một tin báo đã được tiếp nhận trước đó và sẽ được xử lý cùng. Cảm ơn bạn.",
        "en": "Tip {code} concerns a matter already reported; they will be handled together. Thank you.",
    },
    "n_closed_spam": {
        "vi": "Tin báo {code} đã được đóng. Nếu bạn có thông tin về an ninh, trật tự, hãy gửi tin báo mới.",
        "en": "Tip {code} has been closed. If you have information about security or order, please send a new tip.",
    },
    "btn_reply": {"vi": "✍️ Trả lời", "en": "✍️ Reply"},
    "btn_add_info": {"vi": "➕ Bổ sung thông tin", "en": "➕ Add information"},
    "relay_prompt": {
        "vi": "Gửi nội dung bổ sung cho tin báo {code} (chữ, ảnh, video, ghi âm). Xong thì bấm «Xong».",
        "en": "Send what you want to add to tip {code} (text, photos, videos, voice). Press «Done» when finished.",
    },
    "relay_sent": {
        "vi": "Đã chuyển tới công an. Gửi thêm hoặc bấm «Xong».",
        "en": "Passed to the police. Send more or press «Done».",
    },
    "relay_closed": {
        "vi": "Tin báo {code} đã đóng, không nhận bổ sung. Bạn có thể gửi tin báo mới.",
        "en": "Tip {code} is closed and takes no more information. You can send a new tip.",
    },
    "relay_done": {
        "vi": "Cảm ơn bạn đã bổ sung thông tin.",
        "en": "Thank you for the information.",
    },
    # --- wanted-person sightings ----------------------------------------------------------
    "sighting_intro": {
        "vi": "Bạn báo tin đã nhìn thấy: {name}. Tin báo sẽ được chuyển ngay tới công an nơi bạn thấy và đơn vị ra lệnh truy nã.",
        "en": "You are reporting a sighting of: {name}. It goes at once to the police of the place and to the unit that issued the warrant.",
    },
    "sighting_dangerous": {
        "vi": "⚠️ ĐỐI TƯỢNG NGUY HIỂM. Tuyệt đối KHÔNG tiếp cận, không tự bắt giữ. Hãy giữ khoảng cách an toàn và gọi ngay 113 nếu người này đang ở gần bạn.",
        "en": "⚠️ DANGEROUS PERSON. Do NOT approach or try to detain them. Keep a safe distance and call 113 now if they are near you.",
    },
    "review_wanted": {"vi": "Người bị truy nã: {name}", "en": "Wanted person: {name}"},
    "n_closed_wanted": {
        "vi": "Cảm ơn bạn đã cung cấp thông tin qua tin báo {code}. Vụ việc liên quan đã được công an giải quyết.",
        "en": "Thank you for the information you gave in tip {code}. The matter it concerned has been dealt with by the police.",
    },
    # --- Zalo (issue 11): options are numbered in the text; how to choose -----------------
    "zalo_choose_one": {"vi": "Gõ {n} để chọn.", "en": "Type {n} to choose."},
    "zalo_choose_many": {"vi": "Gõ {most} hoặc {last}.", "en": "Type {most} or {last}."},
    "zalo_cancel_hint": {"vi": "{label}: gõ «hủy».", "en": "{label}: type «cancel»."},
    # Zalo wording for what Telegram's screens say of Telegram's own controls
    # (handlers/zalo/render.py WORDING: the first of each pair is replaced by the second)
    "zalo_tg_location": {"vi": "bấm «📍 Gửi vị trí»", "en": "press «📍 Send location»"},
    "zalo_location": {
        "vi": "chia sẻ vị trí của bạn trong khung chat Zalo",
        "en": "share your location in the Zalo chat",
    },
    "zalo_tg_account": {"vi": "tài khoản Telegram", "en": "Telegram account"},
    "zalo_account": {"vi": "tài khoản Zalo", "en": "Zalo account"},
    "zalo_ask_phone": {
        "vi": "Gõ số điện thoại của bạn (ví dụ 0912345678). Số chỉ được dùng để liên hệ về tin báo này.",
        "en": "Type your phone number (for example 0912345678). It is used only to contact you about this tip.",
    },
    "zalo_ask_phone_form": {
        "vi": (
            "Gõ số điện thoại của bạn (ví dụ 0912345678), hoặc chia sẻ số qua mẫu yêu cầu "
            "thông tin của Zalo ngay sau tin này. Số chỉ được dùng để liên hệ về tin báo này."
        ),
        "en": (
            "Type your phone number (for example 0912345678), or share it through Zalo's "
            "information form that follows. It is used only to contact you about this tip."
        ),
    },
    "zalo_not_own_contact": {
        "vi": "Chưa đọc được số điện thoại. Hãy gõ số của chính bạn, ví dụ 0912345678.",
        "en": "That is not a phone number we can read. Please type your own number, for example 0912345678.",
    },
    "zalo_use_buttons": {
        "vi": "Vui lòng chọn một mục bên dưới: gõ số thứ tự hoặc bấm nút.",
        "en": "Please choose one of the options below: type its number or press its button.",
    },
    "zalo_info_title": {"vi": "Số điện thoại liên hệ", "en": "Your contact number"},
    "zalo_info_subtitle": {
        "vi": "Chỉ dùng để công an liên hệ về tin báo của bạn. Danh tính của bạn vẫn được giữ kín.",
        "en": "Used only by the police to contact you about your tip. Your identity stays protected.",
    },
    "zalo_file_unreachable": {
        "vi": "Không tải được tệp bạn vừa gửi (liên kết của Zalo lỗi hoặc đã hết hạn). Tệp chưa được nhận; hãy gửi lại.",
        "en": "The file you just sent could not be downloaded (Zalo's link failed or expired). It was not received; please send it again.",
    },
}
