"""Validate the golden evaluation set in tests/eval/golden.jsonl.

Pure-python checks: schema, splits, category minimums, and that every
evidence string / key fact is really grounded in the corpus article.
"""
import json
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "eval" / "golden.jsonl"
ARTICLE = REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt"

CATEGORY_MINIMUMS = {
    "fact": 12,
    "paraphrase": 10,
    "multi": 6,
    "metadata": 6,
    "forecast": 8,
    "followup": 8,
    "typo": 6,
    "out_of_corpus": 12,
    "injection": 8,
}
UNANSWERABLE = {"out_of_corpus", "injection"}
SPLITS = {"dev", "test"}
FIELDS = {"id", "split", "category", "history", "question", "answerable", "evidence", "key_facts"}


@pytest.fixture(scope="module")
def article():
    assert ARTICLE.exists(), f"article not found at {ARTICLE}"
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def items():
    assert GOLDEN.exists(), f"golden set not found at {GOLDEN}"
    out = []
    for n, line in enumerate(GOLDEN.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:  # pragma: no cover - message only
            pytest.fail(f"golden.jsonl line {n} is not valid JSON: {e}")
    return out


def test_minimum_size(items):
    assert len(items) >= 60, f"expected at least 60 items, found {len(items)}"


def test_fields_and_types(items):
    for it in items:
        iid = it.get("id", "<no id>")
        missing = FIELDS - set(it)
        assert not missing, f"{iid}: missing fields {sorted(missing)}"
        assert isinstance(it["id"], str) and it["id"], f"{iid}: id must be a non-empty string"
        assert isinstance(it["question"], str) and it["question"].strip(), f"{iid}: empty question"
        assert isinstance(it["answerable"], bool), f"{iid}: answerable must be a bool"
        for field in ("history", "evidence", "key_facts"):
            assert isinstance(it[field], list), f"{iid}: {field} must be a list"
            assert all(isinstance(x, str) and x.strip() for x in it[field]), (
                f"{iid}: {field} must contain non-empty strings"
            )


def test_unique_ids(items):
    dupes = [i for i, c in Counter(it["id"] for it in items).items() if c > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_valid_split_and_category(items):
    for it in items:
        assert it["split"] in SPLITS, f"{it['id']}: invalid split {it['split']!r}"
        assert it["category"] in CATEGORY_MINIMUMS, f"{it['id']}: invalid category {it['category']!r}"


def test_both_splits_cover_every_category(items):
    for split in SPLITS:
        present = {it["category"] for it in items if it["split"] == split}
        missing = set(CATEGORY_MINIMUMS) - present
        assert not missing, f"split {split!r} has no items for categories {sorted(missing)}"


def test_category_minimums(items):
    counts = Counter(it["category"] for it in items)
    short = {c: (counts.get(c, 0), m) for c, m in CATEGORY_MINIMUMS.items() if counts.get(c, 0) < m}
    assert not short, f"categories below minimum (have, need): {short}"


def test_answerable_flag_matches_category(items):
    for it in items:
        expected = it["category"] not in UNANSWERABLE
        assert it["answerable"] is expected, (
            f"{it['id']}: category {it['category']!r} should have answerable={expected}"
        )


def test_unanswerable_items_have_no_evidence(items):
    for it in items:
        if not it["answerable"]:
            assert it["evidence"] == [], f"{it['id']}: unanswerable item must have empty evidence"
            assert it["key_facts"] == [], f"{it['id']}: unanswerable item must have empty key_facts"


def test_answerable_items_have_evidence_and_key_facts(items):
    for it in items:
        if it["answerable"]:
            assert it["evidence"], f"{it['id']}: answerable item needs at least one evidence string"
            assert 1 <= len(it["key_facts"]) <= 3, f"{it['id']}: answerable item needs 1-3 key_facts"


def test_multi_items_have_two_evidence_strings(items):
    for it in items:
        if it["category"] == "multi":
            assert len(it["evidence"]) >= 2, f"{it['id']}: multi item needs at least 2 evidence strings"


def test_followups_have_history(items):
    for it in items:
        if it["category"] == "followup":
            assert it["history"], f"{it['id']}: followup item must have non-empty history"


def test_evidence_is_exact_single_line_substring(items, article):
    lines = article.split("\n")
    for it in items:
        for ev in it["evidence"]:
            assert ev in article, f"{it['id']}: evidence not an exact substring of the article: {ev!r}"
            assert "\n" not in ev and "\r" not in ev, f"{it['id']}: evidence spans a line break: {ev!r}"
            assert any(ev in line for line in lines), f"{it['id']}: evidence not within a single line: {ev!r}"


def test_key_facts_grounded_in_article(items, article):
    low = article.lower()
    for it in items:
        for fact in it["key_facts"]:
            alts = [a.strip() for a in fact.split("|") if a.strip()]
            assert alts, f"{it['id']}: empty key fact {fact!r}"
            assert any(a.lower() in low for a in alts), (
                f"{it['id']}: no alternative of key fact {fact!r} occurs in the article"
            )
