"""Intake photos: accept only real images of sensible size, and keep a re-encoded copy without its metadata."""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from workflow.refusal import Refused

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo is the most a real one needs
# what one decoded frame may take where the decoder cannot scale down while it decodes (every format but JPEG):
# a 100 KB PNG of one colour can say 6000 × 6000 and take 144 MB, twice over while it is turned and shrunk
MAX_DECODED_BYTES = 48 * 2**20
LONG_SIDE = 1600  # enough to see a broken manhole cover on the big screen; keeps the database small
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}


class PhotoError(Refused):
    """A photo the system will not keep; the kind says why."""


def prepare_photo(data: bytes) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of a photo fit to keep; raises PhotoError otherwise.

    The photo is decoded and re-encoded: what we store and serve is never the uploaded file itself, and the
    EXIF block (which often holds the GPS position of a resident's home) is dropped.
    """
    if len(data) > MAX_BYTES:
        raise PhotoError("photo_too_big", mb=MAX_BYTES // 1024 // 1024)
    if not data:
        raise PhotoError("photo_empty")
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own pixel limit (and refuses past twice that) as it opens a file
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                kind = probe.format
                if kind not in ACCEPTED:
                    raise PhotoError("photo_format")
                if probe.width * probe.height > MAX_PIXELS or \
                        (kind != "JPEG" and _decoded_bytes(probe) > MAX_DECODED_BYTES):
                    raise PhotoError("photo_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if kind == "JPEG":
                    image.draft("RGB", (LONG_SIDE, LONG_SIDE))  # decoded at 1/2, 1/4 or 1/8 scale where that suffices
                image.thumbnail((LONG_SIDE, LONG_SIDE))  # shrunk before it is turned: one full-size frame, not two
                rgb = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("photo_pixels") from None
    except UnidentifiedImageError:
        raise PhotoError("photo_unreadable") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError("photo_corrupt") from None
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue(), rgb.width, rgb.height


def _decoded_bytes(image: Image.Image) -> int:
    """Bytes Pillow holds for the decoded frame: 1 per pixel for bilevel, grey and palette images, 4 otherwise
    (it keeps RGB in 32 bits), 2 for 16-bit grey."""
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return image.width * image.height * per_pixel
