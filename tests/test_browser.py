"""The real web UI in headless Chromium, against a real `launch()` server on 127.0.0.1.

Every request the page makes is recorded and must stay on 127.0.0.1 (no font CDNs, no
analytics). Screenshots of the main states go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .ui_server import REPO, UIServer, run_ui_server

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"system Chromium not found at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
ANSWER_TIMEOUT = 60_000  # ms; an extractive answer takes a second or two, the first one a bit more
UI_TIMEOUT = 15_000

TREATY_Q = "Which treaty does the new pact replace?"
FOLLOW_UP_Q = "Who signed it?"
KIMCHI_Q = "What is a good recipe for kimchi?"
HARBOUR_Q = "How many cargo ships did the harbour at Rason handle?"
# Markup as code spans: the Markdown parser keeps their text (raw inline HTML it drops), so the
# page must show the tags as text and never render or run them.
HARBOUR_MD = (
    "# Harbour Report\n\n"
    "The harbour at Rason handled `<b>eleven</b>` cargo ships in August, officials said. "
    '`<img src=x onerror="window.__xss=1">`\n'
)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIServer]:
    yield from run_ui_server(tmp_path_factory, "browser-ui")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    ctx.set_default_timeout(UI_TIMEOUT)
    try:
        yield ctx
    finally:
        ctx.close()


class RecordedPage:
    """A fresh page (a fresh Gradio session) that records every URL it requests."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.urls: list[str] = []
        page.on("request", lambda req: self.urls.append(req.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def assert_loopback_only(self) -> None:
        assert self.urls, "no requests were recorded"
        outside = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in ("data", "about"):
                continue
            if parts.scheme == "blob":
                parts = urlsplit(url[len("blob:"):])
            if parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname != "127.0.0.1":
                outside.append(url)
        assert not outside, f"the page requested resources outside 127.0.0.1: {sorted(set(outside))}"


@pytest.fixture()
def ui(context: BrowserContext, server: UIServer, request: pytest.FixtureRequest) -> Iterator[RecordedPage]:
    page = context.new_page()
    recorded = RecordedPage(page)
    page.goto(server.url, wait_until="domcontentloaded")
    expect(page.locator("#question textarea")).to_be_visible(timeout=60_000)
    try:
        yield recorded
    finally:
        shot(page, f"last-{request.node.name}.png")  # the final state, for looking at failures
        page.close()


def shot(page: Page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


# ---------------------------------------------------------------- helpers


def ask(page: Page, question: str) -> None:
    """Type a question, press Ask, and wait until its final answer is in the chat and its
    sources are in the panel."""
    bots_before = page.locator("#chat [data-testid=bot]").count()
    box = page.locator("#question textarea")
    box.fill(question)
    page.locator("#ask-btn").click()
    expect(page.locator("#chat [data-testid=bot]")).to_have_count(bots_before + 1, timeout=ANSWER_TIMEOUT)
    # The final yield of the handler is the one that fills the sources panel.
    banner = page.locator("#sources .src-banner")
    expect(banner).to_contain_text(question, timeout=ANSWER_TIMEOUT)
    expect(box).to_have_value("")


def settle(page: Page, component: str) -> None:
    """Wait until a component's loading overlay has faded out (for clean screenshots)."""
    page.wait_for_function(
        """(sel) => { const t = document.querySelector(sel + ' [data-testid=status-tracker]');
                      return !t || (t.classList.contains('hide')
                                    && getComputedStyle(t).opacity === '0'); }""",
        arg=component,
    )


def last_answer(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#chat [data-testid=bot]").last


def squash(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- tests


def test_chat_answer_follow_up_abstention_export_and_clear(ui: RecordedPage, tmp_path: Path) -> None:
    page = ui.page

    # 1. A cited answer.
    ask(page, TREATY_Q)
    answer = last_answer(page)
    expect(answer).to_contain_text("Good Neighbourliness Treaty", timeout=ANSWER_TIMEOUT)
    expect(answer.locator("a.cite")).not_to_have_count(0)
    chip = answer.locator("a.cite").first
    expect(chip).to_have_attribute("href", re.compile(r"^#src-\d+$"))
    expect(chip).to_contain_text(re.compile(r"^\[\d+\]$"))

    cited = page.locator("#sources .src-card.cited")
    expect(cited).not_to_have_count(0)
    marks = page.locator("#sources .src-card.cited mark")
    expect(marks).not_to_have_count(0)
    answer_text = squash(answer.inner_text())
    mark_texts = [squash(t) for t in marks.all_inner_texts()]
    assert any(m and m in answer_text for m in mark_texts), (
        f"no highlighted quote appears in the answer; marks={mark_texts!r} answer={answer_text!r}"
    )
    treaty_card = page.locator("#sources .src-card.cited", has_text="Good Neighbourliness Treaty")
    expect(treaty_card).not_to_have_count(0)
    shot(page, "01-answer.png")

    # 2. The [n] chip scrolls the sources panel to passage n and flashes it.
    page.mouse.wheel(0, 2000)  # move away from the top first
    href = chip.get_attribute("href")
    assert href
    chip.click()
    card = page.locator(href)
    expect(card).to_have_class(re.compile(r"\bflash\b"), timeout=1200)
    expect(card).to_be_in_viewport()
    expect(card).to_have_class(re.compile(r"\bcited\b"))

    # 3. A follow-up question resolved against the conversation.
    ask(page, FOLLOW_UP_Q)
    follow = last_answer(page)
    expect(follow).to_contain_text("Putin")
    expect(follow.locator("a.cite")).not_to_have_count(0)
    expect(follow).not_to_contain_text("Not covered by the corpus")
    shot(page, "02-followup.png")

    # 4. Out of scope: the assistant abstains, in the chat and in the sources panel.
    ask(page, KIMCHI_Q)
    refusal = last_answer(page)
    expect(refusal).to_contain_text("Not covered by the corpus")
    expect(refusal.locator("a.cite")).to_have_count(0)
    expect(page.locator("#sources #abstain-banner")).to_be_visible()
    expect(page.locator("#sources #abstain-banner")).to_contain_text("Not covered by the corpus")
    expect(page.locator("#sources .src-card.cited")).to_have_count(0)
    shot(page, "03-abstention.png")

    # 5. Export: a downloadable Markdown file with the three questions and their citations.
    expect(page.locator("#export-file")).to_be_hidden()
    page.locator("#export-btn").click()
    expect(page.locator("#export-file")).to_be_visible()
    link = page.locator("#export-file a[download]")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".md")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    exported = saved.read_text(encoding="utf-8")
    assert f"## Q1: {TREATY_Q}" in exported
    assert f"## Q2: {FOLLOW_UP_Q}" in exported
    assert f"## Q3: {KIMCHI_Q}" in exported
    assert "Good Neighbourliness Treaty" in exported
    citation_line = r"^- \[1\] .*characters \d+–\d+ of bisi-2024-07-11-pyongyang-parlays\.txt"
    assert re.search(citation_line, exported, re.M), exported

    # 6. Clear conversation empties the chat, the sources panel and the export.
    page.locator("#clear-btn").click()
    expect(page.locator("#chat [data-testid=bot]")).to_have_count(0)
    expect(page.locator("#chat [data-testid=user]")).to_have_count(0)
    expect(page.locator("#sources .src-card")).to_have_count(0)
    expect(page.locator("#sources")).to_contain_text("Sources for the selected answer appear here.")
    expect(page.locator("#export-file")).to_be_hidden()
    # Nothing is left to export.
    page.locator("#export-btn").click()
    expect(page.get_by_text("Nothing to export yet.")).to_be_visible()
    expect(page.locator("#export-file")).to_be_hidden()

    ui.assert_loopback_only()


def test_upload_bad_file_and_escaped_document_text(ui: RecordedPage, tmp_path: Path) -> None:
    page = ui.page
    good = tmp_path / "harbour-report.md"
    good.write_text(HARBOUR_MD, encoding="utf-8")
    empty = tmp_path / "empty-notes.txt"
    empty.write_text("", encoding="utf-8")
    wrong = tmp_path / "memo.docx"
    wrong.write_bytes(b"PK\x03\x04 not really a docx")

    page.get_by_role("tab", name="Corpus").click()
    docs = page.locator("#documents")
    expect(docs).to_contain_text("Pyongyang Parlays")
    expect(docs).not_to_contain_text("Harbour Report")
    upload_input = page.locator("#upload input[type=file]")

    # A good Markdown file is added and listed.
    upload_input.set_input_files(str(good))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("added", timeout=ANSWER_TIMEOUT)
    expect(status).to_contain_text("harbour-report.md")
    expect(docs).to_contain_text("Harbour Report")
    settle(page, "#documents")
    shot(page, "04-upload.png")
    docs_before = docs.inner_text()

    # An empty .txt is refused by the server, and nothing changes.
    page.locator("#upload button[aria-label=Clear]").click()
    upload_input.set_input_files(str(empty))
    expect(status).to_contain_text("Not added", timeout=ANSWER_TIMEOUT)
    expect(status).to_contain_text("empty")
    expect(status).to_contain_text("Nothing was changed")
    settle(page, "#documents")
    assert docs.inner_text() == docs_before
    shot(page, "05-upload-rejected.png")

    # A .docx is refused by the browser before it is sent; still nothing changes.
    page.locator("#upload button[aria-label=Clear]").click()
    upload_input.set_input_files(str(wrong))
    expect(page.get_by_text(re.compile(r"Invalid file type: memo\.docx"))).to_be_visible()
    assert docs.inner_text() == docs_before
    expect(docs).not_to_contain_text("memo")

    # The new document answers, and its HTML is shown as text, never run or rendered.
    page.get_by_role("tab", name="Chat").click()
    ask(page, HARBOUR_Q)
    answer = last_answer(page)
    expect(answer.locator("a.cite")).not_to_have_count(0)
    expect(answer).to_contain_text("eleven")
    cited = page.locator("#sources .src-card.cited", has_text="Harbour Report")
    expect(cited).not_to_have_count(0)
    expect(cited.first.locator("mark")).to_contain_text("<b>eleven</b>")
    expect(answer).to_contain_text("<b>eleven</b>")  # the literal tags, as visible text
    expect(page.get_by_text("<b>eleven</b>", exact=False).first).to_be_visible()
    assert page.evaluate("typeof window.__xss") == "undefined", "document HTML ran in the page"
    assert page.locator("img[src='x']").count() == 0, "document <img> was rendered"
    assert page.locator("b", has_text="eleven").count() == 0, "document <b> was rendered"
    shot(page, "06-escaped.png")

    ui.assert_loopback_only()


def test_sources_panel_scrolls_instead_of_spilling(ui: RecordedPage) -> None:
    page = ui.page
    ask(page, TREATY_Q)
    expect(page.locator("#sources .src-card")).not_to_have_count(0)
    shot(page, "bug-sources-overflow.png")
    box = page.evaluate(
        """() => { const el = document.getElementById('sources');
                   return {overflowY: getComputedStyle(el).overflowY,
                           clientHeight: el.clientHeight, scrollHeight: el.scrollHeight}; }"""
    )
    spills = box["scrollHeight"] > box["clientHeight"] + 1
    assert not spills or box["overflowY"] in ("auto", "scroll"), (
        f"sources content ({box['scrollHeight']}px) overflows its box ({box['clientHeight']}px) "
        f"with overflow-y: {box['overflowY']}"
    )


def test_chatbot_trash_icon_also_forgets_the_conversation(ui: RecordedPage) -> None:
    page = ui.page
    ask(page, TREATY_Q)
    trash = page.locator("#chat button[aria-label=Clear]")
    if trash.count() == 0:
        return  # no trash icon, no way to get the chat and the state out of step
    trash.click()
    expect(page.locator("#chat [data-testid=bot]")).to_have_count(0)
    page.locator("#export-btn").click()
    page.wait_for_timeout(2000)
    shot(page, "bug-trash-export.png")
    assert not page.locator("#export-file").is_visible(), "the cleared conversation was still exported"


def test_remove_dropdown_starts_with_nothing_selected(ui: RecordedPage) -> None:
    page = ui.page
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#documents")).to_contain_text("Pyongyang Parlays")
    choice = page.locator("#remove-choice input")
    expect(choice).to_be_visible()
    # Deliberately not clicking Remove: with the bug present it would delete the article.
    assert choice.input_value() == "", f"a document is preselected for removal: {choice.input_value()!r}"


def test_refused_upload_names_the_file_not_a_server_path(ui: RecordedPage, tmp_path: Path) -> None:
    page = ui.page
    empty = tmp_path / "blank-memo.txt"
    empty.write_text("", encoding="utf-8")
    page.get_by_role("tab", name="Corpus").click()
    page.locator("#upload input[type=file]").set_input_files(str(empty))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("Not added", timeout=ANSWER_TIMEOUT)
    expect(status).to_contain_text("blank-memo.txt")
    text = status.inner_text()
    assert "/tmp/" not in text and "gradio" not in text, f"server path shown to the user: {text!r}"


# ---------------------------------------------------------------- three documents: examples, picker, cards

CRS = REPO / "tests" / "eval" / "corpora" / "crs"
THREE_DOCS = [REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt",
              *sorted(CRS.glob("R48903v3-*.md")), CRS / "IF11783.7.pdf"]


@pytest.fixture(scope="module")
def three_doc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIServer]:
    yield from run_ui_server(tmp_path_factory, "browser-three", corpus=THREE_DOCS)


def test_three_documents_examples_picker_cards_and_toolbar(context: BrowserContext,
                                                          three_doc_server: UIServer) -> None:
    import httpx

    docs = httpx.get(three_doc_server.url + "api/documents", timeout=30).json()
    docs = docs["documents"] if isinstance(docs, dict) else docs
    assert len(docs) == 3
    page = context.new_page()
    recorded = RecordedPage(page)
    page.goto(three_doc_server.url, wait_until="domcontentloaded")
    expect(page.locator("#question textarea")).to_be_visible(timeout=60_000)

    # Examples come from what is indexed: one per document, none fixed to the article.
    examples = page.locator("#examples button")
    expect(examples).to_have_count(3)
    texts = examples.all_inner_texts()
    assert len(set(texts)) == 3, texts
    assert TREATY_Q not in texts
    examples.first.click()
    expect(page.locator("#question textarea")).to_have_value(re.compile(r"^What "))

    # The picker: one document only, and every source is from it.
    picked_file = THREE_DOCS[1].name
    page.locator("#doc-picker input").click()
    page.get_by_role("option", name=re.compile(re.escape(picked_file))).click()
    page.keyboard.press("Escape")
    ask(page, TREATY_Q)
    cards = page.locator("#sources .src-card")
    expect(cards).not_to_have_count(0)
    picked_title = next(d["title"] for d in docs if d["path"].endswith(picked_file))
    for head in page.locator("#sources .src-card .src-doc").all_inner_texts():
        assert head == picked_title, f"a source outside the picked document: {head!r}"
    expect(page.locator("#sources")).not_to_contain_text("Good Neighbourliness Treaty")

    # Back to all documents: the article answers.
    page.locator("#doc-picker [title='Clear']").click()  # the picker's clear-all
    page.keyboard.press("Escape")
    expect(page.locator("#doc-picker .token-remove")).to_have_count(0)
    ask(page, TREATY_Q)
    expect(page.locator("#sources .src-card.cited", has_text="Good Neighbourliness Treaty")).not_to_have_count(0)
    settle(page, "#sources")
    # The README's picture of the chat: refreshed with UPDATE_DOCS_SCREENSHOT=1, so a test run
    # never leaves the working tree modified.
    picture = shot(page, "docs-screenshot.png", full_page=False)
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(picture, REPO / "docs" / "screenshot.png")

    # Every card: title, author, date (or that the document does not state them), a readable rank.
    heads = page.locator("#sources .src-head").all_inner_texts()
    assert heads
    for head in heads:
        parts = [p.strip() for p in head.split("·")]
        assert len(parts) >= 3, head
        assert re.search(r"best match|match \d+ of \d+", head), head
        assert "retrieval score" not in head and not re.search(r"\b0\.\d{3}\b", head), head

    # The chat's floating toolbar never covers a message: the scrolling list starts below it.
    for q in ("Who signed it?", KIMCHI_Q):
        ask(page, q)
    boxes = page.evaluate(
        """() => { const chat = document.querySelector('#chat');
                   const r = (sel) => { const e = chat.querySelector(sel); return e && e.getBoundingClientRect().toJSON(); };
                   const log = chat.querySelector('[role=log]'); log.scrollTop = 40;
                   return {log: r('[role=log]'), bar: r('.top-panel'), label: r('label[data-testid=block-label]'),
                           scrolls: log.scrollHeight > log.clientHeight}; }"""
    )
    assert boxes["scrolls"], "the chat did not scroll; the check below would prove nothing"
    for overlay in ("bar", "label"):
        if boxes[overlay]:
            assert boxes["log"]["top"] >= boxes[overlay]["bottom"] - 1, boxes
    shot(page, "07-three-documents.png")
    recorded.assert_loopback_only()
    page.close()
