"""The extractive composer's structure alone: candidates, selection rules, the answer it builds.

Answer quality on the corpus is tests/test_answers.py; here the composer gets hand-made
passages (a real model scores them) so each rule can be seen to hold and to fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant import Assistant
from assistant.answering import NO_MATCH, NOT_COVERED, Candidate, ExtractiveComposer, candidates
from assistant.config import load_settings
from assistant.embeddings import Embedder
from assistant.lexical import stem_all
from assistant.markers import validate_citations
from assistant.schema import Passage
from assistant.state import QuestionState

DOC = (
    "Baltic Cable Report\n"
    "Ana Berg | 3 March 2025\n"
    "Two undersea cables were cut in the Baltic Sea in November. Investigators suspect a cargo ship "
    "dragged its anchor across them. The ship left port a day earlier.\n"
    "Repairs to the cables took six weeks and cost the operators millions."
)


def passage(number: int, text: str, kind: str = "paragraph", score: float = 0.03) -> Passage:
    start = DOC.index(text)
    return Passage(number=number, chunk_id=f"c{number}", doc_id="/corpus/baltic.txt", title="Baltic Cable Report",
                   author="Ana Berg", date="2025-03-03", kind=kind, text=text, start=start,
                   end=start + len(text), score=score)


PASSAGES = (
    passage(1, "Two undersea cables were cut in the Baltic Sea in November. Investigators suspect a cargo ship "
               "dragged its anchor across them. The ship left port a day earlier."),
    passage(2, "Repairs to the cables took six weeks and cost the operators millions."),
    passage(3, "Ana Berg | 3 March 2025", kind="byline"),
)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    settings = load_settings()
    return Embedder(settings.embedding_model, settings.embedding_device)


def composer(embedder: Embedder, **changes: float) -> ExtractiveComposer:
    """The composer as the settings build it, with some knobs changed."""
    built = ExtractiveComposer.from_settings(embedder, load_settings())
    for name, value in changes.items():
        assert hasattr(built, name), name
        setattr(built, name, value)
    return built


def state(question: str, passages: tuple[Passage, ...] = PASSAGES) -> QuestionState:
    return QuestionState(question=question, standalone=question, passages=passages)


def test_candidates_are_sentences_with_exact_document_spans() -> None:
    cands = candidates(PASSAGES)
    assert [c.passage.number for c in cands] == [1, 1, 1, 2, 3]
    assert all(DOC[c.start:c.end] == c.text for c in cands)
    assert cands[-1].kind == "byline" and cands[-1].text == "Ana Berg | 3 March 2025", "metadata stays whole"


def test_answer_quotes_the_best_sentence_and_cites_it_exactly(embedder: Embedder) -> None:
    question = "How long did the repairs to the cables take?"
    answer = composer(embedder).compose(state(question))
    assert not answer.abstained and answer.backend == "extractive"
    cands = candidates(PASSAGES)
    composer(embedder).score(question, cands)
    best = max(cands, key=lambda c: c.score)
    assert best.text == "Repairs to the cables took six weeks and cost the operators millions."
    assert answer.citations[0].quote == best.text and answer.citations[0].marker == 2
    assert answer.text.startswith(best.text + " [2]")
    assert list(answer.passages) == list(PASSAGES), "every passage is shown, cited or not"
    assert validate_citations(answer) == answer, "nothing for validation to remove"
    for c in answer.citations:
        assert DOC[c.start:c.end] == c.quote


def test_below_the_threshold_it_abstains_and_cites_nothing(embedder: Embedder) -> None:
    strict = composer(embedder, abstain_threshold=2.0, score_floor=2.0)
    answer = strict.compose(state("What do investigators suspect cut the Baltic cables?"))
    assert answer.abstained and answer.text == NOT_COVERED and not answer.citations and answer.passages
    assert composer(embedder).compose(state("anything", passages=())).text == NO_MATCH


def test_selection_rules(embedder: Embedder) -> None:
    base = composer(embedder)
    cands = candidates(PASSAGES)
    base.score("How long did the cable repairs take, and what did investigators suspect?", cands)
    ranked = sorted(cands, key=lambda c: -c.score)
    assert all(c.score == pytest.approx(c.similarity + base.coverage_weight * c.coverage) for c in cands)

    one = composer(embedder, max_sentences=1).select(cands)
    assert one == [ranked[0]]
    tight = composer(embedder, margin=0.0).select(cands)
    assert tight == [ranked[0]], "nothing below the best score when the margin is zero"
    wide = composer(embedder, margin=2.0, abstain_threshold=-1.0, max_sentences=5).select(cands)
    assert wide[0] is ranked[0] and len(wide) == 5
    rest = wide[1:]
    assert rest == sorted(rest, key=lambda c: (c.passage.doc_id, c.start)), "support follows in reading order"


def test_a_sentence_repeating_a_chosen_one_is_skipped(embedder: Embedder) -> None:
    text = "Two undersea cables were cut in the Baltic Sea in November."
    twin = Candidate(PASSAGES[1], PASSAGES[1].start, PASSAGES[1].end, text + " Again.")
    first = Candidate(PASSAGES[0], PASSAGES[0].start, PASSAGES[0].start + len(text), text)
    first.score, twin.score = 0.9, 0.89
    loose = composer(embedder, duplicate_overlap=1.0, abstain_threshold=0.1)
    strict = composer(embedder, duplicate_overlap=0.6, abstain_threshold=0.1)
    assert loose.select([first, twin]) == [first, twin]
    assert strict.select([first, twin]) == [first]


def test_the_assistant_builds_its_composer_from_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = Assistant(store_dir=tmp_path / "s", coverage_weight=0.5, answer_margin=0.2, duplicate_sentence_overlap=0.7,
                    max_answer_sentences=2, abstain_threshold=0.4)
    c = bot.extractive
    assert (c.coverage_weight, c.margin, c.duplicate_overlap, c.max_sentences, c.abstain_threshold) == (
        0.5, 0.2, 0.7, 2, 0.4)


def test_a_question_in_two_parts_quotes_a_sentence_for_each(embedder: Embedder) -> None:
    """The second part's sentence is not close to the best one's score, but it covers question
    words the first lacks and stands above the background on its own."""
    answer = composer(embedder).compose(state("Where were the cables cut, and how long did the repairs take?"))
    quotes = [c.quote for c in answer.citations]
    assert any("Baltic Sea" in q for q in quotes)
    assert any("six weeks" in q for q in quotes)
    assert validate_citations(answer).citations == answer.citations  # every marker survives validation


def test_a_question_that_spells_an_acronym_out_in_lower_case_is_covered_by_the_acronym(
        embedder: Embedder) -> None:
    """"research, development, test, and evaluation" is covered by a sentence that writes
    "RDT&E"; without that, the sentence that only names the total leads."""
    text = ("Congress appropriated a total of $26.1 billion for the agency in FY2026. "
            "The act provided $14.9 billion for RDT&E and $5.7 billion for O&M.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/budget.txt", title="Budget", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    built = composer(embedder)
    cands = candidates([p])
    built.score("How much did the act provide for research, development, test, and evaluation?", cands)
    by_text = {c.text[:8]: c for c in cands}
    assert set(stem_all(["research", "development", "test", "evaluation"])) <= by_text["The act "].tokens
    assert not by_text["Congress"].tokens & set(stem_all(["research", "evaluation"]))
    answer = built.compose(state("How much did the act provide for research, development, test, and evaluation?",
                                 (p,)))
    assert answer.citations[0].quote.startswith("The act provided $14.9 billion")



def test_a_neighbour_must_carry_the_answer_type_plainly(embedder: Embedder) -> None:
    """The best sentence names the role but no one; the next sentence's only capitalised word
    is a month, and the one after it a quoted title: a name question quotes the title, never the
    month, and a question whose neighbours carry nothing is declined."""
    text = ("The ambassador to the island has warned of consequences for the lease. "
            "In April the talks resumed. The dispute concerns the port.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/port.txt", title="Port", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    answer = composer(embedder).compose(state("What is the name of the ambassador to the island?", (p,)))
    assert answer.abstained, answer.text
    titled = text + " The treaty is called “Harbour Accord”."
    q = Passage(number=1, chunk_id="c1", doc_id="/corpus/port.txt", title="Port", kind="paragraph",
                text=titled, start=0, end=len(titled), score=0.03)
    answer = composer(embedder, neighbour_window=3).compose(state("What is the name of the treaty about the lease?", (q,)))
    assert not answer.abstained and "Harbour Accord" in answer.text



def test_the_answering_sentence_names_what_the_question_is_about_or_refers_back_to_it(embedder: Embedder) -> None:
    """The passage names the Harbour Authority, but the sentence about headquarters is about
    the ministry: declined. A sentence that refers back ("It is based ...") still answers."""
    other = ("The Maritime Ministry headquarters are located in Portvale. "
             "The ministry works with the Harbour Authority on inspections.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/port.txt", title="Port", kind="paragraph",
                text=other, start=0, end=len(other), score=0.03)
    def idf(token: str) -> float:  # every word fairly rare, none unseen: names are distinctive and known
        return 5.0 if token == "\x00" else 4.0

    assert composer(embedder).compose(state("Where is the Harbour Authority headquartered?", (p,)), idf).abstained
    own = ("The Harbour Authority inspects every ship that docks. "
           "It is headquartered in Portvale, near the old customs house.")
    q = Passage(number=1, chunk_id="c1", doc_id="/corpus/port.txt", title="Port", kind="paragraph",
                text=own, start=0, end=len(own), score=0.03)
    answer = composer(embedder).compose(state("Where is the Harbour Authority headquartered?", (q,)), idf)
    assert not answer.abstained and "Portvale" in answer.text


def test_a_passage_lacking_only_a_minor_name_still_competes(embedder: Embedder) -> None:
    """"American" is a minor name of the question; the passage that answers says "U.S." and must
    not be shut out by a worse passage that happens to say "South America"."""
    text = ("Gulf countries account for nearly 20% of U.S. exports by ship of sauces such as ketchup. "
            "Gulf nations take roughly 10% of the chicken shipped from ports that also serve South America.")
    cut = text.index(" Gulf nations") + 1
    p1 = Passage(number=1, chunk_id="c1", doc_id="/corpus/gulf.txt", title="Gulf", kind="paragraph",
                 text=text[:cut].strip(), start=0, end=cut - 1, score=0.03)
    p2 = Passage(number=2, chunk_id="c2", doc_id="/corpus/gulf.txt", title="Gulf", kind="paragraph",
                 text=text[cut:], start=cut, end=len(text), score=0.02)

    def idf(token: str) -> float:
        return {"\x00": 5.0, "american": 2.6}.get(token, 4.0)

    question = "Roughly what percentage of American seaborne exports of sauces like ketchup go to Gulf countries?"
    answer = composer(embedder).compose(state(question, (p1, p2)), idf)
    assert "20%" in answer.citations[0].quote
    strict = composer(embedder, minor_name_share=0.0).compose(state(question, (p1, p2)), idf)
    assert "10%" in strict.citations[0].quote  # every name required: the worse passage wins


def test_a_sentence_about_another_numbered_name_does_not_answer(embedder: Embedder) -> None:
    """"Pillar 1 would allow ..." is closer in wording to "What would Pillar 2 allow?" than the
    sentence about Pillar 2, but it is about another pillar."""
    text = ("Under the pact, Pillar 1 would allow the navy to buy three submarines in the 2030s. "
            "Pillar 2 focuses on joint development of advanced capabilities such as AI and hypersonics.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/pact.txt", title="Pact", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    answer = composer(embedder).compose(state("What would Pillar 2 allow the navy to do?", (p,)), lambda t: 4.0)
    assert answer.citations and answer.citations[0].quote.startswith("Pillar 2 focuses")



def test_an_acronym_written_with_an_ampersand_covers_two_spelled_out_words(embedder: Embedder) -> None:
    from assistant.answering import _covered_tokens, _spelled_out

    question = "How much is the agency asking for operations and maintenance?"
    covered = _covered_tokens("The request has $9.3 billion for O&M and $1.9 billion for personnel.", _spelled_out(question))
    assert set(stem_all(["operations", "maintenance"])) <= covered
    # two initials without "&" match too many word pairs: "PS" does not cover "provide space"
    assert not set(stem_all(["provide", "space"])) & _covered_tokens("The PS is here.", _spelled_out("Does it provide space?"))


def test_the_best_sentence_naming_the_subject_leads(embedder: Embedder) -> None:
    """The list of commands holds more of the question's words, but the sentence that names the
    base answers which command is based there."""
    text = ("The service's three field commands are Alpha Command, Beta Command and Gamma Command. "
            "Alpha Command is based at Northfield Base in Colorado.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/s.txt", title="S", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)

    def idf(token: str) -> float:
        return {"\x00": 5.0, "northfield": 4.5}.get(token, 1.0)

    answer = composer(embedder).compose(state("Which field command is based at Northfield Base?", (p,)), idf)
    assert answer.citations and answer.citations[0].quote.startswith("Alpha Command is based at Northfield")


@pytest.mark.parametrize(
    "question,parts",
    [
        ("How long is the ceasefire, and how many ships are waiting outside the Strait?",
         ["How long is the ceasefire?", "How many ships are waiting outside the Strait?"]),
        ("What does the strategy say China has been doing; what must Australia do in response?",
         ["What does the strategy say China has been doing?", "What must Australia do in response?"]),
        ("What is the pact and why does it matter?", ["What is the pact and why does it matter?"]),  # "the pact" is too short
        ("How is China expected to react, both in the analysis and in the forecast?",
         ["How is China expected to react, both in the analysis and in the forecast?"]),
        # a phrase set in front of one question is no question of its own
        ("In its FY2027 request, how much discretionary funding did it request for procurement?",
         ["In its FY2027 request, how much discretionary funding did it request for procurement?"]),
        ("According to the brief, what do ship operators receive each year?",
         ["According to the brief, what do ship operators receive each year?"]),
        ("In which year was the pact signed, and what does the pact promise?",
         ["In which year was the pact signed?", "What does the pact promise?"]),
    ],
)
def test_a_question_is_split_into_the_questions_it_joins(question: str, parts: list[str]) -> None:
    from assistant.answering import question_parts

    assert question_parts(question) == parts


def test_a_date_line_answers_only_a_question_about_the_document(embedder: Embedder) -> None:
    """"Updated 3 March 2025" says when the document changed, not whether what it reports was
    updated: a question about the cables' repair work never quotes it, one about the report may."""
    text = "Updated 3 March 2025"
    global DOC
    doc, DOC = DOC, DOC + "\n" + text
    try:
        dated = (*PASSAGES, passage(4, text, kind="dateline"))
        answer = composer(embedder).compose(state("Has the repair work been updated yet?", dated))
        assert all(c.quote != text for c in answer.citations), answer.text
        report = composer(embedder).compose(state("When was the Baltic Cable Report last updated?", dated))
        assert report.citations and report.citations[0].quote == text, report.text
    finally:
        DOC = doc


def test_a_country_and_its_demonym_are_one_name_but_codes_and_near_names_are_not() -> None:
    from assistant.answering import _demonym_of

    assert _demonym_of("ukraine", "ukrainian")
    assert not _demonym_of("iran", "iraq"), "four letters: too short to tell apart"
    assert not _demonym_of("fy2025", "fy2026"), "codes differ by their digits"
    assert not _demonym_of("chile", "china")


def test_a_run_in_heading_is_no_sentence_to_quote() -> None:
    """PDF products set a bold heading into the paragraph ("AUKUS. AUKUS Pillar 1 would ..."):
    it is split off as a sentence of its own, but says nothing to quote."""
    from assistant.answering import candidates

    text = "Alliances. Alliances in the region have grown stronger since 2021."
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/region.txt", title="Region", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    assert [c.text for c in candidates([p])] == ["Alliances in the region have grown stronger since 2021."]
    assert candidates([p])[0].index == 1, "its position in the passage is kept, for its neighbours"


def test_the_sentence_under_a_run_in_heading_the_question_quotes_leads(embedder: Embedder) -> None:
    """ "What does the 'to sea' function cover?" quotes the run-in heading "To sea." of its answer;
    a sentence naming the functions in general scores higher but does not say what that one is."""
    text = ("The navy has three core functions, which together cover every task the service takes on at sea. "
            "To sea. Providing assured access to the ocean through ports and shipyards. "
            "From sea. Delivering strike and transport operations ashore.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/navy.md", title="Navy", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    parts = [Passage(number=i + 1, chunk_id=f"c{i + 1}", doc_id="/corpus/navy.md", title="Navy", kind="paragraph",
                     text=t, start=text.index(t), end=text.index(t) + len(t), score=0.03)
             for i, t in enumerate(["The navy has three core functions, which together cover every task the service takes on at sea.",
                                    "To sea. Providing assured access to the ocean through ports and shipyards.",
                                    "From sea. Delivering strike and transport operations ashore."])]
    assert [c.lead_in for c in candidates([p])] == ["", "", ""]  # the heading opens no passage here
    assert [c.lead_in for c in candidates(parts)] == ["", "To sea.", "From sea."]
    answer = composer(embedder).compose(state("What does the navy's 'to sea' core function cover?", tuple(parts)),
                                        lambda t: 4.0)
    assert answer.citations and answer.citations[0].quote.startswith("Providing assured access")
    answer = composer(embedder).compose(state("What does the navy's 'from sea' core function cover?", tuple(parts)),
                                        lambda t: 4.0)
    assert answer.citations and answer.citations[0].quote.startswith("Delivering strike")


def test_a_section_heading_says_what_its_sentences_answer(embedder: Embedder) -> None:
    """ "Why was the harbour board created?": the sentence under the heading "Why the Harbour
    Board Was Created" gets a bonus for the question words the heading holds and it lacks; with a
    weight large enough it leads, though another sentence shares the question's verb, which
    leads without the heading's words."""
    answer_text = "A decade of disputes over the port led the council to propose a single authority."
    other_text = "In 2025 the mayor created a new parking fund beside the harbour."

    def make(number: int, text: str, section: str) -> Passage:
        return Passage(number=number, chunk_id=f"c{number}", doc_id="/corpus/port.txt", title="Port",
                       kind="paragraph", text=text, start=100 * number, end=100 * number + len(text),
                       score=0.03, section=section)

    passages = (make(1, other_text, "Budget"), make(2, answer_text, "Why the Harbour Board Was Created"))
    question = "Why was the harbour board created?"
    cands = candidates(passages)
    composer(embedder).score(question, cands)
    assert cands[1].section_bonus > 0 and cands[0].section_bonus == 0
    heading = composer(embedder, section_weight=1.0).compose(state(question, passages))
    assert heading.citations and heading.citations[0].quote == answer_text, heading.text
    without = composer(embedder, section_weight=0.0).compose(state(question, passages))
    assert without.citations and without.citations[0].quote == other_text, without.text


def test_a_long_sentence_is_judged_by_its_best_clause_too(embedder: Embedder) -> None:
    """Talks, a dog show and a signing in one sentence: the other clauses dilute the one a
    question asks about, so the sentence scores as its best clause (less the clause penalty)
    when that is higher; it is still the whole sentence that is quoted."""
    from assistant.answering import clause_texts

    text = ("The ministers spent two days in talks on fishing quotas and port fees, while a show of Jindo "
            "hunting dogs entertained the delegations; the two sides later signed a trade accord.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/visit.txt", title="Visit", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    cands = candidates([p])
    assert clause_texts(cands[0]) == ["The ministers spent two days in talks on fishing quotas and port fees",
                                      "while a show of Jindo hunting dogs entertained the delegations",
                                      "the two sides later signed a trade accord."]
    question = "Which breed of dogs was shown during the visit?"
    plain = composer(embedder, clause_penalty=None)
    plain.score(question, cands)
    whole = cands[0].similarity
    clauses = composer(embedder)
    clauses.score(question, cands)
    assert cands[0].similarity > whole
    q = np.asarray(embedder.embed_query(question))
    best_clause = max(float(np.asarray(v) @ q) for v in embedder.embed_queries(clause_texts(cands[0])))
    assert cands[0].similarity == pytest.approx(best_clause - 0.1)
    assert cands[0].text == text, "the sentence is still the one quoted"
    short = Passage(number=2, chunk_id="c2", doc_id="/corpus/visit.txt", title="Visit", kind="paragraph",
                    text="The talks ended early.", start=0, end=22, score=0.03)
    assert clause_texts(candidates([short])[0]) == [], "a sentence that does not divide has no clauses"


def test_a_sentence_opening_word_is_no_part_of_a_names_initials() -> None:
    """"Though South Korea ..." says "SK"; the capital of its first word does not hide it."""
    from assistant.answering import _present

    assert {"sk", "tsk"} <= _present("Though South Korea had hoped to stay friendly, it was angered.")
    assert "us" in _present("Before United States forces arrived, the port was quiet.")


def test_a_yes_or_no_question_about_the_document_is_answered_by_its_own_line(embedder: Embedder) -> None:
    """ "Was the report published in March 2025?" is answered by the byline's date: a metadata
    line states by what it is, not by repeating the question's words."""
    answer = composer(embedder).compose(state("Was the report published in March 2025?"), lambda t: 4.0)
    assert not answer.abstained and answer.citations and "3 March 2025" in answer.citations[0].quote


def test_a_yes_or_no_question_is_answered_by_the_next_sentence_that_says_no(embedder: Embedder) -> None:
    """The best match restates the setting ("The act directs the agency to update the rule"); the
    next sentence of its passage says no ("which has not been published to date"): it answers."""
    text = ("Section 12 of the 2025 act directs the agency to update its harbour rule within 180 days. "
            "Congress may monitor the status of this update, which has not been published to date.")
    p = Passage(number=1, chunk_id="c1", doc_id="/corpus/harbour.txt", title="Harbour", kind="paragraph",
                text=text, start=0, end=len(text), score=0.03)
    answer = composer(embedder).compose(state("Has the agency's harbour rule update been published?", (p,)), lambda t: 4.0)
    assert answer.citations and "has not been published" in answer.citations[0].quote
