"""The ``assistant`` command line, run in process with typer's CliRunner and, where the real
entry point matters (exit codes, clean errors, lazy imports), as a subprocess.

Every invocation names --store-dir and --corpus-dir inside a temporary folder. Expected
values come from corpus/bisi-2024-07-11-pyongyang-parlays.txt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.testing import make_assistant

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"
TITLE = "Pyongyang Parlays: Vladimir Putin and Kim Jong Un Meet"
TREATY_QUESTION = "Which treaty does the new pact replace?"
TREATY = "2000 Friendship, Cooperation and Good Neighbourliness Treaty"
BYLINE = "Lily Donahue | 11 July 2024"
WIDE = {"COLUMNS": "400"}  # rich wraps tables and quotes at the terminal width

GOOD_MD = """# Border Drones

Analyst Desk | 2 March 2024

## Summary

Patrol drones were deployed along the northern border by the coastal guard in early spring.

The deployment is expected to reduce smuggling through the mountain passes within a year.
"""

runner = CliRunner()


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = root / "store"
        self.corpus = root / "corpus"

    @property
    def options(self) -> list[str]:
        return ["--store-dir", str(self.store), "--corpus-dir", str(self.corpus)]

    def invoke(self, *args: str, input: str | None = None, env: dict[str, str] | None = None):  # noqa: A002
        return runner.invoke(app, [*self.options, *args], input=input, env={**WIDE, **(env or {})})

    def status_json(self) -> dict:
        result = self.invoke("status", "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def _clean_env(**assistant_vars: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(assistant_vars)
    return env


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One ingested store shared by the read-only tests of this module."""
    root = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
            mp.delenv(key)
        mp.setenv("ASSISTANT_CONFIG", str(root / "no-such-config.toml"))
        make_assistant(root)
    yield Workspace(root)


@pytest.fixture()
def fresh(tmp_path: Path) -> Workspace:
    """An empty store and a corpus folder holding a copy of the article."""
    ws = Workspace(tmp_path / "ws")
    ws.corpus.mkdir(parents=True)
    shutil.copyfile(ARTICLE, ws.corpus / ARTICLE.name)
    return ws


# -- ingest / status / remove -------------------------------------------------------------------


def test_ingest_then_reingest_is_a_no_op(fresh: Workspace) -> None:
    first = fresh.invoke("ingest")
    assert first.exit_code == 0, first.output
    assert "1 added" in first.stdout
    assert "0 failed" in first.stdout
    assert "0 passages embedded" not in first.stdout

    second = fresh.invoke("ingest")
    assert second.exit_code == 0, second.output
    assert "0 added" in second.stdout
    assert "1 unchanged" in second.stdout
    assert "0 passages embedded" in second.stdout


def test_status_lists_the_document(indexed: Workspace) -> None:
    result = indexed.invoke("status")
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.stdout
    assert TITLE in result.stdout
    assert "Lily Donahue" in result.stdout
    assert "2024-07-11" in result.stdout


def test_status_json(indexed: Workspace) -> None:
    info = indexed.status_json()
    docs = info["documents"]
    assert isinstance(docs, list) and len(docs) == 1
    doc = docs[0]
    assert doc["title"] == TITLE
    assert doc["author"] == "Lily Donahue"
    assert doc["date"] == "2024-07-11"
    assert Path(doc["path"]) == (indexed.corpus / ARTICLE.name).resolve()
    assert info["chunks"] == doc["chunks"] > 0
    assert info["embedding_model"] == "packaged:all-MiniLM-L6-v2"
    assert str(indexed.store.resolve()) in info["store"]


def test_remove_takes_the_document_out(fresh: Workspace) -> None:
    assert fresh.invoke("ingest").exit_code == 0
    doc_path = fresh.status_json()["documents"][0]["path"]

    result = fresh.invoke("remove", doc_path)
    assert result.exit_code == 0, result.output
    assert f"removed {TITLE}" in result.stdout

    info = fresh.status_json()
    assert info["documents"] == []
    assert info["chunks"] == 0
    assert "0 documents" in fresh.invoke("status").stdout
    assert (fresh.corpus / ARTICLE.name).exists()  # the file stays without --delete-file


def test_remove_unknown_document_fails(fresh: Workspace) -> None:
    assert fresh.invoke("ingest").exit_code == 0
    result = fresh.invoke("remove", "/nowhere/no-such-article.txt")
    assert result.exit_code != 0
    assert len(fresh.status_json()["documents"]) == 1


def test_bad_files_are_reported_and_good_ones_indexed(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.corpus.mkdir(parents=True)
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD_MD, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    docx = folder / "report.docx"
    docx.write_bytes(b"PK\x03\x04 not really a word document")

    # A folder expands to its supported files only, so the .docx is named explicitly
    # (see discover(): explicitly named files are reported whatever their extension).
    result = ws.invoke("ingest", str(folder), str(docx))
    assert result.exit_code == 1, result.output
    assert "1 added" in result.stdout
    assert "2 failed" in result.stdout
    assert "empty.txt" in result.stderr
    assert "report.docx" in result.stderr
    assert "unsupported format '.docx'" in result.stderr
    assert "good.md" not in result.stderr

    docs = ws.status_json()["documents"]
    assert [Path(d["path"]).name for d in docs] == ["good.md"]
    assert docs[0]["title"] == "Border Drones"


def test_folder_ingest_reports_an_empty_file(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.corpus.mkdir(parents=True)
    (ws.corpus / "good.md").write_text(GOOD_MD, encoding="utf-8")
    (ws.corpus / "empty.txt").write_text("", encoding="utf-8")
    (ws.corpus / "notes.docx").write_bytes(b"PK\x03\x04")

    result = ws.invoke("ingest")
    assert result.exit_code == 1, result.output
    assert "empty.txt" in result.stderr
    assert "1 added" in result.stdout
    assert "1 failed" in result.stdout  # the .docx in a folder is skipped, not failed
    assert [Path(d["path"]).name for d in ws.status_json()["documents"]] == ["good.md"]


# -- ask / chat ---------------------------------------------------------------------------------


def test_ask_json(indexed: Workspace) -> None:
    result = indexed.invoke("ask", "--json", "Who wrote the article?")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["abstained"] is False
    assert "Lily Donahue" in answer["text"]
    assert any(c["quote"] == BYLINE for c in answer["citations"])
    article = (indexed.corpus / ARTICLE.name).read_bytes().decode("utf-8")
    for cit in answer["citations"]:
        assert article[cit["start"]:cit["end"]] == cit["quote"]


def test_ask_human_output(indexed: Workspace) -> None:
    result = indexed.invoke("ask", TREATY_QUESTION)
    assert result.exit_code == 0, result.output
    assert "[1]" in result.stdout
    assert TREATY in result.stdout
    assert TITLE in result.stdout  # the citation line names the source


def test_ask_out_of_corpus_abstains(indexed: Workspace) -> None:
    result = indexed.invoke("ask", "--json", "What is a good recipe for kimchi?")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["abstained"] is True
    assert answer["citations"] == []


def test_ask_with_k(indexed: Workspace) -> None:
    result = indexed.invoke("ask", "--json", "-k", "1", TREATY_QUESTION)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["passages"]) == 1


def test_chat_answers_a_follow_up(indexed: Workspace) -> None:
    result = indexed.invoke("chat", input=f"{TREATY_QUESTION}\nWho signed it?\n/quit\n")
    assert result.exit_code == 0, result.output
    # Output: answer, blank line, its citation lines ("[n] title ... (chars a-b)"), blank line.
    blocks = [b.strip() for b in result.stdout.split("\n\n") if b.strip()]
    answers = [b for b in blocks if not re.match(r"\[\d+\] ", b)]
    assert len(answers) == 2, result.stdout
    assert all(re.search(r"\[\d+\]", a) for a in answers)
    assert TREATY in answers[0]
    assert "Putin" in answers[1]


def test_chat_reports_errors_and_carries_on(indexed: Workspace) -> None:
    long_question = "why " * 600
    result = indexed.invoke("chat", input=f"{long_question}\n{TREATY_QUESTION}\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "error:" in result.stderr and "2000" in result.stderr
    assert TREATY in result.stdout


# -- real entry point ---------------------------------------------------------------------------


def test_empty_question_exits_cleanly(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, "ask", "")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "question is empty" in proc.stderr


def test_bad_configuration_exits_cleanly(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, "status", ASSISTANT_TOP_K="0")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "top_k" in proc.stderr


def _run_cli(tmp_path: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = _clean_env(
        ASSISTANT_STORE_DIR=str(tmp_path / "store"),
        ASSISTANT_CORPUS_DIR=str(tmp_path / "corpus"),
        ASSISTANT_CONFIG=str(tmp_path / "assistant.toml"),
        **env_vars,
    )
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=180)


def test_remove_unknown_document_exits_cleanly(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, "remove", "/nowhere/no-such-article.txt")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "no indexed document" in proc.stderr


def test_bad_date_filter_exits_cleanly(indexed: Workspace, tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, "--store-dir", str(indexed.store), "--corpus-dir", str(indexed.corpus),
                    "ask", "--date-from", "last week", TREATY_QUESTION)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "date" in proc.stderr


def test_unknown_retrieval_mode_is_rejected(indexed: Workspace) -> None:
    result = indexed.invoke("ask", "--mode", "fuzzy", TREATY_QUESTION)
    assert result.exit_code != 0
    assert "index is empty" not in result.stdout


def test_ask_does_not_import_web_stacks(indexed: Workspace) -> None:
    script = (
        "import sys\n"
        f"sys.argv = ['assistant', '--store-dir', {str(indexed.store)!r}, "
        f"'--corpus-dir', {str(indexed.corpus)!r}, 'ask', 'Who wrote the article?']\n"
        "import assistant.cli as c\n"
        "try:\n"
        "    c.app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', [m for m in ('gradio', 'fastapi', 'uvicorn') if m in sys.modules])\n"
    )
    env = _clean_env(ASSISTANT_CONFIG=str(indexed.root / "no-such-config.toml"), **WIDE)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=str(indexed.root),
        capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Lily Donahue" in proc.stdout  # the question really was answered
    assert "LOADED []" in proc.stdout, proc.stdout


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    first_words = {line.strip("│ ").split()[0] for line in result.stdout.splitlines() if line.strip("│ ")}
    for command in ("ingest", "status", "remove", "ask", "chat", "serve", "ui", "eval"):
        assert command in first_words, result.stdout


def test_malformed_config_file_exits_cleanly(tmp_path: Path) -> None:
    (tmp_path / "assistant.toml").write_text("top_k = \n", encoding="utf-8")
    proc = _run_cli(tmp_path, "status")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "assistant.toml" in proc.stderr
