"""Whether what a partner typed at a step of the support request is an answer to that step or something else.

Each step takes the whole message as its answer (a from_text slot), so a question asked on the way ("au fait,
c'est quoi QuantumPlus ?") used to become the organisation's name. The intent alone cannot tell: organisation
names are classified too ("Merci Foundation" is `thank`, "Code for Africa 2030" is `faq`, both with confidence
1.0). So a message is a digression when the intent says so *and* the words do: a question for a question, one of
the usual phrases for small talk. At the description step a question is the description ("why can't we edit our
legal name?"); only small talk and a clicked article button are digressions there.
"""

from __future__ import annotations

import re
import unicodedata

from bot.knowledge.validation import normalise_example

# Intents a question can have, once the words say it is one.
QUESTION_INTENTS = frozenset({"faq", "nlu_fallback", "out_of_scope", "bot_challenge"})
SMALL_TALK_INTENTS = frozenset({"greet", "thank", "bot_challenge"})
# A button of an article suggested earlier in the conversation: never the answer to a step.
BUTTON_INTENTS = frozenset({"choose_article"})
# Steps at which a question is the answer itself.
QUESTIONS_ANSWER = frozenset({"description"})

_SMALL_TALK = frozenset(
    "bonjour|bonsoir|salut|coucou|allo|bonjour a vous|bonjour madame|bonjour monsieur|hello|hi|hey|hello there|"
    "good morning|good afternoon|good evening|merci|merci beaucoup|merci bien|mille merci|mille mercis|"
    "merci pour votre aide|thanks|thank you|thank you very much|thanks a lot|many thanks|thx|ok merci|"
    "ok thanks|super merci|great thanks|parfait merci|tres bien merci|cool merci|es tu un robot|"
    "tu es un robot|etes vous un robot|vous etes un robot|are you a bot|are you a robot|are you human|"
    "am i talking to a bot|is this a bot|suis je en train de parler a un robot".split("|")
)
_INTERROGATIVES = frozenset(
    "quoi comment pourquoi ou quand qui quel quelle quels quelles combien lequel laquelle est qu peut puis dois "
    "faut pouvez pourriez what how why where when who whom whose which can could do does did is are should may "
    "will would shall".split()
)
# Words a partner puts before a question they slip in: "au fait, ...", "by the way, ...".
_LEAD_INS = frozenset(
    "au fait et sinon aussi ah oh ok alors mais question svp by the way btw and also but please".split()
)
_QUESTION_MARK = re.compile(r"\?(?=[\s!?.)\"»]|$)")


def _words(text: str) -> list[str]:
    return normalise_example(text).split()


def is_small_talk(text: str) -> bool:
    """A greeting, a thank-you or "are you a bot?", and nothing else."""
    return " ".join(_words(text)) in _SMALL_TALK


def is_question(text: str) -> bool:
    """A question mark that ends a sentence, or four words or more that start like a question.

    A link's "?" (https://…/overview?tab=1) is not one: links are left out first.
    """
    prose = " ".join(token for token in unicodedata.normalize("NFKC", text).split() if not _is_link(token))
    if _QUESTION_MARK.search(prose):
        return True
    words = _words(text)
    while words and words[0] in _LEAD_INS:
        words = words[1:]
    return len(words) >= 4 and words[0] in _INTERROGATIVES


def _is_link(token: str) -> bool:
    """A link or an e-mail address (split on spaces first: no regular expression that could backtrack)."""
    lowered = token.lstrip("(<«\"'").lower()
    return "@" in token or lowered.startswith(("http://", "https://", "www."))


def is_digression(step: str, text: str, intent: str | None) -> bool:
    """True when the message typed at `step` is not its answer but something to answer first."""
    if intent in BUTTON_INTENTS:
        return True
    if intent in SMALL_TALK_INTENTS and is_small_talk(text):
        return True
    if step in QUESTIONS_ANSWER:
        return False
    return intent in QUESTION_INTENTS and is_question(text)
