"""What a loader returns, and byte-level helpers shared by the text formats."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from core.errors import BadInputError

_SNIFF_BYTES = 8192
_PREFERRED = ("cp1252", "latin_1", "iso8859_15", "cp1250", "mac_roman")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Loaded:
    """Raw extraction result, before whitespace normalisation.

    page_texts: one string per page for paged formats (then `text` is ignored).
    """

    text: str = ""
    title: str | None = None
    page_texts: tuple[str, ...] = ()
    encoding: str | None = None
    warnings: tuple[str, ...] = ()


def decode_text(name: str, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes of a text file: (text, encoding, warnings).

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM decode directly; anything
    else is detected by charset-normalizer. Binary data is rejected.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding, ()
    if b"\x00" in data[:_SNIFF_BYTES]:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise _binary(name)
        text, encoding = utf16
        return text, encoding, (f"{name}: UTF-16 without a byte-order mark; decoded as {encoding} (detected from "
                                "where the zero bytes fall). Re-save the file as UTF-8 if characters look wrong.",)  # fmt: skip
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = _pick(from_bytes(data))
    if best is None:
        raise _binary(name)
    text = str(best)
    if _control_share(text) > 0.05:
        raise _binary(name)
    warning = (
        f"{name}: not UTF-8; decoded as {best.encoding} (detected). "
        "Check the preview; re-save the file as UTF-8 if characters look wrong."
    )
    return text, best.encoding, (warning,)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` reads as UTF-16 without a BOM: zero bytes mostly at odd
    (little-endian) or even (big-endian) offsets, and the decoded text is not control noise."""
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    encoding = "utf-16-le" if odd > 0.3 * half and even < 0.05 * half else (
        "utf-16-be" if even > 0.3 * half and odd < 0.05 * half else None)  # fmt: skip
    if encoding is None:
        return None
    try:
        text = data[: len(data) - len(data) % 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    return (text, encoding) if _control_share(text) <= 0.05 else None


def _pick(matches):
    """The best match, but among near-ties prefer the common Western encodings: short
    texts decode equally well as cp1252, cp1250 or cp775, and cp1252 is the likely one."""
    matches = list(matches)
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    close = [m for m in matches if m.chaos <= least + 0.05]
    for preferred in _PREFERRED:
        for match in close:
            if match.encoding == preferred:
                return match
    return matches[0]


def _control_share(text: str) -> float:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls / len(sample)


def _binary(name: str) -> BadInputError:
    return BadInputError(
        name,
        "looks like binary data, not text. Upload the original document "
        "(txt, md, pdf, docx, html, csv) rather than a renamed file.",
    )
