"""Word banks and a seeded prose generator for wire-style stories.

Nothing here is random at import time: every function takes the `random.Random`
it draws from, so a corpus is a pure function of its seed.
"""

from __future__ import annotations

import random

SECTIONS = ["News", "World", "Politics", "Business", "Science", "Culture", "Sports", "Opinion"]
AGENCIES = ["Reuters", "Associated Press", "Agence France-Presse", "Bloomberg", "VICE News"]
FIRST_NAMES = [
    "Amira", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kate", "Luis", "Maya", "Nikolai", "Olusegun", "Priya", "Quentin", "Rosa", "Samir",
    "Tomás", "Ulla", "Victor", "Wen", "Yara", "Zoe", "Ahmed", "Beatriz", "Chloé", "Daniel",
    "Emeka", "Fatima", "Gustavo", "Hannah", "Ivan", "Julia", "Kwame", "Lena", "Marco",
]
LAST_NAMES = [
    "Haddad", "Okafor", "Müller", "Novak", "Kowalski", "Tanaka", "Silva", "Dubois", "Rossi",
    "Ivanova", "O'Brien", "Nguyen", "Kim", "Patel", "García", "Andersen", "Costa", "Mensah",
    "Schmidt", "Yilmaz", "Larsen", "Moreau", "Fischer", "Ortega", "Lindqvist", "Adeyemi",
]
TOPICS = [
    "Climate", "Elections", "Health", "Refugees", "Oil", "Football", "Music", "Film", "Courts",
    "Education", "Housing", "Transport", "Technology", "Privacy", "Labour", "Trade", "Wildfires",
    "Floods", "Vaccines", "Police", "Protests", "Media", "Space", "Science", "Drought", "Energy",
    "Banking", "Inflation", "Tourism", "Fisheries", "Mining", "Shipping", "Aviation", "Farming",
    "Corruption", "Sanctions", "Cybersecurity", "Archaeology", "Tennis", "Cricket",
]
PLACES = [
    "Syria", "Russia", "United States", "Ukraine", "China", "India", "Brazil", "Mexico",
    "Nigeria", "Kenya", "Egypt", "Turkey", "Iran", "Iraq", "Germany", "France", "Italy", "Spain",
    "Poland", "Greece", "Japan", "South Korea", "Indonesia", "Australia", "Canada", "Argentina",
    "Chile", "Peru", "Colombia", "South Africa", "Ethiopia", "Pakistan", "Bangladesh", "Vietnam",
    "Philippines", "Sweden", "Norway", "Zürich", "São Paulo", "Québec", "Istanbul", "Lagos",
    "Nairobi", "Mumbai", "Jakarta", "Manila", "Lima", "Bogotá", "Cairo", "Tehran",
]
SUBJECTS = [
    "The council", "Officials", "Residents", "The ministry", "Opposition leaders", "Analysts",
    "The company", "Prosecutors", "Aid workers", "The central bank", "Union leaders", "Police",
    "Local farmers", "The court", "Investors", "Scientists", "Health authorities", "Diplomats",
    "The mayor", "Shop owners", "Engineers", "Teachers", "The regulator", "Campaigners",
]
VERBS = [
    "said", "warned", "announced", "confirmed", "denied", "argued", "acknowledged", "insisted",
    "estimated", "reported", "suggested", "cautioned", "disclosed", "maintained",
]
CLAIMS = [
    "that the plan would be delayed until next year",
    "that costs had risen sharply since the spring",
    "that talks would resume within weeks",
    "that the figures were worse than expected",
    "that no agreement had yet been reached",
    "that the project had been scaled back",
    "that several hundred people had been affected",
    "that an inquiry would begin on Monday",
    "that supplies were running low in the north",
    "that the decision could still be appealed",
    "that the vote had been postponed",
    "that new rules would take effect in January",
]
DETAILS = [
    "according to documents seen by reporters",
    "in a statement released late on Tuesday",
    "speaking on condition of anonymity",
    "at a briefing in the capital",
    "in an interview broadcast on state television",
    "after a meeting that lasted more than six hours",
    "citing figures from the national statistics office",
    "while crowds gathered outside the building",
]
QUOTES = [
    "We have done everything we can, and we will keep doing it",
    "Nobody expected it to happen this quickly",
    "This is a question of trust, not of money",
    "The numbers speak for themselves",
    "We are not going to stop until we get answers",
    "It is too early to say what this means for families here",
]
SUBHEADS = ["Background", "What happens next", "Reaction", "The numbers", "A long dispute"]
HEADLINE_VERBS = [
    "Weighs", "Rejects", "Backs", "Delays", "Opens", "Closes", "Probes", "Revives", "Expands",
    "Cuts", "Defends", "Halts", "Approves", "Challenges",
]
HEADLINE_NOUNS = [
    "Budget", "Bridge", "Strike", "Ruling", "Harbour", "Vote", "Market", "Museum", "Border",
    "Ferry", "Clinic", "Pipeline", "Stadium", "Census", "Railway", "Reform", "Deal", "Tariffs",
]


def tag_names(count: int) -> list[str]:
    """`count` distinct tag names: topics, places, then "Topic in Place" pairs."""
    names = [*TOPICS, *PLACES]
    names += [f"{topic} in {place}" for place in PLACES for topic in TOPICS]
    return names[:count]


def author_names(count: int) -> list[str]:
    """`count` distinct bylines: the agencies, then people."""
    people = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    return [*AGENCIES, *people][:count]


def headline(rng: random.Random, tags: list[str]) -> str:
    noun, other = rng.sample(HEADLINE_NOUNS, 2)
    return f"{tags[0]}: {noun} {rng.choice(HEADLINE_VERBS)} {other} Plan as Talks Stall"


def dek(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAIMS)}."


def sentence(rng: random.Random, names: list[str]) -> str:
    if rng.random() < 0.15:
        return f'"{rng.choice(QUOTES)}," {rng.choice(names)} told reporters.'
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAIMS)}, "
        f"{rng.choice(DETAILS)}."
    )


def paragraph(rng: random.Random, names: list[str]) -> str:
    text = " ".join(sentence(rng, names) for _ in range(rng.randint(3, 5)))
    if rng.random() < 0.2:
        text = text.replace(" said ", " **said** ", 1)
    if rng.random() < 0.1:
        text += " [Read the statement](https://example.org/statements/latest)."
    return text


def paragraph_pool(rng: random.Random, size: int, names: list[str]) -> list[str]:
    """Paragraphs that bodies are drawn from, so a big corpus is quick to write."""
    return [paragraph(rng, names) for _ in range(size)]


def body(rng: random.Random, pool: list[str], lead: str, target: int) -> str:
    """About `target` characters of Markdown: paragraphs, a subhead, sometimes a quote."""
    parts = [lead]
    size = len(lead)
    picks = iter(rng.sample(pool, min(len(pool), 2 + target // 200)))
    while size < target:
        chunk = next(picks)
        if len(parts) == 5:
            chunk = f"## {rng.choice(SUBHEADS)}\n\n{chunk}"
        elif len(parts) == 8 and rng.random() < 0.5:
            chunk = f"> {chunk}"
        parts.append(chunk)
        size += len(chunk) + 2
    return "\n\n".join(parts) + "\n"
