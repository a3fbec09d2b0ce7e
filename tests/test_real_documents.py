"""Real documents read cleanly: CRS products as scraped Markdown and as official PDFs.

Only the DEV documents of tests/eval/corpora/crs/ are used here (see its README); the
held-out test documents are never opened by these tests. Every expected value (titles,
authors, dates, headings) was read from the files themselves, never from the parser's output.

Each heuristic also has a unit test on a small synthetic input, so the rules are shown to be
general (they know nothing of these documents' words).
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import chunk_document
from assistant.documents import load_document
from assistant.documents import layout
from assistant.documents.common import decode_text
from assistant.documents.inline import clean_inline
from assistant.documents.offsets import source_span
from assistant.schema import ANSWERABLE_KINDS, Document
from assistant.testing import DEFAULT_CORPUS

CRS = Path(__file__).resolve().parent / "eval" / "corpora" / "crs"

R48903_MD = CRS / "R48903v3-the-strait-of-hormuz-in-brief-non-oil-shipments-.md"
R48903_PDF = CRS / "R48903.3.pdf"
IF11783_MD = CRS / "IF11783v7-biometric-technologies-and-global-security.md"
IF11783_PDF = CRS / "IF11783.7.pdf"
IF12610_MD = CRS / "IF12610v6-defense-primer-u-s-space-force.md"
IF10491_PDF = CRS / "IF10491.14.pdf"
DEV_FILES = [R48903_MD, R48903_PDF, IF11783_MD, IF11783_PDF, IF12610_MD, IF10491_PDF]
MARKDOWN_FILES = [R48903_MD, IF11783_MD, IF12610_MD]
PDF_FILES = [R48903_PDF, IF11783_PDF, IF10491_PDF]

#: (title, author, date) as printed in each product (title line, author lines, cover date).
METADATA = {
    "R48903": ("The Strait of Hormuz in Brief: Non-Oil Shipments and Effects on U.S. Shippers",
               "John Frittelli, Ben Goldman", "2026-04-10"),
    "IF11783": ("Biometric Technologies and Global Security", "Kelley M. Sayler", "2026-04-16"),
    "IF12610": ("Defense Primer: U.S. Space Force", "Hannah D. Dennis, Jennifer DiMascio", "2026-04-17"),
    "IF10491": ("Australia: Background and U.S. Relations", "Jared G. Tupuola", "2026-04-10"),
}

#: Section headings of each product, in order, as its table of contents / body prints them.
HEADINGS = {
    "R48903": ["Introduction", "Control of the Strait", "Inbound and Outbound Ships",
               "Food and Animal Feed", "Steel and Construction Materials", "Automobiles",
               "Oil and Gas Byproducts", "Jones Act Waiver", "National Security Fleets"],
    "IF11783": ["How are biometric technologies being used today?",
                "How could biometric technologies be used in the future?",
                "How could biometric technologies fail?", "Recent legislative activities",
                "Potential questions for Congress"],
    "IF12610": ["Why the Space Force Was Created", "Space Force Mission and Functions",
                "Space Force Organization", "Space Force Budget", "Major Space Acquisition Programs",
                "Potential Considerations for Congress"],
    "IF10491": ["Overview", "Politics and Governance", "Economics and Trade", "Strategic Outlook",
                "Ties with the United States", "Australia-China Relations", "Considerations for Congress"],
}

BODY_KINDS = ("paragraph", "bullet")
SHOWN_KINDS = ("title", "heading", "paragraph", "bullet", "byline", "caption")


def product(path: Path) -> str:
    return re.match(r"[A-Z]+\d+", path.name).group(0)


@pytest.fixture(scope="module")
def docs() -> dict[Path, Document]:
    return {path: load_document(path) for path in DEV_FILES}


def of_kind(document: Document, *kinds: str) -> list:
    return [b for b in document.blocks if b.kind in kinds]


# -- every dev document -----------------------------------------------------------------------


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.name[:16])
def test_every_block_is_an_exact_span_in_order(docs: dict[Path, Document], path: Path) -> None:
    document = docs[path]
    previous = 0
    for block in document.blocks:
        assert document.text[block.start : block.end] == block.text, block
        assert block.text and block.text == block.text.strip(), block
        assert block.start >= previous, block
        previous = block.end
    for chunk in chunk_document(document):
        assert document.text[chunk.start : chunk.end] == chunk.text


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.name[:16])
def test_text_is_clean(docs: dict[Path, Document], path: Path) -> None:
    document = docs[path]
    for block in document.blocks:
        assert "](" not in block.text, block.text
        assert "**" not in block.text, block.text
        assert "__" not in block.text, block.text
        assert "`" not in block.text, block.text
        if block.kind in SHOWN_KINDS:
            assert "|" not in block.text, block.text
            assert "\n" not in block.text, f"hard line break inside a {block.kind}: {block.text!r}"
    body = " ".join(b.text for b in of_kind(document, *BODY_KINDS))
    assert not re.search(r"https?://", body), "a URL reached the body text"
    assert len(of_kind(document, *BODY_KINDS)) >= 10


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.name[:16])
def test_metadata_is_found(docs: dict[Path, Document], path: Path) -> None:
    document = docs[path]
    assert (document.title, document.author, document.date) == METADATA[product(path)]
    assert not document.title.startswith("http")
    titles = of_kind(document, "title")
    assert [b.text for b in titles] == [document.title]
    assert document.blocks.index(titles[0]) <= 3, "the title comes first (after page furniture)"
    # Header lines are metadata, not body text.
    for block in of_kind(document, *BODY_KINDS):
        assert not re.match(r"^(Publication Date|Authors?|Author\(s\)|Updated|Report No)\b", block.text), block.text
    if path.suffix == ".md":  # the scraped page's "Report No.: IF12610" line is the product's number
        numbers = of_kind(document, "identifier")
        assert [b.text for b in numbers] == [f"Report No.: {product(path)}"], numbers


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.name[:16])
def test_headings_give_sections_and_are_never_chunked(docs: dict[Path, Document], path: Path) -> None:
    document = docs[path]
    headings = [b.text for b in of_kind(document, "heading")]
    expected = HEADINGS[product(path)]
    assert [h for h in headings if h in expected] == expected
    sections = {b.section[-1] for b in of_kind(document, *BODY_KINDS) if b.section}
    assert set(expected) <= sections | {"Potential questions for Congress"}  # a bullets-only one
    chunks = chunk_document(document)
    chunk_texts = {c.text for c in chunks}
    for heading in expected:
        assert heading not in chunk_texts, f"heading chunked as an answer: {heading!r}"
    assert {c.kind for c in chunks} <= set(ANSWERABLE_KINDS) | {"caption"}
    # The first body paragraph's section is a real heading (or none), never navigation.
    for block in of_kind(document, *BODY_KINDS):
        for name in block.section:
            assert name in headings, (name, block.text[:40])


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: p.name[:16])
def test_markdown_navigation_versions_and_disclaimer_are_boilerplate(
    docs: dict[Path, Document], path: Path
) -> None:
    document = docs[path]
    raw = decode_text(path.read_bytes(), path)
    boiler = [b for b in document.blocks if b.kind == "boilerplate"]
    # Every version-list entry and every link-only line of the raw file is boilerplate.
    version_lines = [b for b in document.blocks if re.search(r"\(\w+ - Version: \d+\)$", b.text)]
    assert len(version_lines) >= 3 and all(b.kind == "boilerplate" for b in version_lines)
    link_only = re.findall(r"^\[([^\]]+)\]\([^)]*\)$", raw, re.M)
    assert link_only
    for label in link_only:
        matches = [b for b in document.blocks if b.text == label]
        assert matches and all(b.kind == "boilerplate" for b in matches), label
    # The legal notice at the end and its label; the publisher it names is a line of its own.
    publisher = next(b for b in document.blocks if b.kind == "publisher")
    assert boiler[-2].text == "These documents were prepared by the" and boiler[-2].end <= publisher.start
    assert publisher.end <= boiler[-1].start and "copyright" in boiler[-1].text
    assert boiler[-3].text == "Disclaimer:"
    # The navigation headings name no section.
    for heading in ("CRS PRODUCT (LIBRARY OF CONGRESS)", "Contents"):
        assert all(heading not in b.section for b in document.blocks)
        assert all(b.kind == "boilerplate" for b in document.blocks if b.text == heading)


@pytest.mark.parametrize("path", PDF_FILES, ids=lambda p: p.name[:16])
def test_pdf_running_headers_footers_and_disclaimer_are_boilerplate(
    docs: dict[Path, Document], path: Path
) -> None:
    document = docs[path]
    pages = {b.page for b in document.blocks}
    assert len(pages) >= 3 and all(b.page for b in document.blocks)
    for block in document.blocks:
        if block.text.startswith("https://"):
            assert block.kind == "boilerplate", block
        if re.fullmatch(r"[A-Z]+\d+", block.text):  # a lone code: the product's own number once, else furniture
            own = path.name.startswith(block.text) and block is next(b for b in document.blocks if b.text == block.text)
            assert block.kind == ("identifier" if own else "boilerplate"), block
        if re.fullmatch(r".*Service\s+\d+", block.text):  # the page footer with its number
            assert block.kind == "boilerplate", block
    # The title, repeated at the top of every later page, is boilerplate there.
    repeats = [b for b in document.blocks if b.text == document.title]
    assert repeats[0].kind == "title" and repeats[0].page == 1
    assert len(repeats) >= len(pages) - 1 and all(b.kind == "boilerplate" for b in repeats[1:])
    legal = [b for b in document.blocks if "copyright" in b.text]
    assert legal and all(b.kind == "boilerplate" for b in legal)
    assert all(b.kind == "boilerplate" for b in document.blocks if b.text == "Disclaimer")


def test_pdf_lines_are_joined_and_footnote_numbers_dropped(docs: dict[Path, Document]) -> None:
    document = docs[R48903_PDF]
    paragraphs = [b.text for b in of_kind(document, "paragraph")]
    # "...each day.1 As of April 7" in the extracted lines; the 1 opens footnote 1.
    first = next(p for p in paragraphs if p.startswith("Before U.S. and Israeli"))
    assert "about 130 each day. As of April 7, 2026" in first
    # A word broken after a real hyphen keeps it ("Re-" / "routing" in the extracted lines).
    assert "Re-routing by truck" in " ".join(paragraphs)
    footnotes = of_kind(document, "footnote")
    assert [int(b.text.split()[0]) for b in footnotes] == list(range(1, 41))
    named = HEADINGS["R48903"] + ["Author Information"]
    assert all(b.section == () or b.section[-1] in named for b in footnotes)


# -- the same product as Markdown and as PDF --------------------------------------------------


@pytest.mark.parametrize("md, pdf", [(R48903_MD, R48903_PDF), (IF11783_MD, IF11783_PDF)],
                         ids=["R48903", "IF11783"])
def test_markdown_and_pdf_agree(docs: dict[Path, Document], md: Path, pdf: Path) -> None:
    a, b = docs[md], docs[pdf]
    assert (a.title, a.author, a.date, a.publisher) == (b.title, b.author, b.date, b.publisher)
    assert [h.text for h in of_kind(a, "heading") if h.text in HEADINGS[product(md)]] == [
        h.text for h in of_kind(b, "heading") if h.text in HEADINGS[product(md)]
    ]

    def words(document: Document) -> list[str]:
        text = " ".join(x.text for x in of_kind(document, *BODY_KINDS))
        return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()

    ratio = difflib.SequenceMatcher(a=words(a), b=words(b), autojunk=False).ratio()
    assert ratio >= 0.99, ratio

    # Paragraph by paragraph, too: a PDF paragraph cut by a page break is joined again.
    def paragraphs(document: Document) -> list[str]:
        return [" ".join(words_of(x.text)) for x in of_kind(document, *BODY_KINDS)]

    def words_of(text: str) -> list[str]:
        return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()

    pa, pb = paragraphs(a), paragraphs(b)
    assert len(pa) == len(pb)
    assert sum(x == y for x, y in zip(pa, pb)) >= 0.9 * len(pa)
    assert all(re.search(r"[.!?][\"”’)]*$", x) for x in pb), "a PDF paragraph ends mid-sentence"


# -- the offset map back to the raw Markdown --------------------------------------------------


def _words_in_order(words: list[str], raw: str) -> bool:
    pos = 0
    for word in words:
        found = raw.find(word, pos)
        if found < 0:
            return False
        pos = found + len(word)
    return True


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: p.name[:16])
def test_offset_map_points_at_the_raw_characters(docs: dict[Path, Document], path: Path) -> None:
    document = docs[path]
    raw = decode_text(path.read_bytes(), path)
    assert document.source_offsets
    previous = 0
    for block in document.blocks:
        start, end = source_span(document, block.start, block.end)
        assert previous <= start < end <= len(raw)
        assert raw[start] == block.text[0] and raw[end - 1] == block.text[-1], block.text[:40]
        # Displayed characters are a subsequence of the raw span (markup may glue two words,
        # as in "[Home](/)[Next](/n)", so compare characters, not words).
        assert _words_in_order([ch for ch in block.text if not ch.isspace()], raw[start:end]), block.text[:60]
        previous = end
    # Link text maps to the characters inside the brackets; the URL is not displayed.
    for match in re.finditer(r"(?<!!)\[([A-Za-z][^\]\[]{3,})\]\(([^)]+)\)", raw):
        label = match.group(1)
        at = document.text.find(label)
        if at < 0 or "*" in label or "_" in label:
            continue
        start, end = source_span(document, at, at + len(label))
        assert raw[start:end] == label
        assert f"]({match.group(2)})" not in document.text


def test_offset_map_inside_a_paragraph(docs: dict[Path, Document]) -> None:
    document = docs[IF12610_MD]
    raw = decode_text(IF12610_MD.read_bytes(), IF12610_MD)
    # "The Space Force's [mission](https://...) is to ..." in the file.
    sentence = "The Space Force's mission is to"
    at = document.text.index(sentence)
    start, end = source_span(document, at, at + len(sentence))
    assert raw[start:end].startswith("The Space Force's [mission](https://")
    assert raw[start:end].endswith(") is to")
    word = document.text.index("mission", at)
    assert source_span(document, word, word + 7) == (raw.index("[mission]") + 1, raw.index("[mission]") + 8)


# -- each heuristic on small synthetic input --------------------------------------------------


@pytest.mark.parametrize("raw, shown", [
    ("See [the report](https://example.org/a_(b)) now.", "See the report now."),
    ("An ![chart](img.png) image.", "An image."),
    ("**Bold** and _it_ and ***both*** and ~~gone~~.", "Bold and it and both and gone."),
    ("Code `x = 1` stays, ticks go.", "Code x = 1 stays, ticks go."),
    ("| a | b |", "a b"),
    ("snake_case and 2 * 3 stay", "snake_case and 2 * 3 stay"),
    ("a lone 2*3 star stays", "a lone 2*3 star stays"),
    ("Escaped \\*star\\* and &amp; entity", "Escaped *star* and & entity"),
    ("line one\nline two  \nline three", "line one line two line three"),
    ("A <span>tag</span> and <https://x.org/y> autolink", "A tag and https://x.org/y autolink"),
    ("[nested [brackets]](u) and [editorial] text", "nested [brackets] and [editorial] text"),
    # Footnote markers are not text (the PDF parser drops them as well).
    ("Ports grew.[^2] Trade fell.[3](#fn3) Then[[4]](#fn4) <sup>5</sup>rose.",
     "Ports grew. Trade fell. Then rose."),
    # An empty emphasis pair glued between words stands where the scraped page had a space.
    ("The******GPS**** Enterprise** provides; the Force****is****soliciting",
     "The GPS Enterprise provides; the Force is soliciting"),
    ("**bold**text stays glued as written", "boldtext stays glued as written"),
    # a run of mixed marks counts too ("From**__****_**space"), but a lone letter that is no word
    # continues into the next ("**s****pace**": one word in two bold spans)
    ("_**From**__****_**space****.**", "From space."),
    ("_**In **_**s****pace****.** and a****new one", "In space. and a new one"),
])
def test_clean_inline(raw: str, shown: str) -> None:
    cleaned = clean_inline(raw, 0, len(raw))
    assert cleaned.text == shown
    for ch, index in zip(cleaned.chars, cleaned.raw):
        assert ch == " " or ch == raw[index] or raw[index] == "&", (ch, index)


def test_link_density() -> None:
    nav = "[Home](/) > [Products](/p) > [Item](/i)"
    prose = "A long sentence of ordinary prose that mentions [one link](/x) in passing."
    assert clean_inline(nav, 0, len(nav)).link_density() > 0.8
    assert clean_inline(prose, 0, len(prose)).link_density() < 0.2


def test_key_value_lines_and_authors() -> None:
    assert layout.key_value("Author(s): Roe, Jane") == ("Author(s)", "Roe, Jane")
    assert layout.key_value("This sentence has a colon: inside it and goes on") is None
    assert layout.key_role("Publication Date") == "date" and layout.key_role("Authors") == "author"
    assert layout.key_role("Topics") is None
    for key in ("Report No.", "CRS Product Number", "Document ID", "DOI"):
        assert layout.key_role(key) == "identifier", key
    assert layout.key_role("Version") is None
    assert layout.normalise_authors("Roe, Jane; Doe, John Q.") == "Jane Roe, John Q. Doe"
    assert layout.normalise_authors("Jane Roe, John Doe") == "Jane Roe, John Doe"
    assert layout.author_line("Jane Q. Roe, Senior Analyst in Trade Policy") == "Jane Q. Roe"
    assert layout.author_line("Ports grew, analysts said in March.") is None


def test_dates() -> None:
    # 03/05/2024 reads both ways; a date written out elsewhere in the document decides.
    assert layout.resolve_date("03/05/2024", ["2024-03-05"]) == "2024-03-05"
    assert layout.resolve_date("03/05/2024", ["2024-05-03"]) == "2024-05-03"
    assert layout.resolve_date("03/25/2024", []) == "2024-03-25"  # only one reading exists
    assert layout.updated_date("Harbour Notes Updated March 5, 2024 (X1)") == "2024-03-05"
    assert layout.text_dates("on 5 March 2024 and June 1, 2023") == ["2024-03-05", "2023-06-01"]


def test_shapes() -> None:
    assert layout.looks_like_heading("Trade and Shipping")
    assert layout.looks_like_heading("How is the port used?")
    assert not layout.looks_like_heading("The port grew in 2023.")
    assert not layout.looks_like_heading("a lower-case continuation line")
    assert layout.is_page_furniture("12") and layout.is_page_furniture("Page 3 of 9")
    assert layout.is_page_furniture("https://example.org") and layout.is_page_furniture("AB1234")
    assert not layout.is_page_furniture("Ports in 2024")
    assert layout.is_legal_notice("Copyright 2024. May be reproduced with permission.")
    assert not layout.is_legal_notice("The permission to dock was granted.")
    assert layout.is_caption("Figure 2. Port traffic") and layout.is_caption("Source: Harbour office.")
    assert layout.contains_title("HomeHarbour Notes on TradeUpdated May 1, 2024", "Harbour Notes on Trade")


SYNTHETIC_MD = """\
# Harbour Notes on Trade

**Author(s):** Roe, Jane
**Publication Date:** 03/05/2024
**Publisher:** Example Harbour Institute

[Home](https://example.org/) > [Notes](https://example.org/notes)

## SITE SECTION BANNER

[Back to list](https://example.org/list)

- [March 5, 2024 (Version 2)](https://example.org/v2)
- [January 9, 2024 (Version 1)](https://example.org/v1)

Harbour Notes on TradeUpdated March 5, 2024

The harbour handled more [container](https://example.org/c) ships this year than in any
year before, according to the **port authority**.

Why Volumes Rose

Shipping lines moved routes to the _northern_ terminal after the canal works ended.

| Figure 1. | Monthly volumes |

Closing remarks follow the figure here.

**Caveat:** the volumes are preliminary.

    Notice:
 Copyright 2024 Example Org. This text may be reproduced only with permission.
"""


def test_synthetic_markdown(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(SYNTHETIC_MD, encoding="utf-8")
    document = load_document(path)
    assert (document.title, document.author, document.date) == (
        "Harbour Notes on Trade", "Jane Roe", "2024-03-05"
    )
    assert document.publisher == "Example Harbour Institute"
    kinds = {b.text: b.kind for b in document.blocks}
    assert kinds["Author(s): Roe, Jane"] == "byline"
    assert kinds["Publication Date: 03/05/2024"] == "dateline"  # when it was published is answerable
    assert kinds["Home > Notes"] == "boilerplate"
    assert kinds["SITE SECTION BANNER"] == "boilerplate"
    assert kinds["Back to list"] == "boilerplate"
    assert kinds["March 5, 2024 (Version 2)"] == "boilerplate"
    assert kinds["Harbour Notes on TradeUpdated March 5, 2024"] == "boilerplate"
    assert kinds["Why Volumes Rose"] == "heading"
    assert kinds["Figure 1. Monthly volumes"] == "caption"
    assert kinds["Notice:"] == "boilerplate"
    legal = [b for b in document.blocks if b.text.startswith("Copyright")]
    assert legal and legal[0].kind == "boilerplate"
    body = of_kind(document, "paragraph")
    assert [b.text for b in body] == [
        "The harbour handled more container ships this year than in any year before, "
        "according to the port authority.",
        "Shipping lines moved routes to the northern terminal after the canal works ended.",
        "Closing remarks follow the figure here.",
        "Caveat: the volumes are preliminary.",  # a Key: value line in the body stays text
    ]
    assert [b.section for b in body] == [()] + [("Why Volumes Rose",)] * 3


def _synthetic_pdf(path: Path) -> None:
    """Three pages, each with a running header and a page-number footer, hard-wrapped lines,
    a heading, a word broken across lines and a real hyphen broken across lines."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2024, 7, 11, tzinfo=timezone.utc))
    pages = [
        ["Harbour Notes on Trade", "Updated March 5, 2024",
         "The harbour handled more container ships this year than in any year",
         "before, and international traffic grew fastest of all the categories we",
         "follow. Crews were well-", "rested after the new rota.",
         "Why Volumes Rose",
         "Shipping lines moved routes to the northern terminal after the canal",
         "works ended, so the inter-", "national share rose again in the spring.",
         "Jane Roe, Analyst in Maritime Trade"],
        ["Dock Labour",
         "Dockers worked longer shifts during the peak months, and the port",
         "hired extra crews to keep the cranes running through the night while",
         "the terminal was rebuilt.", "Port Outlook",
         "Forecasts expect steady growth through next year as the new berths open",
         "and the older quays close for repairs over the summer season."],
        ["Copyright 2024 Example Org. This text may be reproduced only with",
         "permission of the copyright holder.", "Closing"],
    ]
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.cell(0, 6, "Harbour Quarterly Review", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-20)
        pdf.cell(0, 6, f"Page {number} of 3", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_synthetic_pdf(tmp_path: Path) -> None:
    path = tmp_path / "review.pdf"
    _synthetic_pdf(path)
    document = load_document(path)
    assert (document.title, document.author, document.date) == (
        "Harbour Notes on Trade", "Jane Roe", "2024-03-05"
    )
    kinds = [(b.kind, b.text) for b in document.blocks]
    assert ("boilerplate", "Harbour Quarterly Review") in kinds
    assert all(k == "boilerplate" for k, t in kinds if t == "Harbour Quarterly Review" or t.startswith("Page "))
    assert ("dateline", "Updated March 5, 2024") in kinds  # metadata an answer can quote, not body text
    assert ("heading", "Why Volumes Rose") in kinds and ("heading", "Port Outlook") in kinds
    paragraphs = [b for b in document.blocks if b.kind == "paragraph"]
    text = " ".join(b.text for b in paragraphs)
    assert "\n" not in text
    assert "Crews were well-rested after" in text  # a real hyphen stays
    assert "so the international share rose" in text  # a broken word is re-joined
    assert any(b.section == ("Why Volumes Rose",) for b in paragraphs)
    assert ("byline", "Jane Roe, Analyst in Maritime Trade") in kinds
    assert all(b.kind == "boilerplate" for b in document.blocks if "Copyright" in b.text)
    assert all(b.page in (1, 2, 3) for b in document.blocks)


def test_synthetic_pdf_footnotes_and_a_paragraph_across_a_page_break(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.set_auto_page_break(False)
    pages = [
        ["Harbour Notes", "",
         "The harbour handled more container ships this year than in any year",
         "before.1 International traffic grew fastest of all the categories, and",
         "the port hired extra crews to keep the cranes running through the", "",
         "1 Port authority, annual report.", "2 Harbour office, traffic counts."],
        ["night while the terminal was rebuilt.2 Forecasts expect steady growth",
         "through next year as the new berths open and older quays close."],
    ]
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "notes.pdf"
    pdf.output(str(path))
    document = load_document(path)
    paragraphs = of_kind(document, "paragraph")
    assert [b.page for b in paragraphs] == [1]
    assert paragraphs[0].text == (
        "The harbour handled more container ships this year than in any year before. International "
        "traffic grew fastest of all the categories, and the port hired extra crews to keep the cranes "
        "running through the night while the terminal was rebuilt. Forecasts expect steady growth "
        "through next year as the new berths open and older quays close."
    )
    assert [b.text for b in of_kind(document, "footnote")] == [
        "1 Port authority, annual report.", "2 Harbour office, traffic counts."
    ]
    assert document.text.index("quays close.") < document.text.index("1 Port authority")


def test_pdf_without_a_title_line_is_named_after_its_file(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    body = " ".join(f"Crews loaded {n} boxes at berth {n + 2} before the tide turned." for n in range(12))
    pdf.multi_cell(0, 6, body)
    path = tmp_path / "berth_log.pdf"
    pdf.output(str(path))
    document = load_document(path)
    assert document.title == "berth log"  # the first line runs on into the next: body text
    assert of_kind(document, "title") == []
    assert " ".join(b.text for b in of_kind(document, "paragraph")).split() == body.split()


# -- generated Markdown: the offset map holds for any mix of markup ---------------------------

_WORD = st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)


@st.composite
def _inline(draw: st.DrawFn) -> str:
    word = draw(_WORD)
    wrap = draw(st.sampled_from(["plain", "link", "bold", "em", "code", "image", "auto"]))
    return {
        "plain": word,
        "link": f"[{word}](https://example.org/{word}?q=1)",
        "bold": f"**{word}**",
        "em": f"_{word}_",
        "code": f"`{word}`",
        "image": f"![{word}](pic.png)",
        "auto": f"<https://example.org/{word}>",
    }[wrap]


@st.composite
def _markdown(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 6))):
        words = draw(st.lists(_inline(), min_size=1, max_size=10))
        line = " ".join(words)
        shape = draw(st.sampled_from(["para", "wrapped", "heading", "bullet", "row", "quote"]))
        if shape == "wrapped" and len(words) > 1:
            half = len(words) // 2
            line = " ".join(words[:half]) + "\n" + " ".join(words[half:])
        blocks.append({
            "para": line, "wrapped": line, "heading": "## " + line, "bullet": "- " + line,
            "row": "| " + " | ".join(words) + " |", "quote": "> " + line,
        }[shape])
    return "\n\n".join(blocks) + "\n"


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_markdown())
def test_property_cleaned_words_appear_in_order_in_the_mapped_raw_span(tmp_path: Path, body: str) -> None:
    path = tmp_path / "generated.md"
    path.write_text(body, encoding="utf-8")
    try:
        document = load_document(path)
    except Exception as exc:  # only "no paragraphs" may be refused
        assert "no paragraphs" in str(exc)
        return
    for block in document.blocks:
        assert document.text[block.start : block.end] == block.text
        assert "](" not in block.text and "**" not in block.text and "`" not in block.text
        assert "|" not in block.text
        start, end = source_span(document, block.start, block.end)
        assert 0 <= start <= end <= len(body)
        assert _words_in_order(re.findall(r"\w+", block.text), body[start:end]), (block.text, body[start:end])
        # Any sub-span maps inside the block's own raw span.
        mid = (block.start + block.end) // 2
        s2, e2 = source_span(document, block.start, mid)
        assert start <= s2 <= e2 <= end


def test_the_shape_thresholds_are_settings(tmp_path: Path) -> None:
    """The link-density rule follows ``parse_link_density``: the same line is navigation under
    the default and text when the setting allows more links."""
    from assistant import load_settings
    from assistant.documents.layout import LayoutRules

    path = tmp_path / "links.md"
    line = "See [the harbour report](https://example.org/a) and [the port plan](https://example.org/b) here."
    path.write_text(f"# Harbour Notes\n\n{line}\n\nShips arrived late in the spring because the canal was closed for repairs.\n",
                    encoding="utf-8")
    shown = "See the harbour report and the port plan here."

    def kind(**changes: float) -> str:
        document = load_document(path, LayoutRules.from_settings(load_settings(**changes)))
        return next(b.kind for b in document.blocks if b.text == shown)

    assert kind() == "boilerplate"
    assert kind(parse_link_density=0.95) == "paragraph"


def test_a_pdf_only_products_number_is_metadata(docs: dict[Path, Document]) -> None:
    """The Australia In Focus exists only as a PDF: the code it is filed under ("IF10491") is
    printed under its author block, and becomes its identifier line, as "Report No." does in
    the scraped Markdown."""
    document = docs[CRS / "IF10491.14.pdf"]
    assert [b.text for b in document.blocks if b.kind == "identifier"] == ["IF10491"]


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.name[:16])
def test_the_notice_saying_who_prepared_a_product_gives_its_publisher(docs: dict[Path, Document], path: Path) -> None:
    """CRS products name their publisher only in the closing notice ("This document was prepared
    by the Congressional Research Service (CRS). CRS serves as ..."): the organisation becomes
    the publisher and a publisher line over its exact span, in no section; the rest of the
    notice stays boilerplate, never chunked."""
    document = docs[path]
    assert document.publisher == "Congressional Research Service (CRS)"
    lines = [b for b in document.blocks if b.kind == "publisher"]
    assert len(lines) == 1 and lines[0].section == ()
    assert document.text[lines[0].start:lines[0].end] == lines[0].text == document.publisher
    chunks = chunk_document(document)
    assert any(c.kind == "publisher" for c in chunks)
    assert not any("nonpartisan shared staff" in c.text for c in chunks)


@pytest.mark.parametrize("text, name", [
    ("This document was prepared by the Congressional Research Service (CRS). CRS serves as staff.",
     "Congressional Research Service (CRS)"),
    ("These reports were published by the Office of Net Assessment.", "Office of Net Assessment"),
    ("This brief was produced by Acme Policy & Research Group for its members.", "Acme Policy & Research Group"),
    ("This document was prepared by hand.", None),
    ("Prepared by Jane.", None),
    ("The report was prepared by Smith.", None),  # one word: a person as likely as an organisation
])
def test_who_prepared_a_document(text: str, name: str | None) -> None:
    span = layout.preparer_span(text)
    assert (text[span[0]:span[1]] if span else None) == name


def test_a_publisher_of_its_own_is_kept() -> None:
    """A document with a publisher line keeps it, and no second publisher line is made."""
    document = load_document(next(p for p in sorted(DEFAULT_CORPUS.iterdir()) if p.suffix == ".txt"))
    assert document.publisher and [b.kind for b in document.blocks].count("publisher") == 1


# -- footnotes ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [R48903_MD, R48903_PDF], ids=["md", "pdf"])
def test_a_footnote_that_explains_is_a_passage_and_one_that_only_cites_a_web_page_is_not(
        docs: dict[Path, Document], path: Path) -> None:
    """Note 10 of R48903 explains a term of the text; note 5 only cites a web article, whose
    headline would answer questions the product never addresses. The note's number is no
    part of a passage, and every passage is an exact span."""
    document = docs[path]
    notes = [c for c in chunk_document(document) if c.kind == "footnote"]
    texts = [c.text for c in notes]
    assert "Harbor mines are devices that explode if struck by a vessel hull." in texts
    assert any(t.startswith("From New Orleans, the corn oil") for t in texts)  # after the note's web address
    assert not any("://" in t or "www." in t for t in texts)
    assert not any(re.match(r"\d+\.? (Harbor|From|CRS)", t) for t in texts)  # "10. Harbor mines ..."
    assert all(document.text[c.start:c.end] == c.text for c in notes)


def test_the_same_notes_in_both_formats(docs: dict[Path, Document]) -> None:
    def notes(path: Path) -> list[str]:
        return [" ".join(c.text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").split())
                for c in chunk_document(docs[path]) if c.kind == "footnote"]

    assert notes(R48903_MD) == notes(R48903_PDF)


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: p.name[:16])
def test_header_fields_are_quotable_lines_of_their_own(docs: dict[Path, Document], path: Path) -> None:
    """The header's "Product Type:", "Version:" lines are `field` passages (each value once,
    though the page repeats its header in a table); its "Source:" web address is not."""
    document = docs[path]
    fields = [b.text for b in of_kind(document, "field")]
    assert any(f.startswith("Product Type: ") for f in fields) and any(f.startswith("Version: ") for f in fields)
    assert not any("://" in f for f in fields)
    values = [f.partition(":")[2].strip().casefold() for f in fields]
    assert len(values) == len(set(values))
    assert all(c.kind != "field" or document.text[c.start:c.end] == c.text for c in chunk_document(document))
