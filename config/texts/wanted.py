"""Wanted-person notices: the public card, the police record, browsing and search.

The wording of a public notice is the one the police may want reviewed by their legal
officer, so it sits together here.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # --- the public card -----------------------------------------------------------------
    "w_card_title": {"vi": "🔎 THÔNG BÁO TRUY NÃ", "en": "🔎 WANTED PERSON"},
    "card_name": {"vi": "👤 {name}", "en": "👤 {name}"},
    "card_aliases": {"vi": "Tên gọi khác: {aliases}", "en": "Also known as: {aliases}"},
    "card_born_sex": {
        "vi": "Sinh năm: {year} · Giới tính: {sex}",
        "en": "Year of birth: {year} · Sex: {sex}",
    },
    "year_unknown": {"vi": "không rõ", "en": "unknown"},
    "sex_male": {"vi": "Nam", "en": "Male"},
    "sex_female": {"vi": "Nữ", "en": "Female"},
    "card_residence": {
        "vi": "Nơi cư trú cuối cùng: {place}",
        "en": "Last known residence: {place}",
    },
    "card_offence": {"vi": "Tội danh: {offence}", "en": "Offence: {offence}"},
    "card_warrant": {
        "vi": "Lệnh truy nã số {number} ngày {date} của {issuer}.",
        "en": "Wanted notice no. {number} of {date}, issued by {issuer}.",
    },
    "issuer": {"vi": "Công an {unit}", "en": "the police of {unit}"},
    "card_dangerous": {
        "vi": (
            "⚠️ ĐỐI TƯỢNG NGUY HIỂM. Không tiếp cận, không tự bắt giữ. "
            "Hãy giữ khoảng cách an toàn và gọi ngay 113."
        ),
        "en": (
            "⚠️ DANGEROUS. Do not approach and do not try to detain this person. "
            "Keep a safe distance and call 113 at once."
        ),
    },
    "card_call_to_action": {
        "vi": (
            "Ai phát hiện người này, hãy báo ngay cho công an nơi gần nhất "
            "hoặc bấm nút «Tôi đã nhìn thấy người này» bên dưới."
        ),
        "en": (
            "If you see this person, tell the nearest police at once "
            "or press «I have seen this person» below."
        ),
    },
    # --- the police card (adds what citizens must not see) -------------------------------
    "police_header": {
        "vi": "📋 Hồ sơ truy nã #{id} · {status}",
        "en": "📋 Wanted record #{id} · {status}",
    },
    "status_active": {"vi": "đang truy nã", "en": "active"},
    "status_withdrawn": {"vi": "đã đình nã ({reason}, {at})", "en": "withdrawn ({reason}, {at})"},
    "reason_arrested": {"vi": "đã bị bắt", "en": "arrested"},
    "reason_surrendered": {"vi": "đã ra đầu thú", "en": "surrendered"},
    "reason_cancelled": {"vi": "hủy lệnh truy nã", "en": "notice cancelled"},
    "police_dangerous": {"vi": "⚠️ Nguy hiểm: có", "en": "⚠️ Dangerous: yes"},
    "police_not_dangerous": {"vi": "Nguy hiểm: không", "en": "Dangerous: no"},
    "police_photo": {
        "vi": "Ảnh: {photo} · Nhập lúc {created} · Cập nhật {updated}",
        "en": "Photo: {photo} · Imported {created} · Updated {updated}",
    },
    "photo_yes": {"vi": "có", "en": "yes"},
    "photo_no": {"vi": "không có", "en": "none"},
    # --- browsing and search -------------------------------------------------------------
    "page_label": {"vi": "Trang {n}/{total}", "en": "Page {n} of {total}"},
    "btn_prev": {"vi": "◀️ Trước", "en": "◀️ Previous"},
    "btn_next": {"vi": "Sau ▶️", "en": "Next ▶️"},
    "btn_seen": {"vi": "👁 Tôi đã nhìn thấy người này", "en": "👁 I have seen this person"},
    "browse_empty": {
        "vi": "Hiện không có thông báo truy nã nào đang có hiệu lực.",
        "en": "There are no wanted notices in force right now.",
    },
    "search_usage": {
        "vi": (
            "Gõ /timtruyna kèm họ tên hoặc tên gọi khác, có dấu hay không dấu đều được. "
            "Ví dụ: /timtruyna nguyen van duc\n"
            "Xem toàn bộ danh sách: /dstruyna"
        ),
        "en": (
            "Type /timtruyna followed by a name or nickname, with or without accents. "
            "Example: /timtruyna nguyen van duc\n"
            "See the whole list: /dstruyna"
        ),
    },
    "search_none": {
        "vi": (
            "Không tìm thấy người bị truy nã nào khớp với «{query}». "
            "Xem toàn bộ danh sách: /dstruyna"
        ),
        "en": "No wanted person matches «{query}». See the whole list: /dstruyna",
    },
    "search_found": {
        "vi": "Tìm thấy {total} kết quả cho «{query}».",
        "en": "{total} {total:result|results} for «{query}».",
    },
    "search_more": {
        "vi": (
            "Đang hiện {shown}/{total} kết quả. "
            "Hãy gõ tên đầy đủ hơn để thu hẹp, hoặc xem /dstruyna."
        ),
        "en": (
            "Showing {shown} of {total} {total:result|results}. Type a fuller name to narrow it, or see /dstruyna."
        ),
    },
    "w_stale_button": {
        "vi": "Nút này đã cũ hoặc không hợp lệ. Gõ /dstruyna để xem danh sách mới nhất.",
        "en": "This button is out of date or invalid. Type /dstruyna for the current list.",
    },
    "not_active": {
        "vi": "Thông báo truy nã này không còn hiệu lực. Cảm ơn bạn đã quan tâm.",
        "en": "This wanted notice is no longer in force. Thank you for your help.",
    },
    "w_private_only": {
        "vi": "Vui lòng nhắn riêng cho bot để xem và báo tin về người bị truy nã.",
        "en": "Please message the bot privately to see and report wanted people.",
    },
}
