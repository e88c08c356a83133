"""Bylines as people write them: names, and the roles written after them.

"Max Neuvians and Tim Arney, Developers" is two people with one role;
"Jason White, Head of data science" one person; "Emily Coffin, UX Design and
Phil Smith, UX Design" two, each with a role; "Reuters and VICE News" two
organisations. Names are split on commas, semicolons, `&` and the conjunction of
the story's language ("and", "et", "y", "und").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONJUNCTIONS = {"en": "and", "fr": "et", "es": "y", "pt": "e", "de": "und", "it": "e",
                "nl": "en"}
"""The word that joins two names, by language."""

_PARTICLES = frozenset(["de", "del", "della", "der", "den", "di", "da", "das", "do", "dos", "du",
                        "la", "le", "van", "von", "bin", "ibn", "al", "el", "st.", "y", "zu"])
_ROLE_WORDS = frozenset([
    "agency", "analyst", "assistant", "associate", "board", "bureau", "canada", "ceo",
    "chair", "chief", "cio", "city", "commission", "communications", "consultant",
    "content", "coordinator", "correspondent", "council", "cyber", "data", "delivery",
    "department", "deputy", "design", "designer", "designers", "desk", "developer",
    "developers", "digital", "director", "division", "editor", "editors", "engagement",
    "engineer", "engineering", "government", "head", "health", "lead", "leader",
    "management", "manager", "managers", "ministry", "national", "news", "office",
    "officer", "operations", "outreach", "partner", "policy", "president", "product",
    "program", "programs", "reporter", "research", "researcher", "resources", "science",
    "secretary", "security", "senior", "service", "services", "specialist", "staff",
    "strategist", "strategy", "talent", "team", "technology", "times", "university",
    "writer"
])
_ROLE_WORDS_OTHER = frozenset([
    "équipe", "chef", "cheffe", "directeur", "directrice", "gestionnaire", "développeur",
    "développeuse", "conception", "conceptrice", "concepteur", "contenu", "recherche",
    "chercheur", "chercheuse", "politiques", "politique", "ingénieur", "ingénieure",
    "principal", "principale", "conseiller", "conseillère", "analyste", "stratège",
    "rédacteur", "rédactrice", "responsable", "service", "services", "santé", "ministère",
    "gouvernement", "bureau", "conseil", "secrétaire", "liaison", "diffusion", "numérique",
    "équipo", "jefe", "jefa", "directora", "redactor", "redactora"
])
_BRACKETED_ROLE = re.compile(r"(?P<name>[^,;()]+?)\s*\((?P<role>[^()]+)\)")
_NAME_WORD = re.compile("^[A-ZÀ-ÖØ-ÞĀ-Ž][\\w'\u2019.-]*$")


@dataclass(frozen=True, slots=True)
class Person:
    """One name of a byline and the role written after it, if any."""

    name: str
    role: str = ""


def people(text: str, language: str = "") -> list[Person]:
    """The people of one byline string; organisations are people without roles."""
    conjunction = CONJUNCTIONS.get(language.split("-")[0].lower(), "and")
    joins = re.compile(rf"\s+(?:&|and|{re.escape(conjunction)})\s+|\s*&\s*", re.I)
    found: list[Person] = []
    for group in re.split(r"\s*;\s*", text.strip()):
        found.extend(_group(group, joins))
    return [person for person in found if person.name]


def _group(text: str, joins: re.Pattern[str]) -> list[Person]:
    segments = [s.strip() for s in re.split(r"\s*,\s*|\s+[\u2013\u2014-]\s+", _unbracket(text))
                if s.strip()]
    parts = [(index, part.strip()) for index, segment in enumerate(segments)
             for part in _split_joined(segment, joins)]
    if not any(_looks_like_name(part) for _, part in parts):
        # No name among them: organisations or initials, every part its own byline.
        return [Person(part) for _, part in parts if part]
    people: list[Person] = []
    waiting: list[str] = []  # names that have not had their role yet
    roles: dict[str, list[str]] = {}
    for position, (segment, part) in enumerate(parts):
        after_join = position > 0 and parts[position - 1][0] == segment
        if _looks_like_name(part) or (after_join and not _is_role(part)):
            if waiting and roles.get(waiting[-1]):
                waiting = []  # a new person after a role: the role went to those before
            waiting.append(part)
            people.append(Person(part))
            roles[part] = []
        elif people:
            for name in waiting:
                roles[name].append(part)
    return [Person(p.name, ", ".join(roles[p.name])) for p in people]


def _unbracket(text: str) -> str:
    """"Omar Tehsin (developer)" as "Omar Tehsin, developer": a role in brackets
    after a name; an organisation's own "(SNC)" stays."""
    return _BRACKETED_ROLE.sub(
        lambda m: f"{m['name']}, {m['role']}" if _looks_like_name(m["name"]) else m[0], text
    )


def _split_joined(segment: str, joins: re.Pattern[str]) -> list[str]:
    """The names joined in one segment; a segment may open with the conjunction
    ("Ana Lima, Ben Okafor, and Chen Wei")."""
    return [part for part in joins.split(f" {segment}") if part.strip()]


def _looks_like_name(part: str) -> bool:
    """Two to four capitalised words (particles allowed), none of them a role's."""
    words = part.split()
    if not 2 <= len(words) <= 5 or _is_role(part):
        return False
    capitalised = [w for w in words if w.lower() not in _PARTICLES]
    return len(capitalised) >= 2 and all(
        _NAME_WORD.match(word) and not word.isupper() for word in capitalised
    )


def _is_role(part: str) -> bool:
    words = [w.strip("()").lower() for w in part.split()]
    lowercase_start = part[:1].islower()
    acronym = any(w.isupper() and len(w) > 1 for w in part.split())
    return lowercase_start or acronym or any(
        w in _ROLE_WORDS or w in _ROLE_WORDS_OTHER for w in words
    )
