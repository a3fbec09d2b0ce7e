"""Evaluation: a golden set, citation-aware metrics, ablations and reports.

``assistant eval`` drives it from the command line; ``tests/test_quality.py`` runs it on the
test split and fails below the agreed bars.
"""

from .dataset import GoldItem, load_golden
from .metrics import ItemResult, aggregate
from .runner import VARIANTS, EvalRun, evaluate, run_variant

__all__ = ["VARIANTS", "EvalRun", "GoldItem", "ItemResult", "aggregate", "evaluate", "load_golden", "run_variant"]
