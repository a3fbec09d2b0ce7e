"""Yes-or-no questions and whether a sentence takes a position on one, on dev sentences.

Pure text rules, no model. Sentences come from the dev Australia, biometrics and Space Force
products; never from the test documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.polar import is_polar, takes_a_position

CRS = Path(__file__).resolve().parent / "eval" / "corpora" / "crs"
AUSTRALIA = " ".join("".join(page.extract_text() for page in PdfReader(CRS / "IF10491.14.pdf").pages).split())
SPACE = (CRS / "IF12610v6-defense-primer-u-s-space-force.md").read_text(encoding="utf-8")

RESTRICTED = "China restricted some imports from Australia in 2020 following Canberra’s endorsement of an inquiry"
NOT_LABELED = "While Australian officials have not labeled China a military threat"
APPOINTED = "The current CSO, General Chance B. Saltzman, was appointed in November 2022."
TARIFF = ("After the Supreme Court ruled against the use of IEEPA to impose tariffs in February 2026, President Trump "
          "imposed a 10% global tariff for 150 days under Section 122 of the Trade Act of 1974.")


def test_the_sentences_are_taken_from_the_dev_products() -> None:
    assert RESTRICTED in AUSTRALIA and NOT_LABELED in AUSTRALIA and TARIFF in AUSTRALIA
    assert APPOINTED in SPACE


@pytest.mark.parametrize(
    "question,polar",
    [
        ("Has China lifted the restrictions it put on Australian imports in 2020?", True),
        ("Did China restrict imports from Australia?", True),
        ("Is the region a big supplier of steel or of aluminum?", False),  # alternatives, not yes or no
        ("Does the piece come with a map, and where can I see it?", False),  # a second question of another kind
        ("Is the service only for the military, and does it work in any weather?", False),  # two questions
        ("Does the author think the accusation is deserved?", False),  # the author's view
        ("Who restricted imports?", False),
    ],
)
def test_plain_yes_or_no_questions(question: str, polar: bool) -> None:
    assert is_polar(question) is polar


def test_a_sentence_stating_the_predicate_or_taking_a_stance_answers() -> None:
    assert takes_a_position(RESTRICTED, "Did China restrict imports from Australia?")  # "restrict" / "restricted"
    assert takes_a_position(NOT_LABELED, "Has Canberra officially branded China a military threat?")  # "not"


def test_a_sentence_describing_only_the_starting_point_does_not() -> None:
    # it says China imposed the restrictions, not whether they were lifted
    assert not takes_a_position(RESTRICTED, "Has China lifted the restrictions it put on Australian imports in 2020?")
    assert not takes_a_position(TARIFF, "Is Australia exempt from the 10% global tariff imposed under Section 122?")
    # a sentence sharing none of the plain words is taken for a paraphrase: the price of the rule
    assert takes_a_position(APPOINTED, "Has a successor to General Saltzman been nominated yet?")


def test_a_sentence_sharing_few_of_the_questions_words_matched_by_meaning() -> None:
    # a paraphrase: that its words differ from the question's says nothing either way
    killed = "The center has recorded 17 attacks on vessels since March 1, 2026, with several crew members killed."
    assert takes_a_position(killed, "Have any seafarers lost their lives in the strikes on merchant shipping?")
    # the same question with the rule's share at 0 must state the predicate or take a stance
    assert not takes_a_position(killed, "Have any seafarers lost their lives in the strikes on merchant shipping?", 0.0)


def test_indefinites_and_emphasis_ask_nothing_of_the_sentence() -> None:
    thanked = "Putin thanked North Korea for hosting the children of slain Russian soldiers"
    assert thanked in " ".join((Path(__file__).resolve().parent.parent / "corpus" /
                                "bisi-2024-07-11-pyongyang-parlays.txt").read_text(encoding="utf-8").split())
    assert takes_a_position(thanked, "Did Putin thank North Korea for anything?")
    assert takes_a_position(thanked, "Did Putin actually ever thank North Korea?")


def test_the_questions_own_modal_in_the_sentence_says_so() -> None:
    sentence = "The coming November election, however, will impact this."
    assert takes_a_position(sentence, "Will the November election affect the U.S. response?")
    assert not takes_a_position("The coming November election is close.", "Will the November election affect the U.S. response?")
