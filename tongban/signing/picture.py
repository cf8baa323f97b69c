"""The seal's picture (印模): a round red seal drawn from the department's name.

Traditional round official seal: a red ring, a five-pointed star in the middle, the name
along the upper arc reading clockwise, on a transparent background. Drawn once when the seal
is issued (``SIZE`` pixels square; printed at 42 mm across, the size of a county department's
official seal) and stored with it.
"""

import io
import math
from functools import cache

from PIL import Image, ImageDraw, ImageFont

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SIZE = 480
DIAMETER_MM = 42
RED = (230, 0, 18, 255)
# Drawn at twice the size and scaled down: smooth edges without a vector library.
SCALE = 2
RING_WIDTH = 0.035
# The arc a long name spans (degrees); a short one keeps its characters this far apart.
ARC_DEGREES = 240
MAX_STEP_DEGREES = 34


def draw(name: str) -> bytes:
    """The PNG (RGBA) of a seal reading ``name`` along its upper arc."""
    size = SIZE * SCALE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    centre = size / 2
    ring = size * RING_WIDTH
    pen.ellipse(
        (ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=RED, width=int(ring)
    )
    pen.polygon(_star(centre, centre, size * 0.16), fill=RED)
    _arc_text(image, name, radius=size * 0.36, char_size=_char_size(name, size))
    picture = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _star(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + index * 36)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def _char_size(name: str, size: int) -> int:
    return int(min(size * 0.13, size * 2.4 / max(len(name), 1)))


@cache
def _font(char_size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FILE, char_size, index=0)


def _arc_text(image: Image.Image, name: str, *, radius: float, char_size: int) -> None:
    """Each character upright towards the centre, spread evenly over the upper arc."""
    count = len(name)
    if not count:
        return
    step = min(ARC_DEGREES / count, MAX_STEP_DEGREES) if count > 1 else 0
    start = -90 - step * (count - 1) / 2
    font = _font(char_size)
    centre = image.width / 2
    for index, char in enumerate(name):
        angle = start + step * index
        tile = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (char_size, char_size),
            char,
            font=font,
            fill=RED,
            anchor="mm",
            stroke_width=max(1, char_size // 30),
            stroke_fill=RED,
        )
        # Screen angles run clockwise; a character at the top (-90°) stays upright.
        tile = tile.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(math.radians(angle)) - tile.width / 2
        y = centre + radius * math.sin(math.radians(angle)) - tile.height / 2
        image.alpha_composite(tile, (int(x), int(y)))
