"""The ticket issue types, their labels in each language, and matching of what a partner types."""

from __future__ import annotations

from bot.knowledge.validation import normalise_example
from bot.tickets.models import ISSUE_TYPES

LABELS: dict[str, dict[str, str]] = {
    "account_access": {
        "fr": "Accès au compte (accès perdu, utilisateurs à ajouter)",
        "en": "Account access (access lost, users to add)",
    },
    "non_editable_info": {
        "fr": "Modifier une information non modifiable du profil",
        "en": "Change profile information I cannot edit",
    },
    "duplicate_profile": {
        "fr": "Supprimer un profil en double",
        "en": "Delete a duplicate profile",
    },
    "other": {"fr": "Autre problème", "en": "Another problem"},
}

# Words a partner may type instead of pressing a button.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "account_access": ("acces", "access", "compte", "account", "connexion", "login", "utilisateur", "user"),
    "non_editable_info": ("modifi", "edit", "non modifiable", "champ", "field", "information", "nom legal"),
    "duplicate_profile": ("doublon", "double", "duplicate", "deux profils", "two profiles", "supprimer"),
    "other": ("autre", "other", "aucun", "none"),
}


def label(issue_type: str, language: str) -> str:
    labels = LABELS.get(issue_type, LABELS["other"])
    return labels.get(language, labels["en"])


def match_issue_type(text: str) -> str | None:
    """The issue type meant by a button payload, a key, a number 1-4, a label or a keyword; else None."""
    folded = normalise_example(text)
    if not folded:
        return None
    underscored = folded.replace(" ", "_")
    if underscored in ISSUE_TYPES:
        return underscored
    # isdecimal, not isdigit: int() refuses some digits ("𐩀") and any string of more than 4300 of them.
    if folded.isdecimal() and len(folded) <= 2 and 1 <= int(folded) <= len(ISSUE_TYPES):
        return ISSUE_TYPES[int(folded) - 1]
    for issue_type, labels in LABELS.items():
        if folded in (normalise_example(v) for v in labels.values()):
            return issue_type
    matches = [t for t, words in _KEYWORDS.items() if any(w in folded for w in words)]
    return matches[0] if len(matches) == 1 else None
