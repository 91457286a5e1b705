"""The intake's rules, one by one: each reader of ``services/intake`` on the words that trigger it.

The evaluation over whole reports is ``make intake-eval`` (bench/intake_eval.py); these pin
each rule, with the Persian and Arabic transliterations that are the norm in these reports.
"""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.dates import DatePrecision, PartialDate
from agreements.services.intake import ReportIn, country_lexicon, propose
from agreements.services.intake.dates import expressions, resolve
from agreements.services.intake.kinds import find_kind, find_title
from agreements.services.intake.offices import body_of, normalise_office
from agreements.services.intake.status import find_status
from agreements.services.intake.text import split_sentences

SUNDAY = datetime.date(2017, 7, 23)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("words", "published", "expected", "precision"),
    [
        ("on Sunday", SUNDAY, "2017-07-23", "day"),  # published on a Sunday: that Sunday
        ("on Sunday", day("2017-07-24"), "2017-07-23", "day"),
        ("on Saturday", SUNDAY, "2017-07-22", "day"),
        ("on Tuesday", day("2014-12-31"), "2014-12-30", "day"),
        ("last Sunday", SUNDAY, "2017-07-16", "day"),
        ("yesterday", SUNDAY, "2017-07-22", "day"),
        ("two days ago", SUNDAY, "2017-07-21", "day"),
        ("on 19 March", day("2018-03-21"), "2018-03-19", "day"),
        ("on 19 March", day("2018-01-10"), "2017-03-19", "day"),  # not yet this year: last year's
        ("on March 19", day("2018-03-21"), "2018-03-19", "day"),
        ("on July 4, 2016", day("2016-07-06"), "2016-07-04", "day"),
        ("on 23 July 2017", None, "2017-07-23", "day"),
        ("last week", day("2017-10-25"), "2017-10-01", "month"),  # 16–22 October
        ("last week", day("2017-08-09"), "2017-01-01", "year"),  # 31 July – 6 August: two months
        ("earlier this month", day("2019-01-26"), "2019-01-01", "month"),
        ("last month", day("2021-04-05"), "2021-03-01", "month"),
        ("in March", day("2021-06-10"), "2021-03-01", "month"),
        ("in March 2023", None, "2023-03-01", "month"),
        ("earlier this year", day("2022-08-10"), "2022-01-01", "year"),
        ("in 2016", day("2018-01-01"), "2016-01-01", "year"),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(words, published, expected, precision):
    found = expressions(f"They signed it {words}.")
    assert len(found) == 1, found
    value, note = resolve(found[0], published)
    assert value == PartialDate(day(expected), precision)
    assert f"“{found[0].text}”" in note


def test_a_relative_date_without_a_publication_date_is_not_guessed():
    value, note = resolve(expressions("signed on Sunday")[0], None)
    assert value is None
    assert note == "“on Sunday”: no publication date to count from; give the date"


def test_the_note_says_how_the_date_was_derived():
    _, note = resolve(expressions("signed on Sunday")[0], SUNDAY)
    assert (
        note
        == "“on Sunday” in a report published 23 July 2017: the latest Sunday on or before it, 23 July 2017"
    )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Iran and Iraq signed an initial agreement on Sunday.", "signed"),
        ("The memorandum was inked in Baghdad.", "signed"),
        ("Iran and Pakistan will sign a border agreement next month.", "planned"),
        ("The two sides are expected to sign the deal in May.", "planned"),
        ("The agreement is yet to be signed by the two presidents.", "planned"),
        (
            "Officials initialled the protocol on Monday. A signing ceremony is expected next month.",
            "initialled",
        ),
        ("Negotiators held talks on a draft agreement.", "negotiating"),
        (
            "Turkey and Iran are expected to sign a security agreement. The two countries signed a similar "
            "memorandum in 2016.",
            "planned",
        ),
    ],
)
def test_signed_only_when_the_report_says_so(text, status):
    found = find_status(split_sentences(text), day("2018-09-03"))
    assert found is not None
    assert found.status == status


@pytest.mark.parametrize(
    ("text", "kind", "title"),
    [
        (
            "Iran and Iraq signed an initial agreement on Sunday to boost military cooperation.",
            "agreement",
            "Agreement on military cooperation",
        ),
        (
            "The two signed a memorandum of understanding on defense cooperation.",
            "memorandum",
            "Memorandum of understanding on defence cooperation",
        ),
        (
            "They signed an MoU on border security in Baghdad.",
            "memorandum",
            "Memorandum of understanding on border security",
        ),
        (
            "Officials initialled a protocol on counterterrorism cooperation in Ankara.",
            "protocol",
            "Protocol on counterterrorism cooperation",
        ),
        (
            "Jordan and Iraq exchanged notes on the security of the crossing.",
            "exchange_of_notes",
            "Exchange of notes on security of the crossing",
        ),
        (
            "They signed a joint declaration on security cooperation.",
            "joint_declaration",
            "Joint declaration on security cooperation",
        ),
        ("They signed a defence cooperation pact.", "agreement", "Agreement on defence cooperation"),
    ],
)
def test_kind_from_the_wording_and_a_title_in_the_house_style(text, kind, title):
    sentences = split_sentences(text)
    found = find_kind(sentences, sentences[0])
    assert found.kind == kind
    assert find_title(found.kind, sentences[0], sentences).title == title


@pytest.mark.parametrize(
    ("office", "house_style", "body"),
    [
        ("Defense Minister", "Minister of Defence", "Ministry of Defence"),
        ("Foreign Minister", "Minister of Foreign Affairs", "Ministry of Foreign Affairs"),
        ("Deputy Foreign Minister", "Deputy Minister of Foreign Affairs", "Ministry of Foreign Affairs"),
        ("border guard commander", "Commander of the Border Guard", "Border Guard"),
        (
            "Supreme National Security Council Secretary",
            "Secretary of the Supreme National Security Council",
            "Supreme National Security Council",
        ),
        ("Prime Minister", "Prime Minister", None),
    ],
)
def test_offices_in_the_house_style_and_the_body_they_belong_to(office, house_style, body):
    assert normalise_office(office) == house_style
    assert body_of(house_style) == body


def test_sentences_keep_abbreviated_ranks_and_their_offsets():
    text = "TEHRAN – Brig. Gen. Rezaei signed it. Then he left."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["TEHRAN – Brig. Gen. Rezaei signed it.", "Then he left."]
    assert all(text[s.start : s.end] == s.text for s in sentences)


@pytest.mark.django_db
class TestReports:
    """Whole short reports through ``propose``: what each rule contributes, with its evidence."""

    def propose(self, text: str, published: str = "2017-07-23", **source):
        return propose(ReportIn(text=text, published_on=day(published), **source))

    def test_parties_from_names_adjectives_and_capitals_with_third_countries_left_out(self):
        proposal = self.propose(
            "ANKARA – Tehran and Baghdad signed a memorandum on Sunday, officials said. The United States "
            "welcomed the deal, which Russia criticised."
        )
        assert [(p.code, p.evidence[0].text) for p in proposal.parties] == [
            ("IR", "Tehran and Baghdad"),
            ("IQ", "Tehran and Baghdad"),
        ]
        proposal = self.propose(
            "The memorandum was signed in Moscow on Sunday by Iranian Defence Minister Hossein Dehqan and "
            "Iraqi "
            "Defence Minister Khaled al-Obeidi."
        )
        assert {p.code for p in proposal.parties} == {"IR", "IQ"}  # Moscow is where, not who

    def test_a_signatory_in_apposition_with_office_rank_and_party_and_a_new_spelling_of_the_same_man(self):
        proposal = self.propose(
            "The agreement was signed in Tehran between Iranian Defense Minister Brigadier General Hossein "
            "Dehqan "
            "and his Iraqi counterpart Erfan Mahmoud al-Hayali. Al-Hiyali arrived in Tehran on Saturday."
        )
        dehqan, hayali = proposal.participants
        assert (dehqan.name, dehqan.party, dehqan.office, dehqan.rank, dehqan.role) == (
            "Hossein Dehqan",
            "IR",
            "Minister of Defence",
            "Brigadier General",
            "signed",
        )
        assert (hayali.name, hayali.party, hayali.office, hayali.other_names) == (
            "Erfan Mahmoud al-Hayali",
            "IQ",
            "Minister of Defence",  # a counterpart holds the same office
            ("Al-Hiyali",),
        )
        assert hayali.evidence["party"][0].text == "his Iraqi counterpart"

    def test_witnesses_attendees_and_an_unnamed_counterpart(self):
        proposal = self.propose(
            "Kuwait and Iraq signed a memorandum on Sunday in the presence of Iraqi Prime Minister Mustafa "
            "al-Kadhimi. Kuwaiti Interior Minister Sheikh Thamer Ali al-Sabah signed the memorandum with "
            "his Iraqi "
            "counterpart. Iraqi Army Chief General Abdul Amir Yarallah attended the signing."
        )
        roles = {(p.name or p.description, p.party, p.role) for p in proposal.participants}
        assert roles == {
            ("Mustafa al-Kadhimi", "IQ", "witnessed"),
            ("Thamer Ali al-Sabah", "KW", "signed"),
            ("Abdul Amir Yarallah", "IQ", "attended"),
            ("Iraqi counterpart of Thamer Ali al-Sabah, not named in the report", "IQ", "signed"),
        }

    def test_people_met_on_the_side_are_not_participants(self):
        proposal = self.propose(
            "Iran and Iraq signed an agreement on Sunday. The Iraqi official also met with Iran's Supreme "
            "National "
            "Security Council Secretary Ali Shamkhani on Sunday."
        )
        assert proposal.participants == ()

    def test_clauses_one_per_undertaking_with_the_categories_their_keywords_name(self):
        proposal = self.propose(
            "Iran and Iraq signed an agreement on Sunday. Under the agreement, Tehran and Baghdad will "
            "share their "
            "experiences in the fight against terrorism, cooperate to boost border security, and provide "
            "logistical, technical and military support for each other. The two ministers expressed the hope "
            "that the deal would lead to deeper cooperation."
        )
        assert [(c.text, [k.slug for k in c.categories]) for c in proposal.clauses] == [
            ("Share their experiences in the fight against terrorism.", ["counterterrorism"]),
            ("Cooperate to boost border security.", ["border-security"]),
            (
                "Provide logistical, technical and military support for each other.",
                ["logistics", "military-support-and-equipment", "technical-assistance"],
            ),
        ]

    def test_category_keywords_are_the_editors(self):
        from agreements.models import ClauseCategory

        text = "Iran and Iraq signed an agreement on Sunday. Under it, the two sides will clear mines."
        assert self.propose(text).clauses[0].categories == ()
        ClauseCategory.objects.filter(slug="border-security").update(keywords="mine")
        assert [c.slug for c in self.propose(text).clauses[0].categories] == ["border-security"]

    def test_a_planned_agreement_has_no_date_of_signature(self):
        proposal = self.propose(
            "Iran and Pakistan will sign a border security agreement next month.", "2021-04-20"
        )
        assert (proposal.status.value, proposal.date.date) == ("planned", None)
        assert proposal.date.note == "Not signed yet: no date of signature."

    def test_the_source_with_its_excerpt_licence_and_an_existing_source_by_url(self):
        from agreements.models import Source

        existing = Source.objects.create(title="Already here", url="https://example.org/r")
        text = (
            "Iran and Iraq signed an agreement on Sunday. Nothing else. All Content by Mehr News Agency is "
            "licensed under a Creative Commons Attribution 4.0 International License."
        )
        source = self.propose(text, url="https://example.org/r").source
        assert (source.licence, source.existing_id, source.title) == (
            "CC BY 4.0",
            existing.pk,
            "[Iran and Iraq signed an agreement on Sunday]",
        )
        assert source.excerpt.startswith("Iran and Iraq signed an agreement on Sunday.")

    def test_the_country_names_come_from_the_database_and_the_adjectives_file(self):
        lexicon = country_lexicon()
        assert {
            m.text: (m.code, m.kind) for m in lexicon.mentions("Türkiye's Turkish Ankara Emirati UK")
        } == {
            "Türkiye's"[:-2]: ("TR", "name"),
            "Turkish": ("TR", "adjective"),
            "Ankara": ("TR", "capital"),
            "Emirati": ("AE", "adjective"),
            "UK": ("GB", "name"),
        }


def test_precision_values_are_the_domains():
    assert set(DatePrecision.values) == {"day", "month", "year"}


@pytest.mark.django_db
def test_any_text_and_any_publication_date_give_a_proposal_never_an_error():
    words = st.sampled_from(
        [
            "Iran",
            "Iraqi",
            "Tehran",
            "signed",
            "will sign",
            "on Sunday",
            "last week",
            "in the presence of",
            "his Iraqi counterpart",
            "Minister",
            "al-Hayali",
            "Brig. Gen.",
            "Under the agreement,",
            "the two sides will",
            ",",
            ".",
            "\n\n",
            "TEHRAN –",
            "MoU",
            "on 19 March",
            "initialled",
            "Ali",
            "Defense Minister",
        ]
    )
    text = st.one_of(st.text(max_size=2_000), st.lists(words, max_size=80).map(" ".join))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=text, published=st.one_of(st.none(), st.dates()))
    def read(text, published):
        proposal = propose(ReportIn(text=text, published_on=published))
        for participant in proposal.participants:
            for evidence in participant.evidence.values():
                assert all(text[e.start : e.end] == e.text for e in evidence)

    read()
