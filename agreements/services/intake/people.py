"""The people of the report: who they are, for whom and as what, and in which role they took part.

A person is a run of capitalised words after what the report says of them: "Iranian Defense
Minister Brigadier General Hossein Dehqan" is the adjective (the party), the office, the rank
and the name; "his Iraqi counterpart Erfan Mahmoud al-Hayali" is the same office for the other
party; "Ali Shamkhani, the secretary of Iran's Supreme National Security Council" puts it after
the name. A later "al-Hiyali" is the same man (his surname spelt otherwise): another spelling.

Only the people of the sentences about the agreement take part in it, in the role the words
give: "in the presence of" → witnessed, "attended" → attended, "initialled by" → initialled,
"headed the talks" → negotiated, and otherwise the role of the agreement's status (signed,
initialled, or negotiated when it is only planned). A counterpart the report does not name
("his Iraqi counterpart", nothing after it) is an unnamed participant, described.

Pure: matching the names to known people is the engine's work (``matching.similar_people``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ...choices import ParticipantRole
from ...names import name_key, similarity
from .countries import CountryLexicon
from .offices import RANK_ABBREVIATIONS, RANKS, is_head, normalise_office, normalise_rank
from .status import AGREEMENT_NOUN, INITIALLED, SIGNED
from .text import Evidence, Sentence, word_set

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*\.?(?:-[^\W\d_][\w'’-]*)*")
_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "bint", "abu", "abd", "ul", "ol", "ad", "as", "ash", "de", "van"}
)
_NOT_NAMES = word_set(
    """
    The A An Under Speaking Heading His Her Their In On At It Its This That These Those Both Two
    Three And But As After Before During While When Where Which Who Also However Meanwhile According
    Islamic Republic Daesh ISIS ISIL All Content Creative Commons Attribution International License
    Licence Kurdish Arab Muslim Shia Sunni Kurdistan Regional Government Supreme National Security
    Council Ministry Minister Defense Defence Foreign Affairs Interior Army Navy Air Force Forces
    Armed Guard Guards Border Command Corps Police Agency News Organization Organisation Committee
    Commission Parliament Assembly Majlis Cabinet Headquarters Authority Office Staff Chief Joint
    General Union Nations United States Kingdom Emirates Agreement Memorandum Understanding Protocol
    Treaty Accord Deal Pact Joint Declaration Exchange Notes MoU MOU Mr Mrs Ms Dr Sheikh January
    February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday President Prime Secretary Commander Ambassador Envoy
    Deputy Head Spokesman Director Governor Speaker Chairman Adviser Advisor Vice Counterpart
    Sources Officials Reuters AFP AP IRNA Tasnim Mehr Fars Kayhan Press TV Al Jazeera
    """
)
_ORG_ENDINGS = word_set(
    """
    Ministry Council Command Guard Guards Forces Force Army Navy Agency Organization Organisation
    Corps Police Government Republic Kingdom Emirates States Union Nations News Office Committee
    Commission Parliament Assembly Majlis Cabinet Headquarters Authority Bank Company Corporation
    Party Front Movement
    """
)
# Titles before a name that are not part of it (a prince's office is in the apposition).
_HONORIFICS = frozenset(
    {"Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sheikh", "Prince", "Crown", "Emir"}
)
_RANK_WORDS = frozenset(w for rank in RANKS for w in rank.split()) | {
    w for a in RANK_ABBREVIATIONS for w in a.split()
}
_COUNTERPART = re.compile(r"\b(?:his|her|their)\s+(?P<adjective>[A-Z][\w-]+)\s+counterparts?\s*,?\s*$")
_LOWER_OFFICE = re.compile(
    r"(?P<office>(?:[A-Za-z'’-]+\s+){0,4}?(?:minister|commander|chief|head|secretary|ambassador|envoy|"
    r"spokesman|president|governor|director|adviser|advisor))\s*,?\s*$",
    re.IGNORECASE,
)
_AFTER_OFFICE = re.compile(r"^\s*,\s*(?:the\s+|a\s+|an\s+)?(?P<office>[^,.;()]{3,100}?)\s*(?=[,.;)]|$)")
_ROLE_BEFORE = [
    (ParticipantRole.WITNESSED, re.compile(r"\b(?:in the presence of|witnessed by)\b[^;]*$", re.I)),
    (
        ParticipantRole.ATTENDED,
        re.compile(r"\b(?:attended by|also present\w*|present were|in attendance)\b[^;]*$", re.I),
    ),
    (ParticipantRole.INITIALLED, re.compile(r"\binitial(?:l)?ed by\b[^;]*$", re.I)),
    (
        ParticipantRole.NEGOTIATED,
        re.compile(
            r"\b(?:negotiated by|talks (?:were )?(?:led|headed) by|delegations? (?:led|headed) by)\b[^;]*$",
            re.I,
        ),
    ),
    (ParticipantRole.SIGNED, re.compile(r"\bsigned by\b[^;]*$", re.I)),
]
_ROLE_AFTER = [
    (
        ParticipantRole.ATTENDED,
        # "X and Y attended the signing": the verb after a list names everyone in it.
        re.compile(r"^(?:(?!\bsign)[^;.]){0,140}?\b(?:attended|was present|were present|looked on)\b", re.I),
    ),
    (ParticipantRole.WITNESSED, re.compile(r"^[^;.]{0,60}?\bwitnessed\b", re.I)),
    (
        ParticipantRole.NEGOTIATED,
        re.compile(
            r"^[^;.]{0,60}?\b(?:led|headed) (?:the|his|her) (?:\w+ )?(?:talks|delegation|negotiations)\b",
            re.I,
        ),
    ),
]
_VERB = re.compile(r"\b(?:was |were )?(?:signed|initial(?:l)?ed|inked|negotiat\w+|talks)\b", re.I)
_ONLY_MET = re.compile(r"\b(?:met|meeting|talks)\s+(?:with\s+)?[^;]*$", re.I)
_PARTICIPANT_SENTENCE = re.compile(
    r"\b(?:sign|ceremony|presence|attended|initial(?:l)?ed|witness|talks|negotiat|draft)", re.I
)
_UNNAMED_COUNTERPART = re.compile(
    r"\b(?:his|her|their)\s+(?P<adjective>[A-Z][\w-]+)\s+counterparts?\b(?!\s*,?\s*(?:[A-Z]|al-|el-))"
)


@dataclass
class PersonMention:
    name: str  # as written, honorifics and rank left out
    start: int  # in the report
    end: int
    sentence: Sentence


@dataclass
class PersonFinding:
    """One person of the report, with every spelling it uses and what it says of them."""

    name: str
    evidence: Evidence
    party: str | None = None
    party_evidence: Evidence | None = None
    office: str = ""
    office_evidence: Evidence | None = None
    rank: str = ""
    rank_evidence: Evidence | None = None
    role: str | None = None  # None: named, but not a participant
    role_evidence: Evidence | None = None
    spellings: list[tuple[str, Evidence]] = field(default_factory=list)
    mentions: list[PersonMention] = field(default_factory=list)

    @property
    def key(self) -> str:
        return name_key(self.name)

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@dataclass(frozen=True)
class UnnamedFinding:
    party: str
    description: str
    office: str
    role: str
    evidence: Evidence


@dataclass
class _Token:
    text: str
    start: int  # in the sentence
    end: int

    @property
    def capitalised(self) -> bool:
        first = self.text.split("-")[0].lower()
        return self.text[:1].isupper() or (first in _PARTICLES and "-" in self.text)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word, end = match[0], match.end()
        if (
            word.endswith(".")
            and word not in RANK_ABBREVIATIONS
            and not any(word in a.split() for a in RANK_ABBREVIATIONS)
            and word not in _HONORIFICS
        ):
            word, end = word[:-1], end - 1
        tokens.append(_Token(word, match.start(), end))
    return tokens


def _runs(text: str) -> list[list[_Token]]:
    """Runs of capitalised words (with "of", "the", "bin" … between two of them)."""
    tokens = _tokens(text)
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for index, token in enumerate(tokens):
        joined = current and text[current[-1].end : token.start].strip() in ("", "'s", "’s")
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        connector = (
            token.text.lower() in {"of", "the", *_PARTICLES}
            and current
            and following is not None
            and following.capitalised
        )
        if (token.capitalised or connector) and (not current or joined):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = [token] if token.capitalised else []
    if current:
        runs.append(current)
    return runs


def _is_name_word(token: _Token, countries: CountryLexicon) -> bool:
    word = token.text.rstrip(".")
    base = re.sub(r"['’]s$", "", word)
    if base in _NOT_NAMES or base in _RANK_WORDS or (base.upper() == base and len(base) > 1):
        return False
    if countries.code_of(base) or is_head(base):
        return False
    return token.capitalised or base.lower() in _PARTICLES


class _Reader:
    def __init__(self, report: str, countries: CountryLexicon) -> None:
        self.report = report
        self.countries = countries

    def party_of(self, word: str) -> str | None:
        word = re.sub(r"['’]s$", "", word)
        return self.countries.code_of(word)

    def read(self, sentence: Sentence) -> tuple[list[PersonFinding], list[tuple[Evidence, str, str | None]]]:
        """The people a sentence names, and its office-only mentions (evidence, office, party)."""
        found: list[PersonFinding] = []
        offices: list[tuple[Evidence, str, str | None]] = []
        text = sentence.text
        # "Saudi Arabia", "United Arab Emirates": every word of a country's name is the country's.
        named = {
            offset: mention.code
            for mention in self.countries.mentions(text)
            for offset in range(mention.start, mention.end)
        }
        previous_office: tuple[int, str, str | None, Evidence] | None = None
        for run in _runs(text):
            names_from = len(run)
            while (
                names_from > 0
                and run[names_from - 1].start not in named
                and _is_name_word(run[names_from - 1], self.countries)
            ):
                names_from -= 1
            name_tokens = [t for t in run[names_from:] if t.text not in _HONORIFICS][:6]
            while name_tokens and name_tokens[0].text.lower() in {"of", "the", "bin", "ibn"}:
                name_tokens.pop(0)
            head = [t for t in run[:names_from] if t.text not in _HONORIFICS]
            party, party_token = None, None
            while (
                head and (head[0].start in named or self.party_of(head[0].text)) and not is_head(head[0].text)
            ):
                party = named.get(head[0].start) or self.party_of(head[0].text)
                party_token = head[0] if party_token is None else party_token
                head = head[1:]
            rank_words: list[_Token] = []
            for rank in [*RANK_ABBREVIATIONS, *RANKS]:
                size = len(rank.split())
                if len(head) >= size and " ".join(t.text for t in head[-size:]) == rank:
                    rank_words, head = head[-size:], head[:-size]
                    break
            office_tokens = head if any(is_head(t.text) for t in head) else []
            if not name_tokens:
                if office_tokens:
                    evidence = sentence.evidence(run[0].start, run[-1].end)
                    office = normalise_office(" ".join(t.text for t in office_tokens))
                    offices.append((evidence, office, party))
                    previous_office = (run[-1].end, office, party, evidence)
                continue
            if len(name_tokens) == 1 and not (office_tokens or rank_words or party):
                continue  # a lone word is a person only as another spelling of one (see below)
            start, end = name_tokens[0].start, name_tokens[-1].end
            person = PersonFinding(text[start:end], sentence.evidence(start, end))
            if party:
                person.party, person.party_evidence = (
                    party,
                    sentence.evidence(party_token.start, party_token.end),
                )
            if rank_words:
                person.rank = normalise_rank(" ".join(t.text for t in rank_words))
                person.rank_evidence = sentence.evidence(rank_words[0].start, rank_words[-1].end)
            if office_tokens:
                person.office = normalise_office(" ".join(t.text for t in office_tokens))
                person.office_evidence = sentence.evidence(office_tokens[0].start, office_tokens[-1].end)
            self._before(person, text[: run[0].start], sentence, found, previous_office)
            self._after(person, text[end:], sentence, end)
            if not (person.office or person.rank or person.party) and len(name_tokens) < 2:
                continue
            person.mentions.append(
                PersonMention(person.name, sentence.start + start, sentence.start + end, sentence)
            )
            found.append(person)
        return found, offices

    def _before(self, person: PersonFinding, before: str, sentence: Sentence, found, previous_office) -> None:
        counterpart = _COUNTERPART.search(before)
        if counterpart:
            code = self.countries.adjective_of(counterpart["adjective"])
            if code and not person.party:
                person.party = code
                said = counterpart[0].rstrip(" ,")
                person.party_evidence = sentence.evidence(
                    counterpart.start(), counterpart.start() + len(said)
                )
            if not person.office and found and found[-1].office:
                person.office, person.office_evidence = found[-1].office, found[-1].office_evidence
            return
        if previous_office and re.fullmatch(r"\s*,\s*", before[previous_office[0] :] or "x"):
            _, office, party, evidence = previous_office
            person.office = person.office or office
            person.office_evidence = person.office_evidence or evidence
            if party and not person.party:
                person.party, person.party_evidence = party, evidence
            return
        # What stands before the name since the last "and", "with", "by" or comma: "the Iranian
        # Navy commander", "Syrian National Security Bureau chief", "the Iranian ambassador".
        segment = re.split(r"\b(?:and|with|by|between|to)\b|[,;:(]", before)[-1]
        at = len(before) - len(segment)
        lower = _LOWER_OFFICE.search(segment)
        if lower and not person.office:
            words = [
                w
                for w in lower["office"].split()
                if not self.party_of(w) and w.lower() not in ("the", "a", "an")
            ]
            if words:
                person.office = normalise_office(" ".join(words))
                person.office_evidence = sentence.evidence(
                    at + lower.start("office"), at + lower.end("office")
                )
        if not person.party:
            for mention in self.countries.mentions(segment):
                if mention.kind != "capital":
                    person.party = mention.code
                    person.party_evidence = sentence.evidence(at + mention.start, at + mention.end)
                    break

    def _after(self, person: PersonFinding, after: str, sentence: Sentence, end: int) -> None:
        apposition = _AFTER_OFFICE.match(after)
        if not apposition or not any(is_head(w) for w in apposition["office"].split()):
            return
        words = apposition["office"]
        at = end + apposition.start("office")
        if not person.office:
            for mention in self.countries.mentions(words):
                if not person.party:
                    person.party = mention.code
                    person.party_evidence = sentence.evidence(at + mention.start, at + mention.end)
            bare = re.sub(r"\b[A-Z][\w-]*['’]s\s+", "", words)
            bare = re.sub(r"\bof\s+(?!the\b)", "of the ", bare) if re.search(r"\bof\s+[A-Z]", bare) else bare
            person.office = normalise_office(bare)
            person.office_evidence = sentence.evidence(at, at + len(words))


def read_people(
    report: str,
    sentences: list[Sentence],
    countries: CountryLexicon,
    status: str | None,
    key: Sentence | None,
) -> tuple[list[PersonFinding], list[UnnamedFinding]]:
    """Everyone the report names (participants with a role), and the counterparts it does not name."""
    reader = _Reader(report, countries)
    people: list[PersonFinding] = []
    office_mentions: list[tuple[Sentence, Evidence, str, str | None]] = []
    for sentence in sentences:
        found, offices = reader.read(sentence)
        office_mentions += [(sentence, *office) for office in offices]
        for person in found:
            same = next((p for p in people if _same_person(p, person.name)), None)
            if same is None:
                people.append(person)
                continue
            same.mentions += person.mentions
            _add_spelling(same, person.name, person.evidence)
            for attribute in ("party", "office", "rank"):
                if not getattr(same, attribute) and getattr(person, attribute):
                    setattr(same, attribute, getattr(person, attribute))
                    setattr(same, f"{attribute}_evidence", getattr(person, f"{attribute}_evidence"))
    _lone_surnames(people, sentences)
    participant_sentences = {
        s.index
        for s in sentences
        if (key is not None and s.index == key.index)
        or AGREEMENT_NOUN.search(s.text)
        or _PARTICIPANT_SENTENCE.search(s.text)
    }
    default = {SIGNED: ParticipantRole.SIGNED, INITIALLED: ParticipantRole.INITIALLED}.get(
        status or "", ParticipantRole.NEGOTIATED
    )
    for person in people:
        for mention in person.mentions:
            if mention.sentence.index not in participant_sentences:
                continue
            role = _role(report, mention, default)
            if role is not None and person.role is None:
                person.role, person.role_evidence = role
    unnamed = _unnamed(people, sentences, participant_sentences, office_mentions, countries, default)
    return people, unnamed


def _same_person(person: PersonFinding, name: str) -> bool:
    key = name_key(name)
    if key == person.key or similarity(key, person.key) >= 88:
        return True
    words, known = set(key.split()), set(person.key.split())
    return len(words) >= 2 and (words <= known or known <= words)


def _add_spelling(person: PersonFinding, name: str, evidence: Evidence) -> None:
    spelt = {person.name.casefold(), *(s.casefold() for s, _ in person.spellings)}
    surname = person.surname.casefold()
    if name.casefold() in spelt or (len(name.split()) == 1 and name.casefold() == surname):
        return
    person.spellings.append((name, evidence))


def _lone_surnames(people: list[PersonFinding], sentences: list[Sentence]) -> None:
    """ "al-Hiyali arrived …": a lone word spelt like (or nearly like) a known surname is that person."""
    surnames = [(person, name_key(person.surname)) for person in people]
    seen = {(m.start, m.end) for p in people for m in p.mentions}
    for sentence in sentences:
        for token in _tokens(sentence.text):
            if not token.capitalised or token.text in _NOT_NAMES:
                continue
            start = sentence.start + token.start
            if any(begin <= start < end for begin, end in seen):
                continue
            key = _key(token.text)
            if len(key) < 4:
                continue
            for person, surname_key in surnames:
                if key == surname_key or similarity(key, surname_key) >= 80:
                    person.mentions.append(
                        PersonMention(token.text, start, start + len(token.text), sentence)
                    )
                    _add_spelling(person, token.text, Evidence(token.text, start, start + len(token.text)))
                    break


@lru_cache(maxsize=4096)
def _key(word: str) -> str:
    return name_key(word)


def _role(report: str, mention: PersonMention, default: str) -> tuple[str, Evidence] | None:
    sentence = mention.sentence
    before = report[sentence.start : mention.start]
    after = report[mention.end : sentence.end]
    for role, pattern in _ROLE_BEFORE:
        found = pattern.search(before)
        if found:
            start = sentence.start + found.start()
            return role, Evidence(
                report[start : start + len(found[0].split(",")[0][:40])],
                start,
                start + len(found[0].split(",")[0][:40]),
            )
    for role, pattern in _ROLE_AFTER:
        found = pattern.search(after)
        if found:
            return role, Evidence(
                report[mention.end : mention.end + found.end()], mention.end, mention.end + found.end()
            )
    if _ONLY_MET.search(before):
        return None
    verb = _VERB.search(sentence.text)
    return default, sentence.evidence(verb.start(), verb.end()) if verb else sentence.evidence()


def _unnamed(
    people: list[PersonFinding],
    sentences: list[Sentence],
    participant_sentences: set[int],
    office_mentions: list[tuple[Sentence, Evidence, str, str | None]],
    countries: CountryLexicon,
    default: str,
) -> list[UnnamedFinding]:
    named = {(p.party, p.role) for p in people if p.role is not None}
    unnamed: list[UnnamedFinding] = []
    for sentence in sentences:
        if sentence.index not in participant_sentences:
            continue
        for match in _UNNAMED_COUNTERPART.finditer(sentence.text):
            code = countries.adjective_of(match["adjective"])
            if code is None or (code, default) in named:
                continue
            referent = next(
                (p for p in reversed(people) if any(m.sentence.index <= sentence.index for m in p.mentions)),
                None,
            )
            office = referent.office if referent else ""
            who = f" of {referent.name}" if referent else ""
            description = f"{match['adjective']} counterpart{who}, not named in the report"
            unnamed.append(
                UnnamedFinding(
                    code, description, office, default, sentence.evidence(match.start(), match.end())
                )
            )
            named.add((code, default))
    for sentence, evidence, office, party in office_mentions:
        if sentence.index in participant_sentences and party and (party, default) not in named:
            adjective = countries.adjective(party)
            description = f"{adjective} {office}, not named in the report"
            unnamed.append(UnnamedFinding(party, description, office, default, evidence))
            named.add((party, default))
    return unnamed
