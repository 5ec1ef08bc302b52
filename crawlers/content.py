"""Content extraction for HTML, plain text and PDF, each under its own size cap.

Caps apply to the decompressed body (Scrapy's HttpCompressionMiddleware already stops a
decompression bomb at ``DOWNLOAD_MAXSIZE``; these are the tighter per-type limits).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

from lxml import etree

MAX_HTML_BYTES = 2 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024
MAX_PDF_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
_PARSER = etree.HTMLParser(recover=True, remove_comments=True)
_STRING = etree.XPath("string()")
# Text nodes as plain str (no "smart" strings): a third of the cost of ``itertext()``.
_TEXTS = etree.XPath("descendant-or-self::text()", smart_strings=False)
_HEAD_TAGS = ("a", "area", "meta", "title", "link")
_DROP = ("script", "style", "noscript", "template")
_LANG = re.compile(r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]+)*$")


class ContentError(ValueError):
    """The body cannot be used; the message is the recorded reason."""


@dataclass
class Extracted:
    kind: str
    title: str = ""
    text: str = ""
    lang: str = ""
    links: list[tuple[str, str, bool]] = field(default_factory=list)  # href, anchor, nofollow
    canonical: str | None = None
    noindex: bool = False
    nofollow: bool = False
    content_hash: str = ""


def _clean(text: str) -> str:
    """Collapse whitespace runs (``str.split`` uses the same Unicode whitespace as ``\\s``)."""
    return " ".join(text.split())


def detect_language(text: str) -> str:
    """ISO 639-1 code by py3langid; empty when there is too little text to tell."""
    if len(text) < 50:
        return ""
    import py3langid

    lang, _score = py3langid.classify(text[:1000])
    return lang


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def extract(body: bytes, content_type: str | None, encoding: str | None = None) -> Extracted:
    """Dispatch on the media type; raise ``ContentError`` with a reason on unusable input."""
    mtype = media_type(content_type)
    if mtype in ("text/html", "application/xhtml+xml"):
        out = extract_html(body, encoding)
    elif mtype == "text/plain":
        out = extract_text(body, encoding)
    elif mtype == "application/pdf":
        out = extract_pdf(body)
    else:
        raise ContentError(f"unsupported content type {mtype or '(none)'!r}")
    out.content_hash = hashlib.sha256(out.text.encode("utf-8")).hexdigest()
    out.lang = out.lang or detect_language(out.text)
    return out


def _cap(body: bytes, limit: int, kind: str) -> None:
    if len(body) > limit:
        raise ContentError(f"{kind} body of {len(body)} bytes exceeds the {limit}-byte cap")


def extract_html(body: bytes, encoding: str | None = None) -> Extracted:
    _cap(body, MAX_HTML_BYTES, "html")
    if b"\x00" in body[:2048]:
        raise ContentError("malformed html: binary content (NUL bytes)")
    text = body.decode(encoding or "utf-8", errors="replace")
    if not text.strip():
        raise ContentError("malformed html: empty document")
    if text.lstrip().startswith("<?xml"):  # lxml refuses str input with an XML declaration
        text = text.split("?>", 1)[-1]
    try:
        # Plain etree elements: lxml.html's element-class lookup costs more than the parse.
        doc = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ContentError(f"malformed html: {exc}") from exc
    if doc is None:
        raise ContentError("malformed html: empty document")
    out = Extracted(kind="html")
    # A declared <html lang> is the author's word and saves running the classifier.
    declared = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if _LANG.match(declared):
        out.lang = declared[:2].lower()
    # One walk over the tree for links, robots meta, title and canonical (document order).
    robots_parts: list[str] = []
    title: str | None = None
    for el in doc.iter(*_HEAD_TAGS):
        tag = el.tag
        if tag == "a" or tag == "area":
            href = el.get("href")
            if href is None:
                continue
            rel = el.get("rel")
            # Most anchors hold one text node: skip the XPath call for those.
            anchor = _clean(_STRING(el) if len(el) else el.text or "")[:200]
            out.links.append((href, anchor, rel is not None and "nofollow" in rel.lower().split()))
        elif tag == "meta":
            name = el.get("name")
            if name is not None and name.lower() in ("robots", "blueprintbot"):
                robots_parts.append((el.get("content") or "").lower())
        elif tag == "title":
            if title is None:
                title = _first_text(el)
        elif out.canonical is None:  # link
            rel, href = el.get("rel"), el.get("href")
            if rel is not None and href is not None and "canonical" in rel.lower().split():
                out.canonical = href.strip()
    robots = " ".join(robots_parts)
    out.noindex = "noindex" in robots or "none" in robots
    out.nofollow = "nofollow" in robots or "none" in robots
    out.title = _clean(title) if title else ""
    body_el = doc.find("body")
    root = body_el if body_el is not None else doc
    # Stripping an element inside the text's subtree leaves split text nodes that the XPath
    # would join with a space where ``itertext()`` joins the merged tail without one.
    merged = next(root.iter(*_DROP), None) is not None
    etree.strip_elements(doc, *_DROP, with_tail=False)
    texts = root.itertext() if merged else _TEXTS(root)
    out.text = _clean(" ".join(texts))[:MAX_TEXT_CHARS]
    return out


def _first_text(title: etree._Element) -> str | None:
    """What ``//title/text()`` gave first: the element's text, else a child's tail."""
    if title.text is not None:
        return title.text
    return next((child.tail for child in title if child.tail is not None), None)


def extract_text(body: bytes, encoding: str | None = None) -> Extracted:
    _cap(body, MAX_TEXT_BYTES, "text")
    text = body.decode(encoding or "utf-8", errors="replace")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Extracted(kind="text", title=first[:200], text=_clean(text)[:MAX_TEXT_CHARS])


def extract_pdf(body: bytes) -> Extracted:
    _cap(body, MAX_PDF_BYTES, "pdf")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body))
        text = " ".join(page.extract_text() or "" for page in reader.pages[:200])
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ContentError(f"malformed pdf: {exc}") from exc
    text = _clean(text)[:MAX_TEXT_CHARS]
    return Extracted(kind="pdf", title=_clean(str(title)) or text[:80], text=text)


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid PDF with a text layer (for the test web); offsets computed exactly."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT /F1 12 Tf 72 720 Td 14 TL"] + [f"({esc(line)}) '" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (" + esc(title).encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
