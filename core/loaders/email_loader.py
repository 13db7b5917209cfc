"""E-mail messages (.eml, RFC 5322) with the standard library's email parser: subject as
title, From/To/Cc/Date lines, then the plain-text body (or the HTML body as text), and
the names of attachments (their contents are not read).

langchain-community's only .eml loader (UnstructuredEmailLoader) needs the `unstructured`
package, which fetches NLTK data at run time, so it cannot work offline; the standard
library parses the format completely.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from core.errors import BadInputError
from core.loaders.base import Loaded

HEADERS = ("From", "To", "Cc", "Date")


def load_email(name: str, data: bytes) -> Loaded:
    if b"\x00" in data[:4096]:
        raise BadInputError(name, "looks like binary data, not an e-mail. Save the message as .eml (RFC 822) from "
                            "your mail program; Outlook .msg files are not supported.")  # fmt: skip
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not any(message.get(h) for h in ("From", "To", "Subject", "Date")):
        raise BadInputError(name, "has no e-mail headers (From, To, Subject or Date). Export the message as .eml "
                            "from your mail program, or save plain text as .txt.")  # fmt: skip
    body, warnings = _body(name, message)
    subject = str(message.get("Subject", "")).strip() or None
    head = [f"{h}: {message[h]}" for h in HEADERS if message.get(h)]
    attached = [p.get_filename() for p in message.iter_attachments() if p.get_filename()]
    parts = ["\n".join(([f"Subject: {subject}"] if subject else []) + head), body]
    if attached:
        parts.append("Attachments (not read): " + ", ".join(attached))
    return Loaded(text="\n\n".join(p for p in parts if p), title=subject, warnings=tuple(warnings))


def _body(name: str, message) -> tuple[str, list[str]]:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", [f"{name}: the message has no text body; only its headers are indexed."]
    try:
        content = part.get_content()
    except (LookupError, ValueError) as exc:  # unknown charset, broken transfer encoding
        raise BadInputError(name, f"has a body that cannot be decoded ({exc}). Re-export the message as .eml.") from exc
    if part.get_content_type() == "text/html":
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(content, "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        content = soup.get_text("\n")
    return content.strip(), []
