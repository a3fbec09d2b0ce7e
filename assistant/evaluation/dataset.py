"""The golden set: questions written by reading the documents, with exact gold evidence.

Two corpora share one file: ``bisi`` items were written for the BISI article in ``corpus/``
(the app's default corpus), ``crs`` items for the public-domain analyst products (Markdown and
PDF) in ``tests/eval/corpora/crs/``. The multi-document evaluation puts every file in one index and asks
every question against it; the BISI-only evaluation keeps today's single-article figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ..errors import ConfigurationError

DEFAULT_DATASET = Path("tests/eval/golden.jsonl")
Category = Literal["fact", "paraphrase", "numeric", "multi", "cross_document", "metadata", "forecast",
                   "followup", "typo", "command_like", "out_of_corpus", "injection"]
#: Categories whose items the corpus cannot answer: scored on declining, not on facts.
UNANSWERABLE: frozenset[str] = frozenset({"out_of_corpus", "injection"})


class GoldItem(BaseModel):
    id: str
    split: Literal["dev", "test"]
    category: Category
    history: list[str] = Field(default_factory=list)
    question: str
    answerable: bool
    evidence: list[str] = Field(default_factory=list, description="Exact substrings of the source.")
    key_facts: list[str] = Field(default_factory=list, description="'a|b' means a or b.")
    documents: list[str] = Field(
        default_factory=list,
        description="File names the evidence comes from; empty for out-of-corpus and injection items.",
    )
    corpus: Literal["bisi", "crs"] = Field(
        "bisi",
        description="The corpus the item was written for; the BISI-only evaluation keeps 'bisi' items.",
    )


def load_golden(path: str | Path | None = None, split: str | None = None,
                corpus: str | None = None) -> list[GoldItem]:
    """Items of the golden set, optionally only one split (``dev``/``test``) or one corpus's items."""
    path = Path(path or DEFAULT_DATASET)
    if not path.is_file():
        raise ConfigurationError(f"golden set not found at {path}; pass --dataset PATH")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(GoldItem.model_validate(json.loads(line)))
        except ValueError as exc:
            raise ConfigurationError(f"{path}:{number}: not a valid golden item ({exc})") from None
    if split and split != "all":
        items = [i for i in items if i.split == split]
    if corpus and corpus != "all":
        items = [i for i in items if i.corpus == corpus]
    return items


def held_out_documents(items: list[GoldItem]) -> set[str]:
    """Files that only test items name: the documents nobody may look at while tuning."""
    dev = {d for i in items if i.split == "dev" for d in i.documents}
    return {d for i in items if i.split == "test" for d in i.documents} - dev
