"""Intake photos: accept only real images of sensible size, and keep a re-encoded copy without its metadata."""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo is the most a real one needs
LONG_SIDE = 1600  # enough to see a broken manhole cover on the big screen; keeps the database small
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}


class PhotoError(ValueError):
    """A photo the system will not keep; the message is Chinese and says why."""


def prepare_photo(data: bytes) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of a photo fit to keep; raises PhotoError otherwise.

    The photo is decoded and re-encoded: what we store and serve is never the uploaded file itself, and the
    EXIF block (which often holds the GPS position of a resident's home) is dropped.
    """
    if len(data) > MAX_BYTES:
        raise PhotoError("照片不能超过 5 MB")
    if not data:
        raise PhotoError("照片是空文件")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in ACCEPTED:
                    raise PhotoError("只能上传 JPG、PNG 等常见格式的图片")
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("照片像素过大，请压缩后再上传")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image = ImageOps.exif_transpose(image)
                image.thumbnail((LONG_SIDE, LONG_SIDE))
                rgb = image.convert("RGB")
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("文件不是可识别的图片，请上传 JPG 或 PNG 照片") from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError("图片已损坏或不完整，请重新拍摄或选择") from None
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue(), rgb.width, rgb.height
