"""Expected answer types and the checks on sentences, with sentences from the dev documents.

Pure text rules, no model. Sentences come from the BISI article and the dev CRS products
(tests/eval/corpora/crs: R48903, IF11783, IF12610, IF10491); never from the test documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.question_types import carries, expected_type, type_evidence, type_strength

REPO = Path(__file__).resolve().parent.parent
ARTICLE = (REPO / "corpus" / "bisi-2024-07-11-pyongyang-parlays.txt").read_text(encoding="utf-8")
SPACE = (REPO / "tests" / "eval" / "corpora" / "crs" / "IF12610v6-defense-primer-u-s-space-force.md").read_text(encoding="utf-8")
HORMUZ = next((REPO / "tests" / "eval" / "corpora" / "crs").glob("R48903v3-*.md")).read_text(encoding="utf-8")
BIOMETRICS = (REPO / "tests" / "eval" / "corpora" / "crs" / "IF11783v7-biometric-technologies-and-global-security.md").read_text(encoding="utf-8")
AUSTRALIA = "".join(page.extract_text() for page in PdfReader(REPO / "tests" / "eval" / "corpora" / "crs" / "IF10491.14.pdf").pages)

SONG = "Bathed in a purple neon glow, Putin and Kim listened to a performance of a Russian song, memorialising war heroes."
TITLE = "“We’ll Stand” (Встанем) is thought to have been originally written for the millions killed in World War II"
SUMMIT = "the summit—lasting two days— was largely composed of performative moments"
ZOO = "singing children, a Pungsan dog petting zoo, and Russian concerts."
ESTABLISHED = "The FY2020 NDAA authorized the establishment of the service on December 20, 2019."
GUARDIANS = "STARCOM prepares and trains Guardians at Patrick SFB in Florida."
SHIPS = "the average number of ships from various countries transiting through the Strait of Hormuz (the Strait) was about 130 each day."


@pytest.mark.parametrize("sentence", [SONG, TITLE, SUMMIT, ZOO])
def test_sentences_are_taken_from_the_article(sentence: str) -> None:
    assert sentence in ARTICLE


@pytest.mark.parametrize("sentence,text", [(ESTABLISHED, SPACE), (GUARDIANS, SPACE), (SHIPS, HORMUZ)])
def test_sentences_are_taken_from_the_dev_products(sentence: str, text: str) -> None:
    assert sentence in text


@pytest.mark.parametrize(
    "question,kind",
    [
        ("Who sang at the summit?", "agent"),
        ("Who is the current Chief of Space Operations?", "person"),
        ("Which agency was allowed to use biometrics for passenger screening?", "agent"),
        ("When was the Space Force established?", "date"),
        ("In what year did the United States last test an anti-satellite missile?", "date"),
        ("How long did the summit last?", "duration"),
        ("How many ships transited the strait each day?", "number"),
        ("What share of global aluminum output comes from the Persian Gulf?", "number"),
        ("How much did Congress appropriate?", "number"),
        ("How much toll does Iran charge each ship?", "money"),
        ("What is the price of a ticket?", "money"),
        ("How much did the programme cost?", "money"),
        ("How old is the treaty?", "age"),
        ("What is the name of the song?", "name"),
        ("What is the title of the Russian song?", "name"),
        ("What breed of dog was at the zoo?", "name"),
        ("What are Space Force service members called?", "name"),
        ("Where is Combat Forces Command based?", "place"),
        ("Which port is the leading container hub in the region?", "place"),
        ("Why did the United States stop testing?", "reason"),
        ("What does the partnership agreement include?", None),
        ("How is China expected to react to the pact?", None),
    ],
)
def test_expected_type(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def test_a_title_is_in_the_next_sentence_not_in_the_one_about_the_song() -> None:
    q = "What is the title of the Russian song?"
    assert type_strength(TITLE, "name", q) == 2  # quoted, and in Cyrillic too
    assert type_strength(SONG, "name", q) < type_strength(TITLE, "name", q)
    assert "Встанем" in type_evidence(TITLE, "name", q)


def test_dates_numbers_and_durations() -> None:
    assert type_strength(ESTABLISHED, "date", "When was the Space Force established?") == 2
    assert not carries(GUARDIANS, "date", "When was the Space Force established?")
    assert "130" in type_evidence(SHIPS, "number", "How many ships transited the strait each day?")
    assert carries(SUMMIT, "duration", "How long did the summit last?")
    assert not carries(SONG, "duration", "How long did the summit last?")
    assert not carries(SONG, "number", "How many ships?")


def test_people_and_names() -> None:
    assert "children" in type_evidence(ZOO, "agent", "Who sang at the summit?")
    assert "Pungsan" in type_evidence(ZOO, "name", "What breed of dog was at the zoo?")
    assert carries(GUARDIANS, "place", "Where is STARCOM based?")
    assert "Patrick SFB" in type_evidence(GUARDIANS, "place", "Where is STARCOM based?")


def test_what_the_question_already_says_is_not_the_answer() -> None:
    assert not carries("The pact was signed in 2019.", "date", "When was the 2019 pact signed?")
    assert type_evidence("STARCOM prepares Guardians.", "place", "Where does STARCOM prepare Guardians?") == []
    assert carries("Any sentence at all.", None, "What does the pact include?")


def test_names_a_question_depends_on() -> None:
    from assistant.question_types import asks_about_the_source, question_names

    assert question_names("What did Dan Smith say about the pact?") == ["Dan Smith"]
    assert "FY2022" in question_names("What was the Space Force's budget in FY2022?")
    assert "We’ll Stand" in question_names("Who composed the song “We’ll Stand”?")
    # who published or is quoted as the source is not what the answer must mention
    assert "CRS" not in question_names("What do the CRS products say about aluminum?")
    assert question_names("How many people were kept out of bases, according to the GAO?") == []
    assert "What" not in question_names("What is the name of the song?")
    assert asks_about_the_source("Who are the authors of the Defense Primer on the U.S. Space Force?")
    assert asks_about_the_source("When was 'Biometric Technologies and Global Security' last updated?")
    assert not asks_about_the_source("Who is directing the Golden Dome effort?")


def test_ages_and_money_need_their_own_shape() -> None:
    from assistant.question_types import type_strength

    assert type_strength("The pact, over fifty years old, still stands.", "age") == 2
    assert type_strength("The pact was signed in 1961.", "age") == 1  # a year it dates from, loosely
    assert type_strength("They met for the first time in over two decades.", "age") == 0
    assert type_strength("Ships pay a toll of $2 million each.", "money") == 2
    assert type_strength("About 130 ships crossed each day.", "money") == 0


def test_names_a_question_is_pinned_to() -> None:
    from assistant.question_types import pinned_names

    assert pinned_names("What did Brazil's foreign minister say about the waiver?") == ["Brazil"]
    assert pinned_names("How is China expected to react to the pact?") == []  # "Beijing" may answer
    assert pinned_names("What did China say about the pact?") == ["China"]
    assert pinned_names("What was the budget in FY2022?") == ["FY2022"]
    assert pinned_names("What sanctions were imposed in 2024?") == ["2024"]
    assert pinned_names("What did the article say about Russia?") == []  # not a name
    assert pinned_names("How does the CRS report describe Iran?") == []  # who wrote it, not the subject


def test_a_reason_given_with_citing() -> None:
    from assistant.question_types import type_strength

    assert type_strength("The test ended, citing the harm debris could cause.", "reason") == 1
    assert type_strength("The test ended in 1985.", "reason") == 0


def test_an_initialism_is_one_name_and_does_not_end_the_sentence() -> None:
    from assistant.question_types import question_names

    assert question_names("How many U.S. Marines rotate through Darwin each year?") == ["U.S.", "Marines", "Darwin"]


def test_a_number_word_inside_a_name_is_not_a_number() -> None:
    from assistant.question_types import type_strength

    assert type_strength("Australia works with the United States through the Five Eyes alliance.", "number") == 0
    assert type_strength("Two ships sank and three were damaged.", "number") == 1


AMBASSADOR = ("China’s ambassador to Australia has insinuated that a forced sale of the lease to an Australian "
              "company could result in investment and trade repercussions.")


def test_a_name_the_question_already_says_in_another_form_is_not_the_answer() -> None:
    """"Australian" is the question's "Australia"; a sentence about the ambassador that names no
    one does not give the ambassador's name (IF10491, a dev product)."""
    question = "What is the name of China's ambassador to Australia?"
    assert expected_type(question) == "name"
    assert type_strength(AMBASSADOR, "name", question) == 0
    assert type_strength("Many Australians express concern about the lease.", "name", question) == 0
    assert type_strength("The ambassador, Xiao Qian, spoke in Canberra.", "name", question) == 1


def test_a_months_name_and_a_section_number_are_not_people() -> None:
    question = "Who chairs the committee?"
    assert type_strength("The committee met in April and reported under Section 5104.", "agent", question) < 2
    assert type_strength("The committee is chaired by Jane Doe.", "agent", question) == 2


def test_an_acronym_of_the_questions_own_phrase_is_not_new() -> None:
    question = "Who was the first Chief of Space Operations?"
    assert "CSO" not in type_evidence("The Chief of Space Operations (CSO) leads the service.", "agent", question)


def test_a_company_with_a_modifier_is_still_asked_for() -> None:
    assert expected_type("Which PRC-based company holds the lease on the port?") == "company"
    assert expected_type("Which shipping company owns the vessel?") == "company"
    assert expected_type("At which university do the researchers work?") == "company"
    assert expected_type("Which polling organisation ran the survey?") == "company"
    # who published a document is an organisation, not a firm asked for by its trade
    assert expected_type("Which organization published the report?") == "agent"


OPIR = "The Space Force is developing the Overhead Persistent Infrared and Resilient (OPIR) Missile Warning and Missile Tracking program."
AUKUS = ("AUKUS Pillar 1 would allow Australia to purchase 3-5 U.S. Virginia-class nuclear-powered attack submarines "
         "(SSNs) in the 2030s as authorized in the 2024 National Defense Authorization Act (NDAA).")


def test_the_company_sentences_are_taken_from_the_dev_products() -> None:
    assert OPIR in SPACE
    assert " ".join(AUKUS.split()) in " ".join(AUSTRALIA.split())


def test_a_firms_name_is_not_a_public_body_a_law_a_place_or_a_person() -> None:
    company = "Which company builds the submarines?"
    assert type_evidence(AUKUS, "company", company) == []  # a pillar, a country, an abbreviation, an Act
    assert type_evidence(OPIR, "company", company) == []  # the Space Force and a programme
    assert type_evidence(OPIR, "company", "Which company builds the OPIR satellites?") == []
    albanese = "During an October 2025 visit, Albanese and President Trump signed a framework."
    assert type_evidence(albanese, "company", company, "Prime Minister Anthony Albanese spoke.") == []
    assert type_evidence("Officials said an Australian company and a PRC-based company bid.", "company", company) == []
    # made-up firms: plain names, a name opening the sentence that its passage writes as a name, "xAI"
    found = type_evidence("The contract went to Acme Shipbuilding and Lockheed Martin, with help from Stanford University.",
                          "company", company)
    assert found == ["Acme Shipbuilding", "Lockheed Martin", "Stanford University"]
    assert type_evidence("Gabion manages the ships.", "company", company, "The yard is run by Gabion.") == ["Gabion"]
    assert type_evidence("Engineers at xAI built it.", "company", company) == ["xAI"]
    assert type_strength(AUKUS, "company", company) == 0


@pytest.mark.parametrize(
    "question,person",
    [
        ("How old is Kim Jong Un?", True),
        ("How old is General Chance B. Saltzman?", True),
        ("How old is President Putin?", True),
        ("How old is the security arrangement between Beijing and Pyongyang?", False),
        ("How old is the Treaty of Friendship?", False),
        ("How old is NATO?", False),
        ("How old is the pact?", False),
    ],
)
def test_a_persons_age_is_told_from_a_things(question: str, person: bool) -> None:
    from assistant.question_types import asks_a_persons_age

    assert asks_a_persons_age(question) is person
    strength = type_strength("The current CSO, General Chance B. Saltzman, was appointed in November 2022.", "age", question)
    assert strength == (0 if person else 1)  # a year is an age loosely, but not a person's


def test_a_count_in_a_unit_needs_a_number_in_that_unit() -> None:
    """"How many tons ...?" is not answered by a percentage of cars (R48903, a dev product)."""
    question = "How many tons of soybeans did the United States export to the region in 2025?"
    shares = ("In 2025, measured by weight of vehicles, the Persian Gulf countries accounted for over 20% of "
              "the United States' waterborne exports of passenger cars and 15% of trucks.")
    assert shares in HORMUZ
    assert type_strength(shares, "number", question) == 0
    assert type_strength("The United States shipped 1.2 million tons of soybeans there.", "number", question) == 2
    assert type_strength(SHIPS, "number", "How many ships transited the strait each day?") == 2  # no unit asked


def test_a_numbered_name_is_pinned_but_a_date_or_an_opener_is_not() -> None:
    from assistant.question_types import pinned_names

    assert "Pillar 2" in pinned_names("What would AUKUS Pillar 2 allow Australia to do?")
    assert "Section 5104" in pinned_names("What does Section 5104 of the FY2021 NDAA require?")
    assert pinned_names("How many ships crossed in April 2025?") == ["2025"]
    assert pinned_names("Which 1951 treaty underpins the alliance?") == ["1951"]


def test_a_share_needs_a_percentage_or_a_fraction() -> None:
    question = "What share of its GDP does Australia spend on defense?"
    assert type_strength("The government is allocating an additional AU$50.3 billion to defense through 2034.",
                         "number", question) == 0
    assert type_strength("Defense spending will reach 2.4% of GDP.", "number", question) == 2
    assert type_strength("About a third of the budget goes to defense.", "number", question) == 1


def test_a_count_is_not_a_percentage() -> None:
    question = "How many containers did the port handle last year?"
    assert not carries("About 65% of the port's container volume is transshipped.", "number", question)
    assert carries("The port handled 14 million containers.", "number", question)


def test_a_count_is_not_money_a_year_a_code_or_a_law_number() -> None:
    question = "How many deltas does the Space Force have?"
    assert type_strength("For FY2027, the Space Force requested a total of $71.3 billion.", "number", question) == 0
    assert type_strength("The act (P.L. 119-75, Section 8149) funded the service in 2026.", "number", question) == 0
    assert type_strength("The Space Force has 14 deltas.", "number", question) == 2
    assert type_strength(SHIPS, "number", "How many ships transited the strait each day?") == 2


def test_who_holds_an_office_asks_for_a_person() -> None:
    from assistant.question_types import _person_names

    assert expected_type("Who commands Space Training and Readiness Command?") == "person"
    assert expected_type("Who is the current Chief of Space Operations?") == "person"
    assert expected_type("Who sang at the summit?") == "agent"  # a choir or a crowd may answer
    commands = ("The Space Force's three field commands are Combat Forces Command (CFC), previously Space "
                "Operations Command (SpOC); Space Training and Readiness Command (STARCOM); and Space Systems Command (SSC).")
    assert _person_names(commands) == []  # (the dev product's sentence, its link syntax removed)
    assert type_strength(commands, "person", "Who commands Space Training and Readiness Command?") == 0
    saltzman = "The current CSO, General Chance B. Saltzman, was appointed in November 2022."
    assert type_strength(saltzman, "person", "Who is the current Chief of Space Operations?") == 2
    assert "Dawn Meyerriecks" in _person_names("According to Dawn Meyerriecks, around 30 countries deploy such systems.")


def test_a_question_for_a_day_needs_a_day_not_a_year() -> None:
    question = "On what date was the FY2025 National Defense Authorization Act signed into law?"
    assert not carries("The act was passed in 2024 and directs DOD to report within 180 days.", "date", question)
    assert carries("The act was signed on December 23, 2024.", "date", question)
    assert carries("The act was signed on 23 December 2024.", "date", question)
    assert carries("The act was passed in 2024.", "date", "When was the act passed?"), "a when-question takes a year"


def test_a_document_coming_out_or_an_organisation_publishing_is_about_the_source() -> None:
    from assistant.question_types import asks_about_the_source

    assert asks_about_the_source("On what date did the analysis of the summit come out?")
    assert asks_about_the_source("Which organisation published this analysis?")
    assert not asks_about_the_source("When did the war come out of stalemate?")
    assert not asks_about_the_source("Has that update been published yet?")
    assert asks_about_the_source("Who publishes the Defense Primer on the U.S. Space Force?")
    assert asks_about_the_source("What date is on the Space Force primer?")
    assert not asks_about_the_source("What date is the election?")


def test_a_documents_number_is_no_unnamed_document() -> None:
    """"the product number of the X In Focus" names its document by its subject; "this report"
    names none."""
    from assistant.question_types import asks_about_an_unnamed_source

    assert not asks_about_an_unnamed_source("What is the product number of the biometrics In Focus?")
    assert asks_about_an_unnamed_source("What is the report number of this report?")


def test_a_part_of_an_amount_asks_for_another_amount() -> None:
    question = "How much of the $3 billion in shared investments will the U.S. government itself provide?"
    assert expected_type(question) == "money"
    assert not carries("The agreement expects $3 billion worth of shared investments within six months.", "money", question)
    assert carries("The U.S. government will provide $1 billion of it.", "money", question)
    assert carries("Congress appropriated $26.1 billion.", "money", "How much did Congress appropriate?")


def test_which_official_asks_for_a_person() -> None:
    question = "Which Iranian official announced that the shipping lanes had moved?"
    assert expected_type(question) == "person"
    assert expected_type("Which Member of Congress first proposed a separate service?") == "person"
    assert expected_type("Which officials met?") == "agent", "several officials: any who"
    assert expected_type("Which official sources say so?") != "person", "an adjective, not a person"
    assert expected_type("What general trend is seen?") is None
    # a role with a word before it; people who need not be named ("singing children") are no person
    assert expected_type("Who is the program manager of the Odin effort?") == "person"
    assert expected_type("Who was the opposition candidate?") == "person"
    assert expected_type("Who sang at the summit?") == "agent"
    # an organisation and an opening adverb are no person's name
    assert not carries("Reportedly Iran, but more specifically the Islamic Revolutionary Guard Corps, is charging tolls.",
                       "person", question)
    assert carries("Foreign Minister Abbas Araghchi announced the change.", "person", question)


def test_a_choice_between_options_needs_a_sentence_that_compares_them() -> None:
    from assistant.question_types import compared_options, ranks_options

    question = "Which country supplies the largest share of the alumina for Gulf smelters: Guinea, India or Australia?"
    options = compared_options(question)
    assert options == ["Guinea", "India", "Australia"]
    listing = "Persian Gulf aluminum plants rely on ship delivery of alumina from Guinea, India, and Australia."
    assert not ranks_options(listing, options), "naming the options together compares nothing"
    assert ranks_options("Guinea supplies most of the alumina.", options)
    assert ranks_options("Australia ships 4 million tons a year.", options), "a figure can be compared"
    assert compared_options("Which is more effective, makeup patterns or prosthetics?") == ["makeup patterns", "prosthetics"]
    assert compared_options("Is the figure for FY2026 or FY2025?") == [], "no comparison asked"
    assert compared_options("Which port is the leading container hub?") == [], "no options offered"


def test_a_lower_case_word_after_a_hyphen_is_no_part_of_a_name() -> None:
    from assistant.question_types import question_names

    names = question_names("In what year was the Soviet-era treaty that the new Russia-North Korea pact echoes signed?")
    assert names == ["Soviet", "Russia-North Korea"]


def test_a_month_answers_which_month() -> None:
    question = "In which month is the U.S. election that could shape the response?"
    assert carries("The coming November election, however, will impact this.", "date", question)
    assert not carries("The coming election, however, will impact this.", "date", question)


def test_what_something_is_meant_to_do_asks_for_a_purpose() -> None:
    question = "What is the Space Force's program for buying commercial launches ultimately meant to guarantee?"
    assert expected_type(question) == "reason"
    assert expected_type("What is the purpose of the visit?") == "reason"
    assert type_strength("This program is intended to ensure U.S. access to space.", "reason", question) == 2
    assert type_strength("The program procures commercial launch services for the Space Force.", "reason", question) == 0
    assert type_strength("Amid the war, the program grew.", "reason", question) == 1
    assert expected_type("What does the program procure?") is None


def test_an_unnamed_one_does_not_say_which() -> None:
    from assistant.question_types import names_it_only_vaguely

    question = "Which PRC-based company holds the 99-year lease on the Darwin Port?"
    assert names_it_only_vaguely("The port was leased to a PRC-based company for 99 years in 2015.", question)
    assert names_it_only_vaguely("According to the report, some DOD components lack encryption.",
                                 "Which DOD components lack encryption?")
    assert not names_it_only_vaguely("The port was leased to a company, Landbridge, in 2015.", question)
    assert not names_it_only_vaguely("Charleston is reliant on paraxylene, a chemical used to make containers.",
                                     "Which chemical is Charleston reliant on?"), "it describes the named one"
    assert not names_it_only_vaguely("A Pungsan dog petting zoo was shown.", "What breed of dog was at the zoo?")


def test_the_first_one_asked_for_needs_a_sentence_that_says_first() -> None:
    from assistant.question_types import misses_the_first

    question = "Who was the first Chief of Space Operations?"
    assert misses_the_first("The current CSO, General Chance B. Saltzman, was appointed in 2022.", question)
    assert not misses_the_first("General John Raymond became the first CSO in 2019.", question)
    assert not misses_the_first("The program was first established in the Maritime Security Act of 1996.",
                                "When was the Maritime Security Program first established?")
    assert not misses_the_first("Australia has no tariff exemption.", "Did Australia get a pass, like in Trump's first term?")


@pytest.mark.parametrize("question", [
    "Which is more " + "a, " * 600 + "x",
    "Which is more: " + "a or " * 400 + "b!",
    "more " + ", x" * 600 + " or y or" * 100 + "!",
    "how many " + "big " * 500 + "ships?",
    "Which " + "a " * 900,
])
def test_hostile_questions_are_read_in_linear_time(question: str) -> None:
    """A 2,000-character question of repeated commas or "or"s once made the options scan
    backtrack for minutes; every check must stay fast on the longest question allowed."""
    import time

    from assistant.question_types import compared_options, misses_the_first, names_it_only_vaguely, question_names

    started = time.perf_counter()
    compared_options(question), misses_the_first("x", question)
    names_it_only_vaguely("a a a " * 300, question), expected_type(question), question_names(question)
    assert time.perf_counter() - started < 0.5


def test_the_size_of_a_change_is_a_percentage_an_amount_or_a_multiple() -> None:
    question = "By how much have U.S. fertilizer prices risen since the strait closed?"
    assert expected_type(question) == "number"
    assert not carries("The Strait carries about one-third of the world's seaborne trade in fertilizer inputs.", "number", question)
    assert not carries("On March 17, 2026, the waiver was granted for 60 days.", "number",
                       "How much have shipping rates fallen since the waiver?")
    assert carries("Fertilizer prices rose 35% in March.", "number", question)
    assert carries("The request planned 10,400 personnel, 600 (6%) more than in FY2025.", "number",
                   "By how many personnel was the request higher than FY2025?")
    assert carries("Its workforce could double over the next decade.", "number", "By how much could the workforce grow?")


def test_a_measure_is_not_answered_in_another_dimension() -> None:
    question = "What is Australia's population?"
    assert not carries("Australia is the world's sixth-largest country by surface area (2.96 million sq. miles).",
                       "number", question), "an area is no population"
    assert not carries("Total U.S. trade with Australia was $62.8 billion in 2025.", "number", question)
    assert carries("Australia has a population of 27 million.", "number", question)
    assert carries("The strait is 21 miles wide at its narrowest.", "number", "What is the width of the strait?")
    assert not carries("Some 20% of oil passes through the strait.", "number", "What is the width of the strait?")


def test_the_two_names_a_question_relates() -> None:
    from assistant.question_types import related_pair

    assert related_pair("What was the value of two-way trade between Australia and China in 2025?") == ("Australia", "China")
    assert related_pair("How old is the security arrangement between Beijing and Pyongyang?") == ("Beijing", "Pyongyang")
    assert related_pair("What happened between 2008 and 2017?") is None


def test_an_unnamed_mention_is_of_the_asked_thing_itself() -> None:
    from assistant.question_types import names_it_only_vaguely

    question = "Which countries joined Australia in July 2024 in issuing the joint advisory?"
    sentence = "In July 2024, Australia joined the United States, Canada and Japan in issuing a joint-advisory."
    assert not names_it_only_vaguely(sentence, question), "'a joint-advisory' is not an unnamed country"
    assert names_it_only_vaguely("It was leased to a company in 2015.", "Which companies hold the lease?")


def test_a_publication_date_asks_for_a_date() -> None:
    assert expected_type("I need to cite the brief. What's its publication date?") == "date"
    assert expected_type("What is the date of publication of the report?") == "date"


def test_a_document_pointed_at_but_not_named() -> None:
    from assistant.question_types import asks_about_an_unnamed_source, source_kinds

    assert asks_about_an_unnamed_source("Who wrote this article?")
    assert asks_about_an_unnamed_source("When was this article published?")
    assert not asks_about_an_unnamed_source("Who wrote the CRS report on the Strait of Hormuz?")
    assert not asks_about_an_unnamed_source("Who wrote IF12610?")
    assert not asks_about_an_unnamed_source("What does the article say about China?"), "not about the source"
    assert source_kinds("Who wrote this article?") == ("byline",)
    assert source_kinds("When was this article published?") == ("dateline", "byline")


def test_an_imperative_opening_a_question_is_no_part_of_a_name() -> None:
    """"Compare the Space Force ...": the capitalised verb that opens a request, joined to a
    name by "the", is not a name the passages must mention ("compare" never is)."""
    from assistant.question_types import question_names

    assert question_names("Compare the Space Force FY2027 request with the FY2026 appropriation.")[0] == "Space Force FY2027"
    assert question_names("Describe the AUKUS partnership.") == ["AUKUS"]
    assert question_names("Treaty of Friendship signed when?") == ["Treaty of Friendship"]


def test_what_the_author_thinks_is_no_question_about_the_source() -> None:
    from assistant.question_types import asks_about_the_source

    assert not asks_about_the_source("Does the author think that accusation is deserved?")
    assert not asks_about_the_source("According to the author, will the U.S. react?")
    assert not asks_about_the_source("What does the author expect China to do?")
    assert asks_about_the_source("Who is the author of the report?")
    assert asks_about_the_source("What is the author's job title?")
    assert asks_about_the_source("In which month of 2024 did the analysis come out?")


def test_which_month_is_answered_by_a_month_the_question_does_not_say() -> None:
    question = "In which month of 2024 did the analysis come out?"
    assert type_strength("Lily Donahue | 11 July 2024", "date", question) == 2, "the month is new, though the year is not"
    assert type_strength("Published in 2024.", "date", question) < 2


def test_a_day_of_a_date_is_no_count() -> None:
    """"How many field commands ...?" is not answered by "December 20, 2019" nor "as of April 1"."""
    question = "How many field commands did the service have when it was set up in December 2019?"
    assert type_strength("The act authorized the service on December 20, 2019.", "number", question) == 0
    assert type_strength("The ships had not departed as of April 1.", "number", "How many ships left?") == 0
    assert type_strength("It had 3 field commands by December 20, 2019.", "number", question) == 2


def test_which_thing_is_its_words_up_to_the_first_function_word() -> None:
    """"deciding which vessels get through": the thing is "vessels", so "various countries
    transiting through" is no vague mention of it; "Ships from which countries ...?" still asks
    which countries."""
    from assistant.question_types import names_it_only_vaguely

    question = "How is Tehran reportedly deciding which vessels get through Hormuz these days?"
    assert not names_it_only_vaguely("Ships from various countries transiting through the Strait numbered 130.", question)
    assert names_it_only_vaguely("Ships from various countries transited.", "Ships from which countries has Iran let through?")


def test_how_big_a_role_asks_how_much_it_matters_not_for_a_number() -> None:
    assert expected_type("How big a place does the Second World War hold in Russian memory?") is None
    assert expected_type("How much of a threat is the new pact?") is None
    assert expected_type("How big a share of imports comes from the Gulf?") == "number"
    assert expected_type("How big is the Space Force?") == "number"


def test_a_part_is_fewer_than_the_whole_the_question_numbers() -> None:
    from assistant.question_types import part_of, type_evidence

    assert part_of("Of the 1,700 lamps the council bought, how many were broken?") == 1700
    assert part_of("How many of the more than 80 member towns have a harbour?") == 80
    assert part_of("At the start of 2026, how many lamps were lit?") is None  # a year, not a whole
    assert part_of("How many lamps were lit?") is None
    question = "Of the 200 boats in the harbour, how many are fishing boats?"
    sentence = "About 1,000 boats use the coast: 800 boats sail from the north and 200 boats stay in the harbour."
    assert type_evidence(sentence, "number", question) == []
    assert type_evidence("Of those, 45 are fishing boats.", "number", question) == ["45"]


def test_the_headline_a_writer_gave_a_piece_is_asked_of_the_source() -> None:
    from assistant.question_types import asks_about_the_source

    assert asks_about_the_source("What headline did Jane Roe give her piece on the dog show?")
    assert asks_about_the_source("What is the headline of the article?")
    assert asks_about_the_source("What is CRS product IF12345 called?")
    assert not asks_about_the_source("What is the report's new program called?")
    # the title a text gives a person is what the text says
    assert not asks_about_the_source("What title does the article give the envoy when describing the trip?")


def test_a_relative_date_loosely_answers_when() -> None:
    sentence = "The envoy met the minister earlier this month, the first meeting in years."
    assert type_strength(sentence, "date", "When did the envoy meet the minister?") == 1


def test_which_country_and_which_city_ask_for_one_by_name() -> None:
    assert expected_type("Which Gulf country ships the most cement?") == "country"
    assert expected_type("Under which countries' flags did the ships sail?") == "country"
    assert expected_type("In which city were the talks held?") == "city"
    question = "After the US and France, which country joined the pact?"
    assert type_evidence("The United States and France signed it in 1990.", "country", question) == []
    assert type_evidence("Japan joined the pact in 2001.", "country", question) == ["Japan"]
    assert type_strength("The talks were held in the capital's largest hotel.", "city", "In which city were the talks held?") == 0
    assert type_strength("The talks were held in Lisbon in May.", "city", "In which city were the talks held?") == 2


def test_a_date_the_text_counts_by_is_not_the_documents_date() -> None:
    from assistant.question_types import asks_about_the_source

    assert asks_about_the_source("What date does the report on the dog show carry?")
    assert not asks_about_the_source("As of what date does the report count 60 dogs in the show?")


def test_people_after_titles_and_places_that_are_not_people() -> None:
    from assistant.question_types import _person_names

    meyerriecks = ("According to former CIA Deputy Director for Science and Technology Dawn Meyerriecks, around 30 "
                   "countries have already deployed biometric surveillance systems")
    assert " ".join(meyerriecks.split()) in " ".join(BIOMETRICS.split())
    assert _person_names("According to former CIA Deputy Director Dawn Meyerriecks, around 30 countries") == ["Dawn Meyerriecks"]
    assert _person_names("Prime Minister Albanese and President Trump signed it.") == ["Albanese", "Trump"]
    # a country of two words and a meeting's name are no people
    assert _person_names("Still, North Korea stayed silent.") == []
    assert _person_names("At the Quad Foreign Ministers Meeting in July 2025, the grouping announced a plan.") == []


def test_the_name_of_an_office_holder_asks_for_a_person() -> None:
    assert expected_type("What is the name of the Space Force vice chief who said the force could grow?") == "person"
    assert expected_type("What is the name of the song?") == "name"


def test_a_quantity_is_not_a_year_a_code_or_an_orders_number() -> None:
    question = "How much is the service asking for launches in its FY2027 request?"
    assert type_evidence("Congress provided FY2026 funding and DOD has requested FY2027 funding.", "number", question) == []
    assert type_evidence("In 2025, it issued Executive Order 14347 on the matter.", "number",
                         "How many satellites did the service launch in 2025?") == []
    # a document's number is asked for as a code, not as a quantity
    assert type_evidence("Report R48903, April 10, 2026", "number", "What is the report number?")


@pytest.mark.parametrize(
    "question,kind",
    [
        ("what's the estimated total cost of the shield?", "money"),  # "what's", two modifiers
        ("What war-risk insurance premium are underwriters charging?", "money"),
        ("What dollar amount did the two allies pledge?", "money"),
        ("How much foreign investment does the country hold, in dollar terms?", "money"),
        ("What did the department spend on biometrics?", "money"),
        ("What baseline tariff rate was announced?", "number"),  # a rate is a percentage, not money
        ("What accuracy rate does the system achieve?", "number"),
        ("What is the annual trade volume between the two countries?", "number"),
        ("At what altitude will the satellites orbit?", "number"),
        ("How accurate is the laser technique?", "number"),
        ("What deadline did the inspector general set?", "date"),
        ("Before the 2026 waiver, when did an administration last waive the act?", "date"),
        ("Which Chinese foreign ministry spokesperson commented on the pact?", "person"),
        ("Which Russian weapons manufacturer builds the drones?", "company"),
        ("Which Persian Gulf country supplies the most urea?", "country"),
        ("What make of car did the leaders drive?", "name"),
        ("Which officials met?", "agent"),  # several officials: any who
    ],
)
def test_question_forms_with_modifiers_and_contractions(question: str, kind: str) -> None:
    assert expected_type(question) == kind


def test_quoted_phrases_in_any_quotation_marks_but_not_apostrophes() -> None:
    from assistant.question_types import quoted_phrases

    assert quoted_phrases("What does the service's 'from space' function deliver?") == ["from space"]
    assert quoted_phrases("Who sang “We’ll Stand”?") == ["We’ll Stand"]
    assert quoted_phrases("What did Kim's guests and Putin's aides see?") == []


def test_a_rate_is_a_share_a_named_unit_is_required_and_a_frequency_answers_how_often() -> None:
    act = "Similarly, the Intelligence Reform and Terrorism Prevention Act of 2004 (P.L. 108-458) required DHS to verify identities."
    assert type_evidence(act, "number", "What accuracy rate does the entry and exit system achieve?") == []
    assert type_evidence("Tariffs rose by 10% on beef.", "number", "What tariff rate applies to beef?") == ["10%"]
    ships = "Five of these vessels were located in the Persian Gulf in February 2026."
    assert type_evidence(ships, "number", "What is the container capacity, in TEU, of the ship?") == []
    assert type_evidence("The ship carries 8,000 TEU.", "number", "What is the container capacity, in TEU, of the ship?")
    annual = "The annual Australia-U.S. Ministerial (AUSMIN) consultations are central to the bilateral relationship."
    assert type_evidence(annual, "number", "How often are those consultations held?") == ["annual"]
    # a year is no quantity, but an identifier asked for is a code
    assert type_evidence("It was signed in 1961.", "number", "What is the annual trade volume?") == []
    assert type_evidence("See CRS Report R45281, Iran Conflict.", "number", "What is its number, and who wrote it?")


def test_who_holds_an_office_with_modifiers_and_an_office_named_by_its_title() -> None:
    for question in ("Who is the current U.S. ambassador to Australia?", "Who was Australia's prime minister in 2021?",
                     "Who was the Liberal Party opposition candidate?", "Who was the DOD Inspector General then?"):
        assert expected_type(question) == "person", question
    head = ("Australia is a member of the Commonwealth of Nations, an association of former British territories, and "
            "retains the King of the United Kingdom as its head of state.")
    assert head in " ".join(AUSTRALIA.split())
    question = "Who is Australia's formal head of state?"
    assert type_evidence(head, "person", question) == ["the King of the United Kingdom"]
    assert type_strength(head, "person", question) == 1  # loosely: no neighbour is quoted for a bare title
    assert type_strength("The pact was signed by President Jane Roe.", "person", question) == 2
    # the office the question names is not its holder
    report = "According to a November 2023 DOD inspector general report, some DOD components lacked encryption."
    assert type_evidence(report, "person", "Who was the DOD Inspector General then?") == []


def test_a_question_asking_which_ranks_first_needs_a_sentence_that_ranks() -> None:
    from assistant.question_types import asks_for_the_top, ranks

    assert asks_for_the_top("Which U.S. port receives the most liquid helium from the region?")
    assert asks_for_the_top("Which program gets the biggest slice of the request?")
    assert not asks_for_the_top("What does the function deliver to the rest of the force?")  # "rest" is no superlative
    assert not asks_for_the_top("Which country looks like the main distribution point?")  # "main" ranks nothing here
    helium = ("It is shipped in large quantities by container ships in specially designed insulated and pressurized "
              "containers that keep the helium in liquid form at minus 452 degrees Fahrenheit for up to 45 days.")
    assert helium in " ".join(HORMUZ.split())
    assert not ranks(helium)
    assert ranks("Jebel Ali in the United Arab Emirates (UAE) is the leading container port hub in the region.")
    assert ranks("Of the discretionary request for 2027, $38.4 billion (65%) is for RDT&E.")


def test_a_question_asking_which_numbered_part_needs_a_number() -> None:
    from assistant.question_types import numbers_the_part

    question = "Which article of the new agreement holds the mutual-aid clause?"
    assert not numbers_the_part("The pact says both countries will come to the other's aid in the event of an attack.", question)
    assert numbers_the_part("Article 4 commits each side to come to the other's aid.", question)
    assert numbers_the_part("Section 1523 of the FY2025 National Defense Authorization Act directs DOD to act.",
                            "Which section of the FY2025 NDAA addresses the directive?")
    assert numbers_the_part("Anything at all.", "During which part of the visit were the leaders lit up?")  # no numbered part asked


@pytest.mark.parametrize(
    "question,kind",
    [
        ("What does the author think China will do?", None),  # a view, not a person
        ("What does the writer expect from the United States?", None),
        ("What does the official say about the pact?", None),
        ("What kind of aid might the pact cover?", None),  # a sort, not an amount
        ("What military aid did Russia send?", None),  # "aid" with a modifier is not money
        ("What sort of distance has China kept?", None),
    ],
)
def test_a_modifier_is_never_a_verb_an_article_or_kind_of(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def test_a_regnal_number_is_part_of_a_name_and_a_demonym_is_no_person() -> None:
    from assistant.question_types import _person_names, asks_for_the_top

    signed = "The current pact replaces the 2000 treaty signed between an early-regime Putin and former North Korean leader Kim Jong II."
    assert _person_names(signed) == ["Kim Jong II"]
    assert expected_type("Who was the former North Korean leader who signed the 2000 treaty?") == "person"
    assert type_strength(signed, "person", "Who was the former North Korean leader who signed the 2000 treaty?") == 2
    # "the most likely" hedges, "What is the biggest concern" asks for the main one: no ranking asked
    assert not asks_for_the_top("What is the most likely reaction from Seoul?")
    assert not asks_for_the_top("What is the biggest concern for China?")
    assert expected_type("How far back does the pact go?") == "date"
