"""Extraction of HTML, text and PDF, with caps applied to the decompressed body."""

from __future__ import annotations

import pytest

from crawlers.content import MAX_HTML_BYTES, ContentError, extract, make_pdf


def test_html_title_text_links_and_robots_meta() -> None:
    html = (
        b"<html><head><title> Hello </title><meta name='ROBOTS' content='noindex, nofollow'>"
        b"<link rel='canonical' href='/c'></head><body><p>Some words here.</p>"
        b"<a href='/a'>A <b>link</b></a><a rel='nofollow ugc' href='/n'>N</a>"
        b"<script>var hidden = 1;</script></body></html>"
    )
    ex = extract(html, "text/html; charset=utf-8")
    assert ex.title == "Hello"
    assert ex.links == [("/a", "A link", False), ("/n", "N", True)]
    assert ex.noindex and ex.nofollow and ex.canonical == "/c"
    assert "hidden" not in ex.text and "Some words here." in ex.text


def test_pdf_generated_in_code_is_valid_and_extracted() -> None:
    ex = extract(make_pdf("Manual", ["first line", "second line"]), "application/pdf")
    assert ex.title == "Manual" and ex.text == "first line second line"


def test_oversized_html_is_refused_with_a_reason() -> None:
    with pytest.raises(ContentError, match="exceeds the .*-byte cap"):
        extract(b"<p>" + b"x" * MAX_HTML_BYTES, "text/html")


def test_unsupported_and_broken_bodies_raise_content_errors() -> None:
    with pytest.raises(ContentError, match="unsupported content type 'image/png'"):
        extract(b"\x89PNG", "image/png")
    with pytest.raises(ContentError, match="malformed pdf"):
        extract(b"%PDF-1.4 not really", "application/pdf")
    with pytest.raises(ContentError, match="empty document"):
        extract(b"   ", "text/html")
