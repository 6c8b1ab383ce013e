"""Write the sample wanted-notice list: ``samples/wanted/notices.csv`` and its photos.

Everything here is invented. The people do not exist, the warrant numbers carry "MẪU"
(sample) so nobody mistakes them for real decisions, and the photos are drawn grey
silhouettes with initials and a "ẢNH MINH HỌA / PLACEHOLDER" band, never a face: a
wanted notice with a real person's face on it is exactly what a sample must not be.

Run ``python scripts/make_wanted_samples.py`` (needs Pillow, in the ``dev`` extras); the
output is deterministic, so re-running it leaves git clean.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "samples" / "wanted"
SIZE = (360, 480)  # portrait, like an ID photo
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


@dataclass(frozen=True)
class Sample:
    full_name: str
    aliases: str
    birth_year: str
    sex: str
    last_residence: str
    offence: str
    warrant_number: str
    warrant_date: str
    issuing_unit: str
    dangerous: str
    photo: str


# Issuing units are real 2025 units of Tỉnh Ninh Bình, written the different ways the
# import accepts (name, "Công an ..." prefix, unit code, folded) so the sample exercises
# them; the dates mix both accepted formats for the same reason.
SAMPLES = (
    Sample(
        "Đỗ Văn Đạt",
        "Đạt Đen; Tí Đạt",
        "1989",
        "nam",
        "Thôn Đồng Tâm, xã Gia Viễn, tỉnh Ninh Bình",
        "Cướp tài sản (Điều 168 Bộ luật Hình sự)",
        "01/QĐTN-MẪU",
        "2025-07-15",
        "Tỉnh Ninh Bình",
        "có",
        "photos/do-van-dat.png",
    ),
    Sample(
        "Trần Thị Hoa",
        "Hoa Lùn",
        "1995",
        "nữ",
        "Tổ dân phố số 5, phường Tam Chúc, tỉnh Ninh Bình",
        "Lừa đảo chiếm đoạt tài sản (Điều 174 Bộ luật Hình sự)",
        "02/QĐTN-MẪU",
        "20/08/2025",
        "Phường Tam Chúc",
        "không",
        "photos/tran-thi-hoa.png",
    ),
    Sample(
        "Lê Đức Mạnh",
        "Mạnh Đầu Bò; Mạnh Lê",
        "1982",
        "male",
        "Xóm 7, xã Kim Sơn, tỉnh Ninh Bình",
        "Giết người (Điều 123 Bộ luật Hình sự)",
        "03/QĐTN-MẪU",
        "2025-09-02",
        "Công an phường Hoa Lư",
        "yes",
        "photos/le-duc-manh.png",
    ),
    Sample(
        "Phạm Văn Đông",
        "",
        "",
        "nam",
        "Thôn Trung, xã Nghĩa Hưng, tỉnh Ninh Bình",
        "Mua bán trái phép chất ma túy (Điều 251 Bộ luật Hình sự)",
        "04/QĐTN-MẪU",
        "10/10/2025",
        "13891",
        "không",
        "",
    ),
    Sample(
        "Vũ Thị Đào",
        "Đào Béo",
        "1978",
        "female",
        "Đường Trần Hưng Đạo, phường Nam Định, tỉnh Ninh Bình",
        "Tổ chức đánh bạc (Điều 322 Bộ luật Hình sự)",
        "05/QĐTN-MẪU",
        "2025-11-12",
        "phuong nam dinh",
        "no",
        "photos/vu-thi-dao.png",
    ),
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    print("warning: no DejaVu/Arial font found; diacritics may not render", file=sys.stderr)
    return ImageFont.load_default(size)


def initials(name: str) -> str:
    """First letters of the last two words ("Đỗ Văn Đạt" -> "VĐ"), diacritics kept."""
    words = unicodedata.normalize("NFC", name).split()
    return "".join(w[0] for w in words[-2:]).upper()


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font: object, fill: str) -> None:
    box = draw.textbbox((0, 0), text, font=font)  # type: ignore[arg-type]
    x = (SIZE[0] - (box[2] - box[0])) // 2 - box[0]
    draw.text((x, y), text, font=font, fill=fill)  # type: ignore[arg-type]


def placeholder(name: str, dangerous: bool) -> bytes:
    """A grey silhouette with initials: obviously a drawing, never a likeness."""
    image = Image.new("RGB", SIZE, "#d9d9d9")
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    # Shoulders, then the head over them.
    draw.ellipse((40, 300, width - 40, height + 160), fill="#9e9e9e")
    draw.ellipse((105, 95, width - 105, 265), fill="#9e9e9e")
    _centered(draw, 150, initials(name), _font(56), "#f5f5f5")
    # The label bands; red for a dangerous person, as printed notices do.
    band = "#b71c1c" if dangerous else "#37474f"
    draw.rectangle((0, 0, width, 56), fill=band)
    _centered(draw, 20, "ẢNH MINH HỌA / PLACEHOLDER", _font(17), "#ffffff")
    draw.rectangle((0, height - 64, width, height), fill=band)
    _centered(draw, height - 58, "KHÔNG PHẢI ẢNH THẬT", _font(18), "#ffffff")
    _centered(draw, height - 32, "NOT A REAL PERSON", _font(18), "#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    (OUT / "photos").mkdir(parents=True, exist_ok=True)
    columns = list(Sample.__dataclass_fields__)
    with (OUT / "notices.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for sample in SAMPLES:
            writer.writerow([getattr(sample, c) for c in columns])
            if sample.photo:
                dangerous = sample.dangerous in ("có", "yes")
                (OUT / sample.photo).write_bytes(placeholder(sample.full_name, dangerous))
    print(f"wrote {OUT / 'notices.csv'} and {sum(1 for s in SAMPLES if s.photo)} photos")


if __name__ == "__main__":
    main()
