"""The corpus stays inside its folder: links out of it are refused by name and never opened.

Also: ``Assistant.add_file`` stores a file under a name whose extension gets the same parser
that validated it (an HTML file saved as ``.txt`` would be indexed as raw markup).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant import Assistant, load_settings
from assistant.documents import discover
from assistant.documents.common import read_bytes
from assistant.errors import DocumentError

SECRET = "The outside ledger records the launch code 7741 and nothing else of note."
INSIDE = (
    "# Port report\n\nShipping through the strait fell by a third in the first quarter.\n\n"
    "Insurers raised premiums twice and several carriers paused their routes.\n"
)


@pytest.fixture()
def layout(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.md").write_text(INSIDE, encoding="utf-8")
    outside = tmp_path / "elsewhere" / "ledger.txt"
    outside.parent.mkdir()
    outside.write_text(SECRET + "\n", encoding="utf-8")
    return corpus, outside


def _bot(tmp_path: Path, corpus: Path) -> Assistant:
    return Assistant(load_settings(corpus_dir=corpus, store_dir=tmp_path / "store"))


def test_a_link_out_of_the_corpus_is_refused_by_its_own_name(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, outside = layout
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    bot = _bot(tmp_path, corpus)
    report = bot.ingest()
    link_key = str(corpus.resolve() / "link.txt")
    passwd_key = str(corpus.resolve() / "passwd.txt")
    assert set(report.failed) == {link_key, passwd_key}
    for problem in report.failed.values():
        assert "symbolic link" in problem and "outside the corpus folder" in problem
    assert "/etc/passwd" not in " ".join([*report.failed, *report.failed.values()])
    assert str(outside) not in " ".join([*report.failed, *report.failed.values()])
    paths = {d.path for d in bot.documents()}
    assert paths == {str((corpus / "report.md").resolve())}
    assert "7741" not in bot.ask("What launch code does the ledger record?").text


def test_nothing_outside_is_opened(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, outside = layout
    (corpus / "link.txt").symlink_to(outside)
    os.chmod(outside, 0o000)  # opening it would fail with "permission denied", not our message
    try:
        with pytest.raises(DocumentError, match="symbolic link") as caught:
            read_bytes(corpus / "link.txt")
        assert "Permission" not in str(caught.value) and str(outside) not in str(caught.value)
    finally:
        os.chmod(outside, 0o644)


def test_links_inside_the_corpus_add_nothing_and_leave_nothing_behind(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, _ = layout
    hidden = corpus / ".drafts"
    hidden.mkdir()
    (hidden / "draft.md").write_text(INSIDE.replace("a third", "a half"), encoding="utf-8")
    (corpus / "alias.md").symlink_to(corpus / "report.md")  # inside, visible: found on its own
    (corpus / "peek.md").symlink_to(hidden / "draft.md")  # inside, but hidden: refused
    found = list(discover([corpus]))
    assert found == [(corpus / "peek.md").absolute(), (corpus / "report.md").resolve()]
    bot = _bot(tmp_path, corpus)
    report = bot.ingest()
    assert list(report.failed) == [str(corpus.resolve() / "peek.md")]
    assert len(bot.documents()) == 1

    (corpus / "alias.md").unlink()
    (corpus / "peek.md").unlink()
    report = bot.ingest()
    assert report.ok and [d.path for d in bot.documents()] == [str((corpus / "report.md").resolve())]


def test_a_linked_folder_is_not_walked(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, outside = layout
    (corpus / "more").symlink_to(outside.parent, target_is_directory=True)
    assert list(discover([corpus])) == [(corpus / "report.md").resolve()]


def test_a_deleted_link_leaves_nothing_indexed(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, outside = layout
    link = corpus / "link.txt"
    link.symlink_to(outside)
    bot = _bot(tmp_path, corpus)
    bot.ingest()
    link.unlink()
    report = bot.ingest()
    assert report.ok
    assert [d.path for d in bot.documents()] == [str((corpus / "report.md").resolve())]
    assert not any("7741" in c.text for c in bot.store.all_chunks())


# -- add_file stores what it validated ---------------------------------------------------------

HTML = (
    "<html><head><title>Harbour note</title></head><body><h1>Harbour note</h1>"
    "<p>Cranes at the northern quay were idle for most of the week.</p>"
    "<p>Two carriers rerouted their vessels to the southern terminal.</p></body></html>"
)


def test_add_file_refuses_a_name_whose_extension_disagrees(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    source = tmp_path / "upload" / "note.html"
    source.parent.mkdir()
    source.write_text(HTML, encoding="utf-8")
    bot = _bot(tmp_path, corpus)
    with pytest.raises(DocumentError, match=r"does not match the file's type '\.html'"):
        bot.add_file(source, name="note.txt")
    assert not (corpus / "note.txt").exists() and bot.documents() == []

    report = bot.add_file(source, name="harbour.htm")  # same parser: fine
    assert report.ok
    text = "".join(c.text for c in bot.store.all_chunks())
    assert "<p>" not in text and "Cranes at the northern quay" in text


def test_corpus_folder_given_through_a_link_still_works(tmp_path: Path, layout: tuple[Path, Path]) -> None:
    corpus, _ = layout
    alias = tmp_path / "corpus-alias"
    alias.symlink_to(corpus, target_is_directory=True)
    bot = _bot(tmp_path, alias)
    report = bot.ingest()
    assert report.ok and len(report.added) == 1
    shutil.rmtree(tmp_path / "store")
