"""The golden set: questions written by reading the articles, with exact gold evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ..errors import ConfigurationError

DEFAULT_DATASET = Path("tests/eval/golden.jsonl")
Category = Literal["fact", "paraphrase", "multi", "metadata", "forecast", "followup", "typo",
                   "out_of_corpus", "injection"]


class GoldItem(BaseModel):
    id: str
    split: Literal["dev", "test"]
    category: Category
    history: list[str] = Field(default_factory=list)
    question: str
    answerable: bool
    evidence: list[str] = Field(default_factory=list, description="Exact substrings of the source.")
    key_facts: list[str] = Field(default_factory=list, description="'a|b' means a or b.")


def load_golden(path: str | Path | None = None, split: str | None = None) -> list[GoldItem]:
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
    return items
