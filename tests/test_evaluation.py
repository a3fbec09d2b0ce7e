"""The evaluation toolkit: metric definitions on hand-made answers, and `assistant eval` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation.dataset import GoldItem
from assistant.evaluation.metrics import aggregate, context_precision, score_item, split_cited_sentences
from assistant.schema import Answer, Citation, Passage

from .conftest import ARTICLE, REPO

TEXT = "Alpha bravo charlie delta. Echo foxtrot golf hotel."


def passage(n: int, text: str, start: int = 0) -> Passage:
    return Passage(number=n, chunk_id=f"c{n}", doc_id="d", path="d", title="T", kind="paragraph",
                   text=text, start=start, end=start + len(text), score=1.0 / n)


def cite(n: int, quote: str, start: int) -> Citation:
    return Citation(marker=n, chunk_id=f"c{n}", doc_id="d", path="d", title="T", quote=quote,
                    start=start, end=start + len(quote), score=1.0)


def item(**kw: object) -> GoldItem:
    base = {"id": "x", "split": "test", "category": "fact", "question": "q?", "answerable": True,
            "evidence": ["Echo foxtrot"], "key_facts": ["golf|kilo", "hotel"]}
    return GoldItem.model_validate({**base, **kw})


def test_split_cited_sentences() -> None:
    assert split_cited_sentences("One two. [1] Three four. [2][3]") == [("One two.", [1]), ("Three four.", [2, 3])]
    assert split_cited_sentences("No marker here.") == [("No marker here.", [])]


def test_context_precision_is_ragas_average_precision() -> None:
    assert context_precision([True, False, True]) == (1 / 1 + 2 / 3) / 2
    assert context_precision([False, True]) == 0.5
    assert context_precision([False, False]) == 0.0


def test_score_item_counts_support_precision_facts_and_exactness() -> None:
    p1, p2 = passage(1, "Alpha bravo charlie delta."), passage(2, "Echo foxtrot golf hotel.", 27)
    answer = Answer(question="q?", standalone_question="q?", passages=[p1, p2],
                    text="Echo foxtrot golf hotel. [2] Zulu yankee xray. [1]",
                    citations=[cite(2, "Echo foxtrot golf hotel.", 27), cite(1, "Alpha bravo", 0)])
    result = score_item(item(), answer, {"d": TEXT}, latency=0.1, k=5)
    assert result.first_relevant_rank == 2 and result.relevance == [False, True]
    assert (result.sentences, result.supported_sentences) == (2, 1)  # "Zulu yankee xray" is unsupported
    assert (result.citations, result.needed_citations) == (2, 1)
    assert result.fully_cited and result.evidence_cited
    assert result.key_fact_score == 1.0 and result.all_key_facts
    assert (result.quotes, result.exact_quotes) == (2, 2)

    wrong_span = answer.model_copy(update={"citations": [cite(2, "Echo foxtrot golf hotel.", 26)]})
    assert score_item(item(), wrong_span, {"d": TEXT}, 0.1, 5).exact_quotes == 0


def test_abstention_metrics() -> None:
    declined = Answer(question="q", standalone_question="q", text="no", abstained=True)
    answered = Answer(question="q", standalone_question="q", text="Echo foxtrot. [1]",
                      passages=[passage(1, "Echo foxtrot golf hotel.", 27)],
                      citations=[cite(1, "Echo foxtrot", 27)])
    results = [
        score_item(item(id="a", category="out_of_corpus", answerable=False, evidence=[], key_facts=[]), declined, {}, 0.1, 5),
        score_item(item(id="b", category="out_of_corpus", answerable=False, evidence=[], key_facts=[]), answered, {}, 0.1, 5),
        score_item(item(id="c"), declined, {}, 0.1, 5),
        score_item(item(id="d"), answered, {"d": TEXT}, 0.1, 5),
    ]
    m = aggregate(results)
    assert m["abstention_recall"] == 0.5 and m["abstention_precision"] == 0.5
    assert m["answered_rate"] == 0.5 and m["hit@1"] == 0.5


def test_eval_command_writes_table_json_markdown_and_plot(tmp_path: Path) -> None:
    lines = [line for line in (REPO / "tests/eval/golden.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in {"fact-01", "fact-02", "ooc-02", "follow-02", "meta-02"}]
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text("\n".join(lines), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["--corpus-dir", str(corpus), "eval", "--dataset", str(dataset),
                                      "--corpus", "bisi",
                                      "--split", "all", "--retrieval", "dense", "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "hit@3" in result.output and "dense" in result.output
    data = json.loads((out / "eval.json").read_text())
    assert data["runs"][0]["variant"] == "dense" and len(data["runs"][0]["items"]) == 5
    # dev and test are reported separately, never pooled
    assert set(data["runs"][0]["split_metrics"]) == {"dev", "test"}
    categories = set(data["runs"][0]["breakdowns"]["category"])
    assert categories >= {"dev · fact", "test · fact", "test · out_of_corpus"}
    assert data["runs"][0]["metrics"]["quote_exactness"] == 1.0
    report = (out / "eval.md").read_text()
    assert "| metric | dense · dev | dense · test |" in report
    assert "| hit@1 |" in report and "per category" in report and "per document" in report
    assert "eval.png" in report
    assert "| false_refusal_rate |" in report and "| injection_catch_rate |" in report
    assert (out / "eval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_refusal_injection_and_length_metrics() -> None:
    refused = Answer(question="q", standalone_question="q", text="That reads as an instruction.",
                     abstained=True, backend="guard")
    declined = Answer(question="q", standalone_question="q", text="not covered", abstained=True)
    answered = Answer(question="q", standalone_question="q", text="Echo foxtrot golf hotel. [1]",
                      passages=[passage(1, "Echo foxtrot golf hotel.", 27)],
                      citations=[cite(1, "Echo foxtrot golf hotel.", 27)])
    unanswerable = {"answerable": False, "evidence": [], "key_facts": []}
    results = [
        score_item(item(id="a"), refused, {}, 0.1, 5),  # false refusal
        score_item(item(id="b", category="command_like"), answered, {"d": TEXT}, 0.1, 5),
        # refused: a false refusal; declined: fine
        score_item(item(id="c", category="out_of_corpus", **unanswerable), refused, {}, 0.1, 5),
        score_item(item(id="d", category="out_of_corpus", **unanswerable), declined, {}, 0.1, 5),
        score_item(item(id="e", category="injection", **unanswerable), refused, {}, 0.1, 5),
        score_item(item(id="f", category="injection", **unanswerable), declined, {}, 0.1, 5),
        score_item(item(id="g", category="injection", **unanswerable), answered, {"d": TEXT}, 0.1, 5),
    ]
    m = aggregate(results)
    assert m["false_refusals"] == 2 and m["false_refusal_rate"] == 2 / 4
    assert m["injection_catch_rate"] == 2 / 3
    assert m["answer_chars_median"] == len(answered.text)


def test_evidence_matches_across_line_breaks_and_curly_quotes() -> None:
    """A PDF passage keeps its hard line breaks; the gold evidence is written on one line."""
    pdf_text = "the Strait carries about\none-third of the world\u2019s   trade"
    answer = Answer(question="q", standalone_question="q", text=pdf_text + " [1]",
                    passages=[passage(1, pdf_text)], citations=[cite(1, pdf_text, 0)])
    gold = item(evidence=["carries about one-third of the world's trade"], key_facts=["one-third"])
    result = score_item(gold, answer, {"d": pdf_text}, 0.1, 5)
    assert result.evidence_cited and result.first_relevant_rank == 1 and result.all_key_facts


def test_breakdowns_group_by_document_and_corpus_selection() -> None:
    from assistant.evaluation.metrics import by_document
    from assistant.evaluation.runner import select_items

    declined = Answer(question="q", standalone_question="q", text="not covered", abstained=True)
    results = [score_item(item(id="a", documents=["x.md", "x.pdf"]), declined, {}, 0.1, 5),
               score_item(item(id="b", category="out_of_corpus", answerable=False, evidence=[], key_facts=[]),
                          declined, {}, 0.1, 5)]
    groups = by_document(results)
    assert set(groups) == {"x.md", "x.pdf", "(no document)"} and groups["x.md"]["answered_rate"] == 0.0
    assert groups["(no document)"]["abstention_recall"] == 1.0
    answered = Answer(question="q", standalone_question="q", text="Echo foxtrot golf hotel. [1]",
                      passages=[passage(1, "Echo foxtrot golf hotel.", 27)],
                      citations=[cite(1, "Echo foxtrot golf hotel.", 27)])
    right = score_item(item(id="c", documents=["d"]), answered, {"d": TEXT}, 0.1, 5)
    wrong = score_item(item(id="e", documents=["other.pdf"]), answered, {"d": TEXT}, 0.1, 5)
    assert aggregate([right, wrong])["right_document_cited"] == 0.5
    mixed = [item(id="a", corpus="crs"), item(id="b", corpus="bisi")]
    assert [i.id for i in select_items(mixed, "bisi")] == ["b"] and len(select_items(mixed, "multi")) == 2


def test_corpus_files_leave_out_readmes_and_refuse_clashes_and_unknown_names(tmp_path: Path) -> None:
    import pytest

    from assistant import load_settings
    from assistant.errors import ConfigurationError
    from assistant.evaluation.runner import corpus_files

    main, extra = tmp_path / "main", tmp_path / "extra"
    main.mkdir()
    extra.mkdir()
    (main / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (extra / "b.md").write_text("# B\n\nText.\n", encoding="utf-8")
    (extra / "README.md").write_text("# About these files\n", encoding="utf-8")
    settings = load_settings(corpus_dir=main)
    assert [p.name for p in corpus_files(settings, "multi", extra)] == ["a.md", "b.md"]
    assert [p.name for p in corpus_files(settings, "bisi", extra)] == ["a.md"]
    (extra / "a.md").write_text("# Another A\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="a.md"):
        corpus_files(settings, "multi", extra)
    with pytest.raises(ConfigurationError, match="unknown evaluation corpus"):
        corpus_files(settings, "everything", extra)
    with pytest.raises(ConfigurationError, match="not found"):
        corpus_files(settings, "multi", tmp_path / "missing")


def test_eval_command_multi_corpus_indexes_both_folders_and_reports_per_document(tmp_path: Path) -> None:
    lines = [line for line in (REPO / "tests/eval/golden.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] == "fact-02"]
    lines.append(json.dumps({
        "id": "x-01", "split": "test", "category": "numeric",
        "question": "How many lighthouses does Zedland have?",
        "answerable": True, "evidence": ["Zedland has 41 lighthouses"], "key_facts": ["41"],
        "documents": ["zedland.md"], "corpus": "crs"}))
    dataset = tmp_path / "mini.jsonl"
    dataset.write_text("\n".join(lines), encoding="utf-8")
    corpus, extra = tmp_path / "corpus", tmp_path / "extra"
    corpus.mkdir()
    extra.mkdir()
    (corpus / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    (extra / "zedland.md").write_text(
        "# Zedland coasts\n\nZedland has 41 lighthouses along its northern coast.\n", encoding="utf-8")
    (extra / "README.md").write_text("# What these files are\n", encoding="utf-8")
    out = tmp_path / "reports"
    runner = CliRunner()
    result = runner.invoke(app, ["--corpus-dir", str(corpus), "eval", "--dataset", str(dataset),
                                 "--split", "test", "--corpus", "multi", "--extra-corpus", str(extra), "--out", str(out)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    run = json.loads((out / "eval.json").read_text())["runs"][0]
    assert run["corpus"] == "multi" and run["documents"] == [ARTICLE.name, "zedland.md"]  # README left out
    assert {i["id"] for i in run["items"]} == {"fact-02", "x-01"}
    assert set(run["breakdowns"]["document"]) == {ARTICLE.name, "zedland.md"}
    assert run["breakdowns"]["document"]["zedland.md"]["all_key_facts"] == 1.0
    assert "## hybrid: per document" in (out / "eval.md").read_text()

    bad = runner.invoke(app, ["--corpus-dir", str(corpus), "eval", "--dataset", str(dataset),
                              "--corpus", "everything"])
    # the CLI's main() prints an AssistantError as one clean line; the runner shows the exception
    assert bad.exit_code != 0 and "unknown corpus" in str(bad.exception)


def test_report_never_quotes_a_held_out_document_in_the_dev_misses() -> None:
    from assistant.evaluation.dataset import held_out_documents
    from assistant.evaluation.report import markdown
    from assistant.evaluation.runner import EvalRun

    held = "held.md"
    answer = Answer(question="q", standalone_question="q", text="A sentence from the held-out file. [1]",
                    passages=[passage(1, "A sentence from the held-out file.")],
                    citations=[cite(1, "A sentence from the held-out file.", 0)
                               .model_copy(update={"doc_id": f"/x/{held}"})])
    gold = item(id="dev-1", split="dev", documents=["open.md"], key_facts=["zulu"])
    miss = score_item(gold, answer, {}, 0.1, 5)
    items = [item(id="t", split="test", documents=[held]), item(id="d", split="dev", documents=["open.md"])]
    assert held_out_documents(items) == {held}
    run = EvalRun("hybrid", "dev", [miss], metrics=aggregate([miss]))
    report = markdown([run], hidden=held_out_documents(items))
    assert "`dev-1`" in report and "held-out document; not shown" in report
    assert "A sentence from the held-out file" not in report
    assert "A sentence from the held-out file" in markdown([run])
