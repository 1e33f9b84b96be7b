"""Finding a service point by what a resident types: its name, address or type, what people call the type
(吃饭 → 爱心食堂, workflow.vocab SERVICE_WORDS), and pinyin typed on a phone without a Chinese keyboard (shitang)."""
from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

from workflow.vocab import SERVICE_WORDS


@lru_cache(maxsize=65536)
def _keys(name: str, address: str, kind: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(the text to look in, the type's words, each of name / type / words spelled in pinyin without tones)."""
    words = SERVICE_WORDS.get(kind, ())
    text = " ".join((name, address, kind, *words)).lower()
    spelled = tuple("".join(lazy_pinyin(part)).lower() for part in (name, kind, *words))
    return text, words, spelled


def matches(query: str, name: str, address: str | None, kind: str) -> bool:
    """True when `query` finds the point: as part of its text, by a word for its type inside the query
    (我想吃饭 finds 爱心食堂), or as pinyin letters within its name, type or a word ("shitang", "shi tang")."""
    wanted = (query or "").strip().lower()
    if not wanted:
        return True
    text, words, spelled = _keys(name or "", address or "", kind or "")
    if wanted in text or any(word in wanted for word in words):
        return True
    letters = "".join(wanted.split())
    return len(letters) >= 2 and letters.isascii() and letters.isalpha() and any(letters in part for part in spelled)
