"""What officers and supervisors read in their groups and private chats: tip cards and
their buttons, the relay of questions, joining and binding groups, the bot's command menu,
supervisors' commands, and alerts about failed deliveries and updates.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- tip cards, queue buttons and the officer's relay ---------------------------------
    "card_title": {"vi": "TIN BÁO {code}", "en": "TIP {code}"},
    "card_urgent": {"vi": "⚠️ KHẨN", "en": "⚠️ URGENT"},
    "card_body": {
        "vi": (
            "Loại: {category}\nĐịa điểm: {place}\nThời gian: {when}\n"
            "Nội dung: {description}\nNgười báo tin: {reporter}\nBằng chứng: {evidence} tệp\n"
            "Nhận lúc: {created}"
        ),
        "en": (
            "Type: {category}\nPlace: {place}\nWhen: {when}\n"
            "What happened: {description}\nReporter: {reporter}\nEvidence: {evidence} {evidence:file|files}\n"
            "Received: {created}"
        ),
    },
    "card_map": {"vi": "Bản đồ: {url}", "en": "Map: {url}"},
    "card_no_queue": {
        "vi": "ℹ️ {unit} chưa gắn nhóm tiếp nhận; tin báo được chuyển về trực ban Công an tỉnh.",
        "en": "ℹ️ {unit} has no queue group yet; the tip went to the province duty queue.",
    },
    "card_alert": {
        "vi": "🔔 BÁO ĐỘNG: tin báo khẩn chuyển tới {unit}.",
        "en": "🔔 ALERT: urgent tip sent to {unit}.",
    },
    "card_state": {"vi": "Trạng thái: {state}", "en": "State: {state}"},
    "card_state_by": {
        "vi": "Trạng thái: {state} — {who}, {at}",
        "en": "State: {state} — {who}, {at}",
    },
    "card_moved": {
        "vi": "➡️ Đã chuyển tới {unit} — {who}, {at}",
        "en": "➡️ Moved to {unit} — {who}, {at}",
    },
    "reporter_anonymous": {"vi": "#{pseudonym} (ẩn danh)", "en": "#{pseudonym} (anonymous)"},
    "reporter_contact": {
        "vi": "#{pseudonym}, SĐT {phone}",
        "en": "#{pseudonym}, phone {phone}",
    },
    "state_new": {"vi": "Mới, chờ tiếp nhận", "en": "New, waiting"},
    "state_acknowledged": {"vi": "Đã tiếp nhận", "en": "Acknowledged"},
    "state_in_progress": {"vi": "Đang xử lý", "en": "In progress"},
    "state_needs_info": {"vi": "Chờ người báo tin bổ sung", "en": "Waiting for the reporter"},
    "state_transferred": {"vi": "Được chuyển đến, chờ tiếp nhận", "en": "Transferred, waiting"},
    "state_closed": {"vi": "Đã đóng ({outcome})", "en": "Closed ({outcome})"},
    "outcome_resolved": {"vi": "đã giải quyết", "en": "resolved"},
    "outcome_forwarded": {"vi": "chuyển cơ quan điều tra", "en": "forwarded to investigators"},
    "outcome_unfounded": {"vi": "không có cơ sở", "en": "unfounded"},
    "outcome_duplicate": {"vi": "trùng tin báo {code}", "en": "duplicate of {code}"},
    "outcome_spam": {"vi": "tin rác", "en": "spam"},
    "qbtn_ack": {"vi": "✅ Tiếp nhận", "en": "✅ Acknowledge"},
    "qbtn_take": {"vi": "🙋 Nhận xử lý", "en": "🙋 Take it"},
    "qbtn_ask": {"vi": "❓ Hỏi thêm", "en": "❓ Ask reporter"},
    "qbtn_transfer": {"vi": "➡️ Chuyển đơn vị", "en": "➡️ Transfer"},
    "qbtn_close": {"vi": "🔒 Đóng", "en": "🔒 Close"},
    "qbtn_outcome_resolved": {"vi": "Đã giải quyết", "en": "Resolved"},
    "qbtn_outcome_forwarded": {
        "vi": "Chuyển cơ quan điều tra",
        "en": "Forward to investigators",
    },
    "qbtn_outcome_unfounded": {"vi": "Không có cơ sở", "en": "Unfounded"},
    "qbtn_outcome_duplicate": {"vi": "Trùng tin báo khác", "en": "Duplicate"},
    "qbtn_outcome_spam": {"vi": "Tin rác", "en": "Spam"},
    "q_pick_outcome": {"vi": "Đóng tin báo {code} với kết quả:", "en": "Close tip {code} as:"},
    "q_ask_prompt": {
        "vi": "{who}, hãy trả lời tin nhắn này (bấm «Trả lời») bằng câu hỏi gửi người báo tin (tin báo {code}), trong {minutes} phút. Bạn sẽ xem lại trước khi gửi.",
        "en": "{who}, reply to this message (press «Reply») with your question for the reporter (tip {code}) within {minutes} {minutes:minute|minutes}. You will check it before it is sent.",
    },
    "q_transfer_prompt": {
        "vi": "{who}, hãy trả lời tin nhắn này (bấm «Trả lời») bằng tên xã/phường nhận tin báo {code}, trong {minutes} phút.",
        "en": "{who}, reply to this message (press «Reply») with the commune to receive tip {code} within {minutes} {minutes:minute|minutes}.",
    },
    "q_duplicate_prompt": {
        "vi": "{who}, hãy trả lời tin nhắn này (bấm «Trả lời») bằng mã tin báo gốc mà {code} bị trùng, trong {minutes} phút.",
        "en": "{who}, reply to this message (press «Reply») with the code of the original tip {code} duplicates within {minutes} {minutes:minute|minutes}.",
    },
    "q_ask_confirm": {
        "vi": "Người báo tin #{pseudonym} sẽ nhận đúng tin nhắn sau:\n\n{message}\n\nBấm «Gửi» trong {minutes} phút để gửi, hoặc «Hủy».",
        "en": "Reporter #{pseudonym} will receive exactly this message:\n\n{message}\n\nPress «Send» within {minutes} {minutes:minute|minutes} to send it, or «Cancel».",
    },
    "qbtn_ask_send": {"vi": "📨 Gửi", "en": "📨 Send"},
    "qbtn_ask_cancel": {"vi": "✖️ Hủy", "en": "✖️ Cancel"},
    "q_ask_cancelled": {
        "vi": "Đã hủy, không gửi gì cho người báo tin.",
        "en": "Cancelled; nothing was sent to the reporter.",
    },
    "q_prompt_expired": {
        "vi": "Yêu cầu này đã hết hạn ({minutes} phút) hoặc đã được xử lý. Không có gì thay đổi; hãy bấm lại nút trên thẻ tin báo.",
        "en": "This request has expired ({minutes} {minutes:minute|minutes}) or was already dealt with. Nothing changed; press the button on the tip card again.",
    },
    "q_prompt_lapsed": {
        "vi": "Đã hết hạn, không gửi gì.",
        "en": "Expired; nothing was sent.",
    },
    "q_prompt_not_yours": {
        "vi": "Chỉ cán bộ đã soạn câu hỏi này mới gửi hoặc hủy được.",
        "en": "Only the officer who wrote this question can send or cancel it.",
    },
    "q_page_refused": {
        "vi": "Bạn không có quyền xem hoặc lật danh sách này.",
        "en": "You are not allowed to view or turn this list.",
    },
    "q_transfer_pick": {"vi": "Chuyển tin báo {code} tới:", "en": "Transfer tip {code} to:"},
    "q_question_sent": {
        "vi": "Đã gửi câu hỏi tới người báo tin #{pseudonym}.",
        "en": "Question sent to reporter #{pseudonym}.",
    },
    "q_not_officer": {
        "vi": "Bạn không có quyền thao tác tin báo này.",
        "en": "You are not allowed to act on this tip.",
    },
    "q_other_unit": {
        "vi": "Tin báo này thuộc {unit}; bạn không có quyền thao tác.",
        "en": "This tip belongs to {unit}; you cannot act on it.",
    },
    "q_stale": {
        "vi": "Tin báo đã ở trạng thái: {state}. Không thay đổi gì.",
        "en": "The tip is already: {state}. Nothing changed.",
    },
    "q_unknown_tip": {"vi": "Không tìm thấy tin báo.", "en": "Tip not found."},
    "q_done": {"vi": "Đã cập nhật: {state}", "en": "Updated: {state}"},
    "q_same_unit": {
        "vi": "Tin báo đang ở đơn vị này rồi.",
        "en": "The tip is already in this unit.",
    },
    "q_dup_self": {
        "vi": "Mã gốc không hợp lệ (không thể trùng với chính nó hoặc không tồn tại).",
        "en": "Invalid original code (it does not exist or is the same tip).",
    },
    "q_answer_relay": {
        "vi": "💬 Người báo tin #{pseudonym} bổ sung cho tin báo {code}:\n{text}",
        "en": "💬 Reporter #{pseudonym} adds to tip {code}:\n{text}",
    },
    "q_answer_media": {
        "vi": "📎 Người báo tin #{pseudonym} gửi thêm tệp cho tin báo {code}",
        "en": "📎 Reporter #{pseudonym} sent a file for tip {code}",
    },
    "q_queue_header": {
        "vi": "Tin báo đang mở của {unit} ({total}), cũ nhất trước — trang {page}/{pages}:",
        "en": "Open tips of {unit} ({total}), oldest first — page {page}/{pages}:",
    },
    "q_queue_empty": {
        "vi": "{unit} không có tin báo đang mở.",
        "en": "{unit} has no open tips.",
    },
    "q_history": {"vi": "Lịch sử:", "en": "History:"},
    "q_history_reporter": {"vi": "người báo tin", "en": "reporter"},
    "q_tip_usage": {"vi": "/tip <mã tin báo>", "en": "/tip <tip code>"},
    "q_queue_line": {
        "vi": "• {mark}{code} — {state} — {hours} giờ",
        "en": "• {mark}{code} — {state} — {hours} h",
    },
    "q_prev": {"vi": "⬅️ Trước", "en": "⬅️ Previous"},
    "q_next": {"vi": "Sau ➡️", "en": "Next ➡️"},
    "q_only_officers": {
        "vi": "Lệnh này chỉ dành cho cán bộ đã đăng ký.",
        "en": "This command is for registered officers only.",
    },
    "q_wrong_chat": {
        "vi": "Lệnh này chỉ dùng được trong nhóm tiếp nhận của đơn vị bạn hoặc trong cuộc trò chuyện riêng với bot.",
        "en": "This command works only in your unit's queue group or in a private chat with the bot.",
    },
    "q_private_only": {
        "vi": "Hãy dùng lệnh này trong cuộc trò chuyện riêng với bot.",
        "en": "Use this command in a private chat with the bot.",
    },
    "q_group_only": {
        "vi": "Hãy dùng lệnh này trong nhóm cần gắn.",
        "en": "Use this command in the group you want to bind.",
    },
    "join_ok": {
        "vi": "Chào {name}! Bạn đã được đăng ký là {role} của {unit}.",
        "en": "Welcome {name}! You are registered as {role} of {unit}.",
    },
    "join_bad": {
        "vi": "Mã mời không hợp lệ, đã dùng hoặc đã hết hạn.",
        "en": "The invite code is invalid, used or expired.",
    },
    "join_already": {
        "vi": "Tài khoản này đã là cán bộ của {unit}.",
        "en": "This account is already an officer of {unit}.",
    },
    "join_usage": {"vi": "Cú pháp: /join <mã mời>", "en": "Usage: /join <invite code>"},
    "join_limited": {
        "vi": "Bạn đã nhập sai mã mời quá nhiều lần. Hãy thử lại sau một giờ.",
        "en": "Too many wrong invite codes. Please try again in an hour.",
    },
    "role_officer": {"vi": "cán bộ", "en": "officer"},
    "role_lead": {"vi": "trưởng công an", "en": "unit lead"},
    "role_supervisor": {"vi": "lãnh đạo", "en": "supervisor"},
    "bind_ok": {
        "vi": "Nhóm này đã được gắn làm {purpose} của {unit}. Tin báo mới sẽ xuất hiện tại đây.",
        "en": "This group is now the {purpose} of {unit}. New tips will appear here.",
    },
    "bind_surfaced": {
        "vi": "📥 {n} tin báo đang chờ phân công đã được chuyển vào nhóm này.",
        "en": "📥 {n} {n:tip|tips} waiting for assignment {n:was|were} sent to this group.",
    },
    "bind_need_lead": {
        "vi": "Chỉ trưởng công an xã (hoặc lãnh đạo) mới gắn được nhóm tiếp nhận.",
        "en": "Only a unit lead (or a supervisor) can bind a queue group.",
    },
    "bind_need_supervisor": {
        "vi": "Chỉ lãnh đạo Công an tỉnh mới gắn được nhóm này.",
        "en": "Only a provincial supervisor can bind this group.",
    },
    "bind_other_unit": {
        "vi": "Nhóm này đã được gắn cho một đơn vị khác nên không gắn thêm được. Mỗi đơn vị cần một nhóm riêng; nếu cần đổi, hãy liên hệ quản trị viên.",
        "en": "This group is already bound to another unit and cannot be bound again. Each unit needs its own group; ask the administrator to change it.",
    },
    "bind_missing_rights": {
        "vi": "Bot chưa đủ quyền trong nhóm này: {missing}. Hãy cấp quyền rồi gõ lại lệnh.",
        "en": "The bot lacks rights in this group: {missing}. Grant them and send the command again.",
    },
    "right_send": {"vi": "gửi tin nhắn", "en": "send messages"},
    "purpose_queue": {"vi": "nhóm tiếp nhận tin báo", "en": "tip queue"},
    "purpose_duty": {"vi": "nhóm trực ban", "en": "duty queue"},
    "purpose_supervisors": {"vi": "nhóm lãnh đạo", "en": "supervisors' chat"},
    # who a failed delivery was for, in its alert
    "delivery_to_reporter": {"vi": "người báo tin", "en": "the reporter"},
    "delivery_target_tip": {"vi": "{target} (tin báo {code})", "en": "{target} (tip {code})"},
    "delivery_failed": {
        "vi": "⚠️ Không gửi được tin nhắn ({purpose}) tới {target}: {error}. Hãy kiểm tra nhóm/bot.",
        "en": "⚠️ Could not deliver a message ({purpose}) to {target}: {error}. Please check the group/bot.",
    },
    # a sighting's card names the wanted person
    "card_wanted": {
        "vi": "🔎 TRUY NÃ: {name} — lệnh số {warrant}, {offence}; đơn vị ra lệnh: {issuer}{danger}",
        "en": "🔎 WANTED: {name} — warrant {warrant}, {offence}; issued by: {issuer}{danger}",
    },
    "card_wanted_danger": {"vi": " — ⚠️ NGUY HIỂM", "en": " — ⚠️ DANGEROUS"},
    "card_trail": {"vi": "Các lần nhìn thấy khác: {trail}", "en": "Other sightings: {trail}"},
    # --- supervisors' commands -------------------------------------------------------------
    "s_only_supervisors": {
        "vi": "Lệnh này chỉ dành cho lãnh đạo Công an tỉnh đã đăng ký.",
        "en": "This command is for registered provincial supervisors only.",
    },
    "s_report_only_supervisors": {
        "vi": "Lệnh này chỉ dành cho lãnh đạo Công an tỉnh đã đăng ký. Để gửi một tin báo, hãy dùng /baotin.",
        "en": "This command is for registered provincial supervisors only. To send a tip, use /baotin.",
    },
    "s_export_usage": {
        "vi": "Cú pháp: /export [từ ngày] [đến ngày] [csv|xlsx], ví dụ /export 01/11/2026 30/11/2026 xlsx. Mặc định: 30 ngày gần nhất.",
        "en": "Usage: /export [from] [to] [csv|xlsx], e.g. /export 01/11/2026 30/11/2026 xlsx. Default: the last 30 days.",
    },
    "s_queued": {
        "vi": "Đang chuẩn bị, tệp sẽ được gửi trong giây lát.",
        "en": "Preparing it; it will arrive in a moment.",
    },
    "s_digest_on": {
        "vi": "Bạn sẽ nhận bản tin tổng hợp hằng ngày lúc {time} trong cuộc trò chuyện này. Gõ /digest off để tắt.",
        "en": "You will receive the daily digest at {time} in this chat. Send /digest off to stop.",
    },
    "s_digest_off": {
        "vi": "Đã tắt bản tin tổng hợp hằng ngày trong cuộc trò chuyện riêng.",
        "en": "The daily digest in this private chat is off.",
    },
    # --- the durable inbox ----------------------------------------------------------------
    "inbox_failed": {
        "vi": "⚠️ Bot không xử lý được một cập nhật ({event}) sau nhiều lần thử: {error}. Đã lưu lại để kiểm tra, người gửi đã được báo gửi lại; bot vẫn hoạt động bình thường.",
        "en": "⚠️ The bot could not handle an update ({event}) after several tries: {error}. It is kept for inspection and the sender was asked to send it again; the bot keeps working.",
    },
    "update_failed": {
        "vi": "⚠️ Xin lỗi, bot chưa xử lý được tin nhắn vừa rồi của bạn và chưa lưu gì từ tin nhắn đó. Vui lòng gửi lại sau ít phút. Nếu khẩn cấp, hãy gọi 113.",
        "en": "⚠️ Sorry, the bot could not handle your last message and kept nothing from it. Please send it again in a few minutes. In an emergency, call 113.",
    },
    "storage_paused": {
        "vi": "⚠️ Hệ thống đang tạm dừng vì sự cố kỹ thuật. Tin nhắn của bạn đã được giữ lại và sẽ được xử lý ngay khi hệ thống hoạt động trở lại; bạn không cần gửi lại. Nếu khẩn cấp, hãy gọi 113.",
        "en": "⚠️ The system is paused by a technical fault. Your message is kept and will be handled as soon as it is running again; you need not send it again. In an emergency, call 113.",
    },
    "inbox_refused": {
        "vi": "⚠️ Bot nhận được một cập nhật không đọc được ({event}). Đã lưu lại để kiểm tra và bỏ qua; bot vẫn hoạt động bình thường.",
        "en": "⚠️ The bot received an update it cannot read ({event}). It is kept for inspection and skipped; the bot keeps working.",
    },
    "q_reach_held": {
        "vi": "⏳ Hiện chưa liên lạc được với người báo tin #{pseudonym} (tin báo {code}) cho đến khi họ nhắn lại. Câu hỏi hoặc thông báo đang được giữ và sẽ được gửi ngay khi họ nhắn tin.",
        "en": "⏳ Reporter #{pseudonym} (tip {code}) cannot be reached until they write again. The question or notice is held and will go the moment they do.",
    },
    "q_reach_delivered": {
        "vi": "📨 Người báo tin #{pseudonym} đã nhắn lại: câu hỏi hoặc thông báo đang chờ của tin báo {code} đã được gửi tới họ.",
        "en": "📨 Reporter #{pseudonym} wrote again: the held question or notice of tip {code} has reached them.",
    },
    # the Zalo OA's access token (handlers/zalo/tokens.py)
    "zalo_token_refused": {
        "vi": "⚠️ Zalo từ chối làm mới mã truy cập của Official Account ({error}). Tin nhắn gửi tới người dân qua Zalo đang chờ, không bị mất. Quản trị viên cần chạy lại `tinbao zalo authorize`.",
        "en": "⚠️ Zalo refused to renew the Official Account's access token ({error}). Messages to citizens on Zalo are waiting, not lost. An administrator must run `tinbao zalo authorize` again.",
    },
    "zalo_token_unreachable": {
        "vi": "⚠️ Không làm mới được mã truy cập Zalo của Official Account ({error}); bot vẫn đang thử lại. Tin nhắn gửi tới người dân qua Zalo đang chờ, không bị mất.",
        "en": "⚠️ Could not renew the Official Account's Zalo access token ({error}); the bot keeps trying. Messages to citizens on Zalo are waiting, not lost.",
    },
}
