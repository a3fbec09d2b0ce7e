"""Document loading: the BISI article field by field, the generic formats, bad input.

Every expected value below was read from the input itself (the corpus file, or the file the
test writes), never from the parser's output. The invariant checked everywhere is the one
citations rely on: ``document.text[block.start:block.end] == block.text``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import SUPPORTED_EXTENSIONS, discover, load_document
from assistant.errors import DocumentError, UnsupportedFormatError
from assistant.schema import Block, Document

from .article_facts import FORECAST_BULLETS

ARTICLE = Path(__file__).resolve().parents[1] / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"

# --------------------------------------------------------------------------------------------
# The BISI article, transcribed from corpus/bisi-2024-07-11-pyongyang-parlays.txt
# (each line with its "•" mark and surrounding spaces / NBSPs removed).
# --------------------------------------------------------------------------------------------

TITLE = "Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"
PUBLISHER = "Bloomsbury Intelligence & Security Institute (BISI)"
BYLINE = "Lily Donahue | 11 July 2024"

SUMMARY_BULLETS = [
    "Russian President Vladimir Putin journeyed to North Korea for the first time since 2000 to "
    "meet with Supreme Leader Kim Jong Un.",
    "Russia and North Korea seek to position their partnership in opposition to Western pacts.",
    "Whilst the U.S. is undoubtedly concerned about the meeting, the coming election will heavily "
    "impact how it responds.",
    "Despite friendships with Russia and North Korea, China is likely unhappy at this turn of events.",
]

BODY_PARAGRAPHS = [
    "Russian President Vladimir Putin met with Supreme Leader of North Korea Kim Jong Un earlier "
    "this month, marking the first Russian presidential visit to North Korea in over two decades. "
    "The purpose of the visit was the signing–supposedly confined to a two-hour maximum– of a "
    "partnership agreement which includes a mutual defence pact, aiming to counter equivalent "
    "Western agreements.",
    "The pact is significant primarily for its ushering in of collaboration in the event of attacks "
    "on Russian or North Korean territory. Kim was characteristically bombastic, announcing that "
    "there would be “no differences in interpretation, or hesitation, or wavering in carrying out "
    "the duty” in response to a potential attack.",
    "The current pact replaces the 2000 Friendship, Cooperation and Good Neighbourliness "
    "Treaty—signed between an early-regime Putin and former North Korean leader Kim Jong II. A "
    "previous treaty signed during the height of the Soviet Union, 1961’s Treaty of Friendship, "
    "Cooperation and Mutual Assistance, echoes this current pact. It is notable that though the "
    "pact says both countries will come to the other’s aid in the event of an attack, “attack” has "
    "not been explicitly defined. This ambiguity will likely increase tensions amongst wary "
    "neighbours and conflictual states, who cannot know what would invoke the “attack” agreement. "
    "Whether this would be confined to physical strikes, or whether it could include financial aid "
    "to Ukraine is unclear.",
    "Beyond the signing of the pact, the summit—lasting two days— was largely composed of "
    "performative moments: a frankly bizarre car ride with both leaders taking turns behind the "
    "wheel, singing children, a Pungsan dog petting zoo, and Russian concerts.",
    "Bathed in a purple neon glow, Putin and Kim listened to a performance of a Russian song, "
    "memorialising war heroes. “We’ll Stand” (Встанем) is thought to have been originally written "
    "for the millions killed in World War II, but has been repurposed to commemorate soldiers "
    "killed in Ukraine. World War II—Russia’s Great Patriotic War—features heavily in the "
    "country’s collective imagination; Stalin has been voted amongst the population as the most "
    "predominant figure in modern history. It is not unfathomable that Putin is trying to present "
    "himself in a similar vein: the second coming of a perceived primary figure.",
    "Putin thanked North Korea for hosting the children of slain Russian soldiers, calling it a "
    "“genuine act of […] friendship.” This comment will likely raise hackles amongst Ukrainians: "
    "Russia has been justifiably accused of illegally transferring thousands of Ukrainian children "
    "across the border. Still, the Ukrainian presidential office has refrained from commenting on "
    "the visit, attempting instead to muzzle news of Putin.",
    "China, too, is likely unhappy at this turn. Despite relatively steady alliances with both "
    "states, China may see the pact as an attempt by Kim to reduce its dependence on China. Should "
    "Pyongyang become emboldened by this pact, for example, engaging in further missile testing, "
    "China will likely be smart at what it may interpret as this potential weakening of the "
    "regional order.",
    "A pessimistic reading of this pact is that it could place China into a de-facto defence pact "
    "with Russia. China and North Korea also have an ongoing defence pact (signed into agreement in "
    "1961), the terms of which could mean that in the event that North Korea is drawn into a war to "
    "defend Russia, China would be required to come to enter the conflict on North Korea’s side "
    "This is likely overly bleak. The pact, over fifty years old, has been subject to changing "
    "interpretations throughout the decades. To see China become unequivocally involved in a "
    "Russian-North Korean-perpetrated conflict is unlikely.",
]


MAP_CAPTION = "See this map in the original post"
PHOTO_CREDIT = "Presidential Executive Office of Russia / Wikimedia"

#: The whole article as (kind, text) in file order: one block per non-blank line.
EXPECTED_SEQUENCE = (
    [("publisher", PUBLISHER), ("boilerplate", "View Original"), ("title", TITLE),
     ("byline", BYLINE), ("caption", MAP_CAPTION), ("heading", "Summary")]
    + [("bullet", t) for t in SUMMARY_BULLETS]
    + [("paragraph", t) for t in BODY_PARAGRAPHS]
    + [("caption", PHOTO_CREDIT), ("heading", "Forecast"), ("bullet", "Short-term")]
    + [("bullet", t) for t in FORECAST_BULLETS]
)


def assert_spans_exact(document: Document) -> None:
    """Every block is the exact slice of the canonical text, trimmed and in document order."""
    assert document.blocks, "no blocks"
    previous_end = 0
    for block in document.blocks:
        assert document.text[block.start : block.end] == block.text, block
        assert block.text, block
        assert block.text == block.text.strip(), f"untrimmed block text: {block.text!r}"
        assert block.start >= previous_end, f"block overlaps or is out of order: {block}"
        previous_end = block.end


def of_kind(document: Document, *kinds: str) -> list[Block]:
    return [b for b in document.blocks if b.kind in kinds]


@pytest.fixture()
def article() -> Document:
    return load_document(ARTICLE)


# -- the BISI article ------------------------------------------------------------------------


def test_transcription_matches_the_file(article_text: str) -> None:
    """Guard for the constants above: each one really is a line of the file, once."""
    lines = [line.strip().lstrip("•").strip() for line in article_text.splitlines() if line.strip()]
    assert lines == [text for _, text in EXPECTED_SEQUENCE]
    assert len(BODY_PARAGRAPHS) == 8 and len(SUMMARY_BULLETS) == 4 and len(FORECAST_BULLETS) == 4
    for _, text in EXPECTED_SEQUENCE:
        assert article_text.count(text) == 1, text


def test_bisi_metadata(article: Document, article_text: str) -> None:
    assert article.format == "bisi"
    assert article.title == TITLE
    assert article.author == "Lily Donahue"
    assert article.date == "2024-07-11"
    assert article.publisher == PUBLISHER
    assert article.sha256 == hashlib.sha256(ARTICLE.read_bytes()).hexdigest()
    assert article.path == str(ARTICLE.resolve()) == article.doc_id
    # For a text file the canonical text is the decoded file itself.
    assert article.text == article_text


def test_bisi_metadata_blocks(article: Document) -> None:
    assert [(b.text, b.section) for b in of_kind(article, "publisher")] == [(PUBLISHER, ())]
    assert [(b.text, b.section) for b in of_kind(article, "title")] == [(TITLE, ())]
    assert [(b.text, b.section) for b in of_kind(article, "byline")] == [(BYLINE, ())]


def test_bisi_summary_bullets(article: Document) -> None:
    summary = [b for b in article.blocks if b.section == ("Summary",)]
    assert [b.text for b in summary] == SUMMARY_BULLETS
    assert all(b.kind == "bullet" and b.level == 1 for b in summary)


def test_bisi_body_paragraphs(article: Document) -> None:
    paragraphs = of_kind(article, "paragraph")
    assert [b.text for b in paragraphs] == BODY_PARAGRAPHS
    # The body follows the Summary bullets but is not part of the Summary.
    assert all(b.section == () for b in paragraphs)


def test_bisi_captions_headings_boilerplate(article: Document) -> None:
    assert [b.text for b in of_kind(article, "caption")] == [MAP_CAPTION, PHOTO_CREDIT]
    assert [b.text for b in of_kind(article, "boilerplate")] == ["View Original"]
    assert [b.text for b in of_kind(article, "heading")] == ["Summary", "Forecast"]
    # Captions and boilerplate are never answerable text.
    texts = {b.text for b in of_kind(article, "paragraph", "bullet")}
    assert not texts & {MAP_CAPTION, PHOTO_CREDIT, "View Original"}


def test_bisi_forecast(article: Document) -> None:
    label = [b for b in article.blocks if b.text == "Short-term"]
    assert len(label) == 1
    assert (label[0].kind, label[0].level, label[0].section) == ("bullet", 1, ("Forecast",))
    nested = [b for b in article.blocks if b.section == ("Forecast", "Short-term")]
    assert [b.text for b in nested] == FORECAST_BULLETS
    assert all(b.kind == "bullet" and b.level == 2 for b in nested)


def test_bisi_whole_structure_and_offsets(article: Document, article_text: str) -> None:
    """One block per non-blank line, in file order, each at the offset where the file has it."""
    assert [(b.kind, b.text) for b in article.blocks] == EXPECTED_SEQUENCE
    for block in article.blocks:
        assert block.start == article_text.index(block.text), block.text[:40]
        assert block.end == block.start + len(block.text)
        assert block.page is None
    assert_spans_exact(article)


def test_bisi_nbsp_and_indent_trimmed(article: Document, article_text: str) -> None:
    """Many lines in the file end with an NBSP and bullets are indented: none of it is kept."""
    assert "\u00a0\n" in article_text  # the file really has trailing NBSPs to trim
    assert "\n    \u2022 " in article_text  # and indented bullet marks
    for block in article.blocks:
        assert "\u00a0" not in block.text
        assert not block.text.startswith("•")


def test_bisi_layout_detected_from_content_not_name(tmp_path: Path, article_text: str) -> None:
    copy = tmp_path / "renamed.txt"
    copy.write_text(article_text, encoding="utf-8")
    document = load_document(copy)
    assert document.format == "bisi"
    assert [(b.kind, b.text) for b in document.blocks] == EXPECTED_SEQUENCE


# -- Markdown ---------------------------------------------------------------------------------

MARKDOWN = """\
---
title: The Harbour Report
author: Jane Roe
date: 2024-03-05
---

# The Harbour Report

Opening paragraph before any section.

## Background

First background paragraph,
continued on a second line.

### Ports

- Item one
- Item two
  - Nested item
    - Deeper item
- Item three

> A quoted remark.

## Outlook

Closing paragraph with *emphasis* kept.
"""

_LIST_MARK = re.compile(r"^[-*+]\s+")

#: (kind, text without a list mark, section, level) for every paragraph and list item.
MARKDOWN_CONTENT = [
    ("paragraph", "Opening paragraph before any section.", (), 0),
    ("paragraph", "First background paragraph, continued on a second line.", ("Background",), 0),
    ("bullet", "Item one", ("Background", "Ports"), 1),
    ("bullet", "Item two", ("Background", "Ports"), 1),
    ("bullet", "Nested item", ("Background", "Ports"), 2),
    ("bullet", "Deeper item", ("Background", "Ports"), 3),
    ("bullet", "Item three", ("Background", "Ports"), 1),
    ("paragraph", "A quoted remark.", ("Background", "Ports"), 0),
    ("paragraph", "Closing paragraph with emphasis kept.", ("Outlook",), 0),
]


@pytest.fixture()
def markdown_doc(tmp_path: Path) -> Document:
    path = tmp_path / "harbour.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    return load_document(path)


def test_markdown_metadata_sections_and_levels(markdown_doc: Document) -> None:
    assert markdown_doc.format == "markdown"
    # The canonical text is what a reader sees: no front matter, no markers, one line per block.
    assert markdown_doc.text == "\n\n".join(b.text for b in markdown_doc.blocks)
    assert "*" not in markdown_doc.text and "---" not in markdown_doc.text
    assert (markdown_doc.title, markdown_doc.author, markdown_doc.date) == (
        "The Harbour Report", "Jane Roe", "2024-03-05"
    )
    content = [
        (b.kind, _LIST_MARK.sub("", b.text), b.section, b.level)
        for b in of_kind(markdown_doc, "paragraph", "bullet")
    ]
    assert content == MARKDOWN_CONTENT
    headings = [b.text for b in of_kind(markdown_doc, "heading", "title")]
    for expected in ("Background", "Ports", "Outlook"):
        assert expected in headings
    assert headings.index("Background") < headings.index("Ports") < headings.index("Outlook")
    # The title names the document, not a section.
    assert all("The Harbour Report" not in b.section for b in markdown_doc.blocks)
    assert_spans_exact(markdown_doc)


def test_markdown_title_from_first_heading_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    text = "# Port Notes\n\nA paragraph.\n\n## Risks\n\n1. First risk.\n2. Second risk.\n"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    assert document.title == "Port Notes"
    assert [(b.kind, b.text) for b in of_kind(document, "title")] == [("title", "Port Notes")]
    assert (document.author, document.date) == (None, None)
    bullets = of_kind(document, "bullet")
    assert [re.sub(r"^\d+\.\s+", "", b.text) for b in bullets] == ["First risk.", "Second risk."]
    assert all(b.section == ("Risks",) and b.level == 1 for b in bullets)
    assert of_kind(document, "paragraph")[0].section == ()
    assert_spans_exact(document)


def test_markdown_list_items_exclude_the_list_mark(markdown_doc: Document) -> None:
    bullets = of_kind(markdown_doc, "bullet")
    assert [b.text for b in bullets] == [
        "Item one", "Item two", "Nested item", "Deeper item", "Item three"
    ]


def test_markdown_front_matter_is_not_a_block(markdown_doc: Document) -> None:
    from assistant.documents.offsets import source_span

    front_matter_end = MARKDOWN.index("---\n", 4) + 4
    assert [b for b in markdown_doc.blocks if source_span(markdown_doc, b.start, b.end)[0] < front_matter_end] == []


@pytest.mark.parametrize("separator", ["\u2028", "\x0c"], ids=["U+2028", "form-feed"])
def test_markdown_with_unicode_line_separator_keeps_all_blocks(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "sep.md"
    text = f"# T\n\nPara one{separator}still one.\n\n## S\n\nPara two.\n"
    path.write_bytes(text.encode("utf-8"))
    document = load_document(path)
    assert [(b.kind, b.text, b.section) for b in document.blocks] == [
        ("title", "T", ()),
        ("paragraph", "Para one still one.", ()),  # a line break inside a paragraph reads as a space
        ("heading", "S", ()),
        ("paragraph", "Para two.", ("S",)),
    ]


# -- plain text -------------------------------------------------------------------------------

PLAIN = """\
Harbour Notes

First paragraph, line one
and its second line.

- bullet one
- bullet two
  - nested bullet

Last paragraph\u00a0with an NBSP inside.\u00a0
"""


def test_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(PLAIN, encoding="utf-8")
    document = load_document(path)
    assert document.format == "text"
    assert document.text == PLAIN
    assert document.title == "Harbour Notes"
    assert [(b.kind, b.text, b.level) for b in document.blocks] == [
        ("title", "Harbour Notes", 0),
        ("paragraph", "First paragraph, line one\nand its second line.", 0),
        ("bullet", "bullet one", 1),
        ("bullet", "bullet two", 1),
        ("bullet", "nested bullet", 2),
        ("paragraph", "Last paragraph\u00a0with an NBSP inside.", 0),
    ]
    assert (document.author, document.date, document.publisher) == (None, None, None)
    assert_spans_exact(document)


def test_plain_text_without_title_line_uses_file_name(tmp_path: Path) -> None:
    path = tmp_path / "port_report-2024.txt"
    path.write_text("The first line is a sentence.\n\nAnother one.\n", encoding="utf-8")
    document = load_document(path)
    assert document.title == "port report 2024"
    assert [b.text for b in of_kind(document, "paragraph")] == [
        "The first line is a sentence.", "Another one."
    ]
    assert_spans_exact(document)


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Wide Title\n\nCafé paragraph here.\n".encode("utf-16"))
    document = load_document(path)
    assert document.title == "Wide Title"
    assert [b.text for b in of_kind(document, "paragraph")] == ["Café paragraph here."]
    assert_spans_exact(document)


# -- HTML -------------------------------------------------------------------------------------

HTML = """\
<!doctype html>
<html>
<head>
  <title>Ports &amp; Harbours | Example Site</title>
  <meta name="author" content="Jane Roe">
  <style>.secret-style { color: red } STYLETEXT</style>
  <script>var token = "SCRIPTTEXT";</script>
</head>
<body>
  <nav><a href="/">NAVTEXT Home</a> <a href="/about">About</a></nav>
  <article>
    <h1>Ports &amp; Harbours</h1>
    <time datetime="2024-03-05T10:00:00Z">5 March 2024</time>
    <nav><ul><li>NAVINSIDE Breadcrumb</li></ul></nav>
    <p>Trade &amp; shipping grew &lt;fast&gt; in   the
       first quarter.<script>inline("PSCRIPT")</script></p>
    <h2>Details</h2>
    <p>Caf&eacute; owners &mdash; and dockers &#8212; agreed.</p>
    <ul>
      <li>First item<style>.li-style { STYLEINLI }</style></li>
      <li>Second &quot;item&quot;</li>
    </ul>
    <script>console.log("INLINESCRIPT")</script>
    <footer><p>FOOTERINSIDE Tags: ports</p></footer>
  </article>
  <footer>FOOTERTEXT Copyright</footer>
</body>
</html>
"""


def test_html(tmp_path: Path) -> None:
    path = tmp_path / "ports.html"
    path.write_text(HTML, encoding="utf-8")
    document = load_document(path)
    assert document.format == "html"
    assert document.title == "Ports & Harbours"
    assert document.author == "Jane Roe"
    assert document.date == "2024-03-05"
    assert document.sha256 == hashlib.sha256(HTML.encode("utf-8")).hexdigest()
    assert [(b.kind, b.text, b.section) for b in document.blocks] == [
        ("title", "Ports & Harbours", ()),
        ("paragraph", "Trade & shipping grew <fast> in the first quarter.", ()),
        ("heading", "Details", ()),
        ("paragraph", "Café owners — and dockers — agreed.", ("Details",)),
        ("bullet", "First item", ("Details",)),
        ("bullet", 'Second "item"', ("Details",)),
    ]
    assert [b.level for b in of_kind(document, "bullet")] == [1, 1]
    for dropped in ("STYLETEXT", "secret-style", "SCRIPTTEXT", "INLINESCRIPT", "PSCRIPT", "STYLEINLI",
                    "NAVTEXT", "NAVINSIDE", "FOOTERTEXT", "FOOTERINSIDE", "Example Site", "&amp;", "<p>"):
        assert dropped not in document.text, dropped
        assert all(dropped not in b.text for b in document.blocks), dropped
    assert_spans_exact(document)


def test_html_title_falls_back_to_title_tag(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><head><title>Only &amp; Title</title></head>"
        "<body><main><p>Body text here.</p></main></body></html>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.title == "Only & Title"
    assert [(b.kind, b.text) for b in document.blocks] == [("paragraph", "Body text here.")]
    assert_spans_exact(document)


def test_html_without_article_drops_navigation_and_footer(tmp_path: Path) -> None:
    path = tmp_path / "plain.html"
    path.write_text(
        "<html><body><header><h1>SITE HEADER</h1></header>"
        "<nav><ul><li>NAVLINK Home</li><li>NAVLINK About</li></ul></nav>"
        "<h1>Real Headline</h1><p>Main text of the page.</p>"
        "<aside><p>ASIDE related links</p></aside>"
        "<footer><ul><li>FOOTLINK Privacy</li></ul><p>FOOTER copyright</p></footer>"
        "</body></html>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.title == "Real Headline"
    assert [(b.kind, b.text) for b in document.blocks] == [
        ("title", "Real Headline"), ("paragraph", "Main text of the page.")
    ]
    assert document.text == "Real Headline\n\nMain text of the page."


def test_html_nested_list_items_are_not_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text(
        "<article><h1>T</h1><p>Intro.</p><ul><li>Outer<ul><li>Inner</li></ul></li></ul></article>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert [(b.text, b.level) for b in of_kind(document, "bullet")] == [("Outer", 1), ("Inner", 2)]
    assert document.text.count("Inner") == 1


def test_html_list_item_paragraphs_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "loose.html"
    path.write_text(
        "<article><h1>T</h1><p>Intro.</p><ul><li><p>Loose item text.</p></li></ul></article>",
        encoding="utf-8",
    )
    document = load_document(path)
    assert "Loose item text." in [b.text for b in document.blocks]


# -- PDF --------------------------------------------------------------------------------------

PDF_PAGE_1 = ("Alpha paragraph on the first page describes the northern harbour in detail. " * 5).strip()
PDF_PAGE_2 = ("Bravo paragraph on the second page covers the southern docks instead. " * 5).strip()


def _make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Harbour PDF")
    pdf.set_author("Jane Roe")
    pdf.set_creation_date(datetime(2024, 7, 11, 9, 30, tzinfo=timezone.utc))
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, PDF_PAGE_1)
    pdf.add_page()
    pdf.multi_cell(0, 8, PDF_PAGE_2)
    pdf.output(str(path))


def test_pdf_two_pages(tmp_path: Path) -> None:
    path = tmp_path / "harbour.pdf"
    _make_pdf(path)
    document = load_document(path)
    assert document.format == "pdf"
    assert (document.title, document.author, document.date) == ("Harbour PDF", "Jane Roe", "2024-07-11")
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {b.page for b in document.blocks} == {1, 2}
    for page, expected in ((1, PDF_PAGE_1), (2, PDF_PAGE_2)):
        on_page = " ".join(b.text for b in document.blocks if b.page == page)
        # multi_cell wraps lines; compare word by word.
        assert on_page.split() == expected.split(), page
    pages = [b.page for b in document.blocks]
    assert pages == sorted(pages)
    assert_spans_exact(document)


def test_pdf_without_title_metadata_takes_short_first_line(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Short Heading Line.")
    pdf.ln(10)
    pdf.multi_cell(0, 8, PDF_PAGE_1)
    path = tmp_path / "untitled.pdf"
    pdf.output(str(path))
    document = load_document(path)
    assert document.title == "Short Heading Line."
    assert document.blocks[0].kind == "title" and document.blocks[0].page == 1
    assert " ".join(b.text for b in of_kind(document, "paragraph")).split() == PDF_PAGE_1.split()
    assert_spans_exact(document)


# -- bad input --------------------------------------------------------------------------------

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"

BAD_FILES = {
    # id: (file name, bytes, words the message must use to say what is wrong)
    "empty": ("empty.txt", b"", "empty"),
    "whitespace-only": ("blank.txt", b"  \n\t\n \r\n\xc2\xa0\n", "whitespace"),
    "binary-named-txt": ("image.txt", PNG_HEADER + bytes(range(256)), "binary"),
    "invalid-utf8": ("latin1.txt", b"caf\xe9 au lait\n\nAnother paragraph.\n", "UTF-8"),
    "invalid-utf8-md": ("latin1.md", b"# Titre\n\nCaf\xe9 cr\xe8me.\n", "UTF-8"),
    "not-a-pdf": ("fake.pdf", b"This is plain text pretending to be a PDF.\n", "not a PDF"),
    "truncated-pdf": ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "PDF"),
    "title-only": ("title-only.txt", b"Just A Title Line\n", "no paragraphs"),
}


@pytest.mark.parametrize("name,data,problem", BAD_FILES.values(), ids=list(BAD_FILES))
def test_bad_files_raise_document_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError) as excinfo:
        load_document(path)
    assert not isinstance(excinfo.value, UnsupportedFormatError)
    assert name in str(excinfo.value)
    assert excinfo.value.path == str(path.resolve())
    assert problem.lower() in excinfo.value.problem.lower()


def test_unknown_extension_raises_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx")
    with pytest.raises(UnsupportedFormatError) as excinfo:
        load_document(path)
    assert "report.docx" in str(excinfo.value)
    assert ".docx" in excinfo.value.problem


def test_missing_file_raises_document_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "missing.txt"
    with pytest.raises(DocumentError) as excinfo:
        load_document(path)
    assert "missing.txt" in str(excinfo.value)
    assert not isinstance(excinfo.value, UnsupportedFormatError)


def test_directory_with_supported_name_raises_document_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentError) as excinfo:
        load_document(folder)
    assert "folder.txt" in str(excinfo.value)


def test_discover_yields_supported_visible_files(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "sub" / ".cache").mkdir()
    supported = ["a.txt", "b.md", "c.html", "d.pdf", "e.htm", "f.markdown", "G.TXT", "sub/h.txt"]
    ignored = ["x.docx", "y.png", "README", ".hidden.txt", ".git/config.txt", "sub/.cache/z.md",
               "sub/notes.json"]
    for rel in supported + ignored:
        (root / rel).write_text("Title\n\nSome text.\n", encoding="utf-8")
    found = list(discover([root]))
    assert found == sorted((root / rel).resolve() for rel in supported)
    assert all(p.suffix.lower() in SUPPORTED_EXTENSIONS for p in found)
    # A file named explicitly is passed through so that its problem can be reported.
    assert list(discover([root / "x.docx"])) == [(root / "x.docx").resolve()]


# -- property: spans are exact for arbitrary text ---------------------------------------------

_LINE_CHARS = st.one_of(
    st.characters(categories=["L", "Nd", "P"]),
    st.sampled_from([" ", " ", "\u00a0", "\t", "é", "ß", "—", "“", "”", "…", "•", "*", "#", ">"]),
)
_LINE = st.text(alphabet=_LINE_CHARS, min_size=1, max_size=60)
_ITEM = st.one_of(
    _LINE,  # a paragraph line
    _LINE.map(lambda s: "- " + s),  # a bullet
    _LINE.map(lambda s: "  - " + s),  # a nested bullet
    st.lists(_LINE, min_size=2, max_size=3).map("\n".join),  # a multi-line paragraph
)
_SEPARATOR = st.sampled_from(["\n", "\n\n", "\n\n\n", "\n \u00a0\n"])


@st.composite
def _documents(draw: st.DrawFn) -> str:
    items = draw(st.lists(_ITEM, min_size=1, max_size=8))
    out = items[0]
    for item in items[1:]:
        out += draw(_SEPARATOR) + item
    return out + draw(st.sampled_from(["", "\n"]))


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=_documents(), suffix=st.sampled_from([".txt", ".md"]))
def test_property_every_block_span_is_exact(tmp_path: Path, body: str, suffix: str) -> None:
    path = tmp_path / f"generated{suffix}"
    path.write_bytes(body.encode("utf-8"))
    try:
        document = load_document(path)
    except DocumentError:
        return  # e.g. nothing but whitespace, or no paragraph at all: rejected cleanly
    assert_spans_exact(document)
    if suffix == ".md":
        # Markdown shows the displayed text; every block maps back into the file, in order.
        from assistant.documents.offsets import source_span

        previous = 0
        for block in document.blocks:
            raw_start, raw_end = source_span(document, block.start, block.end)
            assert previous <= raw_start <= raw_end <= len(body)
            assert body[raw_start] == block.text[0] and body[raw_end - 1] == block.text[-1]
            previous = raw_end
        return
    assert document.text == body
    if suffix == ".txt":
        # Plain text keeps every visible character: each one lies inside some block.
        covered = set()
        for block in document.blocks:
            covered.update(range(block.start, block.end))
        for i, ch in enumerate(body):
            if ch.isalpha():  # digits may be an ordered-list mark ("1. "), letters never are
                assert i in covered, f"character {ch!r} at {i} is in no block"
