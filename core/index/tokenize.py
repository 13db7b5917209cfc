"""BM25 tokenisers: plain words, or words plus the technical and legal tokens plain
tokenisers break apart (identifiers, paths, section numbers, amounts).

"words" matches bm25s's default: lower-cased runs of 2+ word characters, English stop
words removed. "technical" adds, for each identifier-like token, the whole token and its
parts: `getUserName` -> getusername, get, user, name; `core/index/build.py` ->
core/index/build.py, core, index, build, py; `12.3(b)` -> 12.3(b), 12.3, 12, 3, b;
`$1,500.00` -> 1500.00, 1500, 1,500. Stemming (Snowball English, PyStemmer) applies to
alphabetic tokens only. It does not handle languages other than English.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"(?u)\b\w\w+\b")
# An amount or number (1,500.00 / $2m / 30%), a section number (12.3(b), 4.2.1), or an
# identifier with internal separators (snake_case, dotted.name, a/b/path, kebab-case).
_COMPOUND = re.compile(
    r"\$?\d[\d,]*(?:\.\d+)*(?:\([a-z0-9]{1,4}\))*%?"
    r"|[A-Za-z_][\w]*(?:[./:\-][\w]+)+(?:\([a-z0-9]{1,4}\))*"
    r"|[A-Za-z_][\w]*"
)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PARTS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str, tokenizer: str = "words", stem: bool = False) -> list[str]:
    """Tokens of `text` for BM25 (the same function serves documents and queries)."""
    tokens = _words(text) if tokenizer == "words" else _technical(text)
    stop = stopwords()
    tokens = [t for t in tokens if t not in stop]
    if stem:
        stemmer = _stemmer()
        tokens = [stemmer.stemWord(t) if t.isalpha() else t for t in tokens]
    return tokens


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _technical(text: str) -> list[str]:
    out: list[str] = []
    for match in _COMPOUND.finditer(text):
        token = match.group(0).rstrip(".,:-/")
        if not token:
            continue
        if token[0].isdigit() or token[0] == "$":
            out.extend(_number(token))
            continue
        parts = [p for piece in _PARTS.findall(token) for p in _CAMEL.findall(piece)] or [token]
        whole = token.lower()
        lowered = [p.lower() for p in parts]
        if len(lowered) > 1 or lowered[0] != whole:
            out.append(whole)
        out.extend(p for p in lowered if len(p) > 1 or p.isdigit())
    return out


def _number(token: str) -> list[str]:
    """1,500.00 -> 1500.00, 1500, 1,500; 12.3(b) -> 12.3(b), 12.3, 12, 3, b; 30% -> 30%, 30."""
    token = token.lstrip("$").lower()
    out = [token]
    plain = token.rstrip("%")
    if plain != token:
        out.append(plain)
    bare = re.sub(r"\([a-z0-9]+\)", "", plain)
    if bare != plain:
        out.append(bare)
        out.extend(re.findall(r"\(([a-z0-9]+)\)", plain))
    if "," in bare:
        bare = bare.replace(",", "")
        out.append(bare)
    if re.fullmatch(r"\d+\.0+", bare):
        out.append(bare.split(".")[0])
    elif "." in bare:
        out.extend(p for p in bare.split(".") if p)
    return list(dict.fromkeys(out))
