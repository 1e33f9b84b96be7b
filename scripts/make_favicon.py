"""Draw assets/favicon.ico: a white map pin on the product's red, 16 and 32 px (run once; the .ico is committed)."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

RED = (200, 22, 29, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "assets" / "favicon.ico"


def draw(size: int) -> Image.Image:
    scale = 8  # draw large, then shrink, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=RED)
    cx, top, r = big / 2, big * 0.18, big * 0.24
    pen.ellipse((cx - r, top, cx + r, top + 2 * r), fill=WHITE)
    pen.polygon([(cx - r * 0.86, top + r * 1.5), (cx + r * 0.86, top + r * 1.5), (cx, big * 0.84)], fill=WHITE)
    hole = r * 0.42
    pen.ellipse((cx - hole, top + r - hole, cx + hole, top + r + hole), fill=RED)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(32).save(OUT, sizes=[(16, 16), (32, 32)], append_images=[draw(16)])
    print(f"{OUT}: {OUT.stat().st_size} bytes")
