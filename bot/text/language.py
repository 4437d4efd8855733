"""Which language, French or English, the partner writes in: clearly one, or None (e-mails, links, "ok").

Pure: the Rasa component that turns it into the `language` entity is bot/rasa_server/nlu/language_detector.py.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

CODES = {Language.FRENCH: "fr", Language.ENGLISH: "en"}

MIN_CONFIDENCE = 0.6
# With no function word to go on ("password reset", "quantumplus login"), only a near-certain detector may
# switch the language: keywords are shared by partners writing either language.
KEYWORDS_ONLY_CONFIDENCE = 0.9
WORD = re.compile(r"[^\W\d_]+")
# Short words that belong to one language only; the statistical detector is unsure on short, unaccented
# French ("je n'arrive pas a me connecter" scores 0.55), where these words are not.
FRENCH_WORDS = frozenset(
    "je j tu il elle nous vous ils elles mon ma mes notre nos votre vos le la les l un une des du de d et est "
    "sont pas ne n pour avec dans sur par que qui quoi comment pourquoi où ou quand mais ce cette ces c qu au "
    "aux à se s me m moi on y en ai avons avez ont peux peut pouvez suis êtes bonjour bonsoir salut merci svp "
    "oui aussi encore très".split()
)
ENGLISH_WORDS = frozenset(
    "i you he she we they my our your their the an of and is are not for with on by that what how why where "
    "when but this these those to do does did can cannot don doesn didn it be have has was were am hello hi "
    "thanks thank please yes also still very there from".split()
)
# Said in both languages: they never switch it.
NEUTRAL_WORDS = frozenset("ok okay oki cool super top bravo ciao".split())


def _function_words(text: str) -> tuple[int, int]:
    words = [w.casefold() for w in WORD.findall(text)]
    return sum(w in FRENCH_WORDS for w in words), sum(w in ENGLISH_WORDS for w in words)


def preload() -> None:
    """Build the statistical detector now (a third of a second), not on the first partner's message."""
    _detector()


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CODES).with_preloaded_language_models().build()


def not_prose(text: str) -> bool:
    """A button payload (`/affirm`), or one e-mail address or link alone: nothing to tell a language from.

    Plain string tests, not a regular expression: `\\S+@\\S+\\s*$` backtracks quadratically on long text.
    """
    stripped = text.strip()
    if stripped.startswith("/"):
        return True
    if not stripped or any(c.isspace() for c in stripped):
        return False
    if "@" in stripped[1:-1]:
        return True
    return any(stripped.startswith(start) and len(stripped) > len(start) for start in ("http://", "https://", "www."))


def detect_language(text: str, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """'fr' or 'en' when the text is clearly one of them, else None (the conversation keeps its language).

    Function words decide when they clearly lean one way; otherwise the lingua detector does, more strictly
    when the message has no function word at all.
    """
    if not text or not_prose(text):
        return None
    # Addresses, links and references are in no language: "espoir.example" would read as French.
    text = " ".join(token for token in text.split() if not not_prose(token) and not any(c.isdigit() for c in token))
    if sum(c.isalpha() for c in text) < 2:
        return None
    words = {w.casefold() for w in WORD.findall(text)}
    if words <= NEUTRAL_WORDS:
        return None
    french, english = _function_words(text)
    if abs(french - english) >= 2:
        return "fr" if french > english else "en"
    best = _detector().compute_language_confidence_values(text[:500])[0]
    needed = min_confidence if french or english else max(min_confidence, KEYWORDS_ONLY_CONFIDENCE)
    return CODES[best.language] if best.value >= needed else None
