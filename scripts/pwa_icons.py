"""Regenerate the PWA icons (tongban/portal/static/portal/pwa/): the county mark, a red
circle with "通", as 192 and 512 px PNGs and a maskable 512 px one (full bleed, the mark
inside the 80 % safe zone). Run once after changing the mark; the PNGs are committed.

    .venv/bin/python scripts/pwa_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "tongban" / "portal" / "static" / "portal" / "pwa"
RED = (179, 20, 15, 255)  # --red in portal.css
WHITE = (255, 255, 255, 255)
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).exists():
            # index 2 is the Simplified Chinese face in Noto's collections
            return ImageFont.truetype(path, size, index=2 if "Noto" in path else 0)
    raise SystemExit("no CJK font: apt-get install fonts-noto-cjk")


def mark(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), RED if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if not maskable:
        draw.ellipse((0, 0, size - 1, size - 1), fill=RED)
    glyph = int(size * (0.46 if maskable else 0.58))
    draw.text((size / 2, size / 2), "通", font=font(glyph), fill=WHITE, anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        mark(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    mark(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    mark(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
