"""What a "how many" question counts and whether a sentence counts it, on dev sentences.

Pure text rules, no model. Sentences come from the BISI article and the dev Hormuz and
Australia products; never from the test documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.counts import counted_noun, gives_count

REPO = Path(__file__).resolve().parent.parent
ARTICLE = (REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt").read_text(encoding="utf-8")
HORMUZ = next((REPO / "tests" / "eval" / "corpora" / "crs").glob("R48903v3-*.md")).read_text(encoding="utf-8")

ATTACKS = ("The U.K. Maritime Trade Operations center has recorded 17 attacks on vessels since March 1, 2026, "
           "with several crew members killed or seriously injured.")
WAITING = ("An estimated 1,000 ships are in a holding pattern in the Persian Gulf region: 800 ships in the Persian "
           "Gulf inside the Strait waiting to transit eastbound and 200 ships outside the Strait waiting to transit westbound.")
CHILDREN = ("Russia has been justifiably accused of illegally transferring thousands of Ukrainian children across "
            "the border.")


@pytest.mark.parametrize("sentence,text", [(ATTACKS, HORMUZ), (WAITING, HORMUZ), (CHILDREN, ARTICLE)])
def test_sentences_are_taken_from_dev_documents(sentence: str, text: str) -> None:
    assert sentence in text


@pytest.mark.parametrize(
    "question,noun",
    [
        ("How many crew members have been killed in the attacks?", "members"),
        ("How many attacks on vessels has the center recorded?", "attacks"),  # not "vessels"
        ("How many dry bulk ships were held up inside the Strait?", "ships"),
        ("How many of the 800 ships are tankers?", "tankers"),  # the part counted, not the whole
        ("Roughly how many Ukrainian children was Russia accused of taking?", "children"),
        ("How many of them are tankers?", "tankers"),  # what follows the copula
        ("How many of them?", None),  # a pronoun names nothing to look for
        ("Of the 200 ships waiting outside, how many are container ships?", "ships"),  # after the copula
        ("Of the 800 ships, how many are oil or chemical tankers?", "tankers"),
        ("How many of the 60 vessels enrolled in the program are container ships?", "ships"),
        ("How many are there?", None),
        ("How many leaders met?", "leaders"),  # the plural, not the verb after it
        ("How many soldiers died in the war?", "soldiers"),
        ("How many people work there?", "people"),
        ("How many times higher are the error rates?", None),
        ("What did the center record?", None),
    ],
)
def test_the_counted_word(question: str, noun: str | None) -> None:
    assert counted_noun(question) == noun


def test_a_sentence_that_uses_the_word_without_a_number_does_not_count_it() -> None:
    # "2026, with several crew members": a year across a clause break counts nothing
    assert gives_count(ATTACKS, "members") is False
    assert gives_count(ATTACKS, "attacks") is True


def test_numbers_with_modifiers_or_of_between_count_the_word() -> None:
    assert gives_count(WAITING, "ships") is True
    assert gives_count(CHILDREN, "children") is True  # "thousands of Ukrainian children"
    assert gives_count("It may buy 3-5 U.S. Virginia-class nuclear-powered attack submarines.", "submarines") is True
    assert gives_count("The fleet's ships: 60, all under the flag.", "ships") is True
    assert gives_count("a bizarre car ride with both leaders taking turns behind the wheel", "leaders") is True  # two


def test_a_sentence_without_the_word_says_nothing_either_way() -> None:
    # "800 vessels" may well answer "how many ships": only an uncounted mention declines
    assert gives_count("About 800 vessels wait in the Gulf.", "ships") is None


def test_a_list_after_a_colon_counts_what_it_lists() -> None:
    moments = ("the summit—lasting two days— was largely composed of performative moments: a frankly bizarre car "
               "ride with both leaders taking turns behind the wheel, singing children, a Pungsan dog petting zoo, "
               "and Russian concerts.")
    assert moments in " ".join(ARTICLE.split())
    assert gives_count(moments, "moments") is True
    assert gives_count(moments, "concerts") is False  # "Russian concerts": how many is not said


def test_a_title_is_no_mention_of_the_counted_things() -> None:
    met = "Russian President Vladimir Putin met with Supreme Leader of North Korea Kim Jong Un earlier this month"
    assert met in ARTICLE
    assert gives_count(met, "leaders") is None  # "Supreme Leader" is a title: the sentence says nothing either way


def test_the_number_of_things_counts_them() -> None:
    average = ("the average number of ships from various countries transiting through the Strait of Hormuz (the "
               "Strait) was about 130 each day.")
    assert average in HORMUZ
    assert gives_count(average, "ships") is True
