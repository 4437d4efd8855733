"""Find the passwords and verification codes partners type into the chat, and mask them before anything is stored.

A detector, not a rewrite of every string: it looks for a password word (mot de passe, mdp, password, PIN...) and
takes the value it introduces, and for a code word (code, OTP, PIN...) and takes the group of digits next to it.
Words that only describe a password ("incorrect", "expired") or qualify a code ("code postal", "error code") are
not secrets, and nothing else in the text is touched. Text with nothing to mask comes back as it was; text with
a secret comes back NFKC-normalised with each secret replaced by MASK, so the warning the partner gets ("I hid
it") is true of the whole secret. Every step is a single pass or a bounded look around one word: linear time.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

MASK = "•••••"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"\S+")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
# Digits as a code is typed: 4 to 8 in a row, or in groups (482 913, 48-29-13, 4829 1305).
_DIGITS = re.compile(
    r"(?<![\w/.,\-@#+])(\d{4,8}|\d{3}[ \-]\d{3}|\d{2}[ \-]\d{2}[ \-]\d{2}|\d{4}[ \-]\d{4})(?![\w/\-@]|[.,]\d)"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_YEAR = re.compile(r"(?:19|20)\d\d")
_QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“"}
_TRAILING = ".,;:"

# Password words, as folded word sequences (lower case, no accents). The short ones are common words too ("I
# can't pass this step", "PIN 4821" is a PIN): they introduce a secret only before ":" / "=" / "is" / "est".
_PASSWORD_WORDS = (
    ("mot", "de", "passe"),
    ("mots", "de", "passe"),
    ("motdepasse",),
    ("mdp",),
    ("password",),
    ("passwords",),
    ("passwd",),
    ("pwd",),
    ("passcode",),
    ("passphrase",),
    ("pw",),
    ("pass",),
    ("pin",),
)
_SHORT_PASSWORD_WORDS = frozenset({("pw",), ("pass",), ("pin",)})
# Between the password word and its value: "mon mot de passe actuel du portail UNPP est ...".
_FILLERS = frozenset(
    "actuel actuelle nouveau nouvel nouvelle ancien ancienne temporaire provisoire initial initiale current new "
    "old temporary actual real exact unpp quantumplus quantum plus portal portail site du de des d pour for the on "
    "sur le la l mon ma my our notre account compte login connexion user utilisateur que j utilise i use that we "
    "nous avons ai have set defini choisi chose used of to access acceder yesterday today hier recu "
    "received got".split()
)
# Words after which what follows is about something else than the password ("mot de passe oublié, erreur : 0x80").
_BREAKERS = frozenset(
    "erreur error numero number phone telephone tel email mail courriel contact id profil profile lien link date "
    "reference ticket code page message et and mais but".split()
)
_CLAUSE_STARTS = frozenset(
    "et and mais but or ou donc so merci thanks thank please svp stp s il vous plait tout all qui which car "
    "because parce since puis then je i il it elle".split()
)
_PARTICIPLES = ("é", "ée", "és", "ées")  # "composé de", "limité à": a state, not a value
_COPULAS = frozenset({"is", "was", "est", "etait", "sera", "s"})
# After the copula and before the value: "my password is now ...", "mon mot de passe est toujours ...".
_ADVERBS = frozenset({"now", "still", "currently", "maintenant", "toujours", "actuellement", "bien", "simply"})
# Words that describe a password or stand where a value would: never the secret itself.
_NOT_SECRETS = frozenset(
    # English
    "not no never wrong incorrect invalid expired expiring blocked locked correct right valid ok okay fine lost "
    "forgotten forgot missing the a an my your our this that it which what who here there same different new old "
    "case sensitive required rejected refused reset changed sent accepted weak strong long short too very being "
    "been also always empty unknown working broken recognized recognised accepted needed mandatory compulsory "
    "ready set saved stored please help and or but so because if when where with without in on at for from to "
    "of by as reset changed updated deactivated disabled enabled generated received mine yours ours theirs his "
    "her their its known shown hidden encrypted secret private personal confidential loading failing pending "
    "required needed asked requested ".split()
    # French
    + "pas plus jamais toujours encore incorrect incorrecte faux fausse invalide invalides expire expiree expires "
    "bloque bloquee bloques verrouille verrouillee correct correcte bon bonne bons mauvais mauvaise juste le la "
    "les un une des mon ma mes ton ta votre notre nos ce cet cette ca cela ceci qui que quoi lequel laquelle "
    "voici voila ici perdu perdue oublie oubliee refuse refusee rejete rejetee trop tres bien cense censee deja "
    "change changee modifie modifiee reinitialise reinitialisee valide erronee errone inconnu inconnue vide nul "
    "nulle different differente meme court courte long longue faible fort forte requis requise obligatoire "
    "necessaire sensible casse en et ou mais donc car si quand avec sans dans sur pour par de du au aux a il elle "
    "on nous vous ils elles je tu desactive desactivee active activee genere generee recu recue envoye envoyee "
    "secret secrete prive privee personnel personnelle confidentiel confidentielle chiffre chiffree cache cachee "
    "devenu devenue introuvable accepte acceptee".split()
)
# Code words. "code" alone is a code word unless a qualifier stands next to it ("code postal", "error code").
_CODE_WORDS = frozenset({"code", "codes", "otp", "pin", "2fa"})
_STRONG_CODE_NEIGHBOURS = frozenset(
    "verification securite security confirmation validation acces access authentification authentication "
    "connexion login otp pin unique temporaire sms".split()
)
_CODE_QUALIFIERS = frozenset(
    "erreur error erreurs errors postal post zip pays country iso projet project http status statut programme "
    "program bic swift iban banque bank source qr barre bar conduite conduct ethique ethics naf ape siret fiscal "
    "tax activite activity region indicatif dialling dialing area phone telephone promo promotion budget article "
    "produit product couleur color colour vestimentaire dress civil penal travail labour labor couleurs "
    "comptable accounting douanier customs pour for".split()
)
_STRONG_ALONE = frozenset({"otp", "pin", "2fa"})
# A group of digits right after one of these is a number of something else (a profile, a phone, a year).
_LABELS = frozenset(
    "profil profile id no n numero number num nr ticket ref reference tel telephone phone mobile whatsapp fax "
    "bp boite box po dossier case annee year in en depuis since until jusqu avant before after apres le the".split()
)
_UNITS = frozenset(
    "usd eur euro euros dollar dollars fcfa xof cfa chf minutes minute min secondes seconds sec jours days heures "
    "hours caracteres characters chiffres digits fois times personnes people membres members".split()
)
_CODE_AFTER_WORDS = 12
_CODE_ANNOUNCED_WORDS = 20  # "le code ... que vous m'avez envoyé hier soir est 318 640"
_CODE_BEFORE_WORDS = 4


@dataclass(frozen=True)
class _Word:
    text: str  # folded: lower case, accents removed
    start: int
    end: int


def normalised(text: str) -> str:
    """The text as the detector reads it: NFKC (full-width digits, non-breaking spaces) and straight apostrophes."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[_Word]:
    return [_Word(_fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _is_link_or_email(token: str) -> bool:
    return bool(_EMAIL.search(token) or _URL.match(token))


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    """The token without the punctuation that ends a sentence or closes a bracket around it."""
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    if end > start and text[end - 1] in ")]}»\"'" and not any(c in "([{«\"'" for c in text[start : end - 1]):
        end -= 1
    return start, end


def _value(text: str, start: int, announced: str) -> tuple[int, int] | None:
    """The secret that starts at `start` (after spaces), or None when what stands there is no secret.

    `announced` says what came before it: "separator" (":" or "="), after which a plain word counts ("mdp:
    azerty"); "copula" ("is", "est"), after which a plain word counts when it ends the clause ("my password is
    sunshine", not "mon mot de passe est composé de 8 caractères"); "none", after which the value must hold a
    digit or a symbol ("mdp Soleil2024").
    """
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text):
        return None
    closing = _QUOTES.get(text[start])
    if closing:
        end = text.find(closing, start + 1, start + 81)
        if end > start + 1 and text[start + 1 : end].strip():
            inner = text[start + 1 : end]
            lead = len(inner) - len(inner.lstrip())
            return start + 1 + lead, start + 1 + len(inner.rstrip())
    token = _TOKEN.match(text, start)
    if token is None:
        return None
    begin, end = _core(text, token.start(), token.end())
    while begin < end and text[begin] in "([{«":
        begin += 1
    value = text[begin:end]
    if not value or MASK in value or _is_link_or_email(value) or not any(c.isalnum() for c in value):
        return None
    bare = value.rstrip("!?")
    folded = _fold(bare)
    if folded in _NOT_SECRETS or (bare.isdigit() and len(bare) < 4):
        return None
    if any(c.isdigit() for c in bare) or any(not c.isalnum() and c not in "'-" for c in bare):
        return (begin, end) if announced != "none" or len(value) >= 4 else None
    if announced == "none" or len(bare) < 3:
        return None
    if announced == "copula" and not (_ends_clause(text, end) and not bare.lower().endswith(_PARTICIPLES)):
        return None
    return begin, end


def _ends_clause(text: str, position: int) -> bool:
    """Nothing, punctuation or a word that starts a new clause ("et", "but", "merci") comes after `position`."""
    rest = text[position : position + 40].lstrip()
    if not rest or not rest[0].isalnum():
        return True
    next_word = _WORD.match(rest)
    return next_word is not None and _fold(next_word.group()) in _CLAUSE_STARTS


def _separator_after(text: str, position: int) -> int | None:
    """The position after a ':' / '=' / '->' that follows `position` (spaces allowed), else None."""
    index = position
    while index < len(text) and text[index] in " \t":
        index += 1
    for separator in ("->", "=>", ":", "="):
        if text.startswith(separator, index):
            return index + len(separator)
    return None


def _joined(text: str, position: int, word: _Word, allowed: str = " ,") -> bool:
    """Nothing but spaces (and `allowed`) between `position` and the word."""
    return text[position : word.start].strip(allowed) == ""


def _copula_end(text: str, words: list[_Word], index: int, position: int) -> int | None:
    """Where "is" / "est" / "c'est" / "it's" / "'s" starting at word `index` ends (with an adverb after it)."""
    if index >= len(words) or not _joined(text, position, words[index], " ,'"):
        return None
    word, after = words[index], index + 1
    if word.text in {"c", "it"} and after < len(words) and words[after].text in {"est", "is", "s"}:
        word, after = words[after], after + 1
    elif word.text not in _COPULAS:
        return None
    end = word.end
    if end < len(text) and not (text[end].isspace() or text[end] in ":="):
        return None  # "est-il", "is-" : a question or a compound, not "is <value>"
    if after < len(words) and words[after].text in _ADVERBS and _joined(text, end, words[after], " "):
        end = words[after].end
    return end


def _password_value(text: str, words: list[_Word], index: int, short: bool) -> tuple[int, int] | None:
    """The value introduced by the password word just before word `index`, if any.

    Up to eight words may stand between the word and the ":" or "is" that announces the value ("le mot de passe
    temporaire que j'ai reçu est ..."). When one of them is not a known filler, the value must hold a digit or a
    symbol; a comma, the end of the sentence or a word such as "erreur" ends the search.
    """
    keyword = words[index - 1]
    position, between, plain = keyword.end, 0, True
    while True:
        separator = _separator_after(text, position)
        copula = None if separator is not None else _copula_end(text, words, index, position)
        if separator is not None or copula is not None:
            announced = separator if separator is not None else copula
            after_copula = _separator_after(text, announced) if copula is not None else None
            value = _value(
                text, after_copula or announced, "separator" if separator is not None or after_copula else "copula"
            )
            if value and not plain and text[value[0] : value[1]].isalpha():
                return None
            return value
        if between == 0:
            implicit = _implicit_value(text, keyword, short)
            if implicit is not None:
                return implicit
        if between == 8 or index >= len(words) or not _joined(text, position, words[index], " '"):
            break
        word = words[index].text
        if word in _BREAKERS:
            break
        plain = plain and word in _FILLERS
        position, index, between = words[index].end, index + 1, between + 1
    return None  # "password reset link", "pass this step": no value announced


def _implicit_value(text: str, keyword: _Word, short: bool) -> tuple[int, int] | None:
    """The value right after the word with nothing to announce it ("mdp Soleil2024", "PIN 4821")."""
    if short and keyword.text == "pass":
        return None
    found = _value(text, keyword.end, "none")
    if found and short and keyword.text == "pin" and not text[found[0] : found[1]].isdigit():
        return None
    return found


def _password_before(text: str, words: list[_Word], first: int) -> tuple[int, int] | None:
    """The value in "Azerty123! c'est mon mot de passe" / "Kigali2023# is my password" (the word at `first`)."""
    if first < 2 or words[first - 1].text not in {"mon", "ma", "le", "my", "the", "our", "notre", "nouveau", "new"}:
        return None
    copula = first - 2
    if words[copula].text not in {"est", "is", "was", "etait", "s"}:
        return None
    if words[copula].text in {"est", "s"} and copula >= 1 and words[copula - 1].text in {"c", "it"}:
        copula -= 1
    start = words[copula].start
    before = text.rfind(" ", 0, max(start - 1, 0)) if start else -1
    if start == 0 or not text[start - 1].isspace():
        return None
    return _value(text, before + 1, "separator")


def _match(words: list[_Word], index: int, sequence: tuple[str, ...]) -> bool:
    return tuple(word.text for word in words[index : index + len(sequence)]) == sequence


def _password_secrets(text: str, words: list[_Word]) -> list[tuple[int, int]]:
    found = []
    for index in range(len(words)):
        for sequence in _PASSWORD_WORDS:
            if not _match(words, index, sequence):
                continue
            short = sequence in _SHORT_PASSWORD_WORDS
            value = _password_value(text, words, index + len(sequence), short)
            if value is None and not short:
                value = _password_before(text, words, index)
            if value is not None:
                found.append(value)
            break
    return found


def _code_word_is_secret(words: list[_Word], index: int) -> str | None:
    """'strong' (an OTP, a verification code), 'plain' (a code of some kind), or None (a postal or error code)."""
    word = words[index].text
    if word not in _CODE_WORDS:
        return None
    neighbours = {w.text for w in words[max(0, index - 1) : index]} | {w.text for w in words[index + 1 : index + 3]}
    if word in _STRONG_ALONE or neighbours & _STRONG_CODE_NEIGHBOURS:
        return "strong"
    if neighbours & _CODE_QUALIFIERS:
        return None
    return "plain"


def _code_secrets(text: str, words: list[_Word]) -> list[tuple[int, int]]:
    """Groups of digits a few words after (or just before) a code word, in the same sentence."""
    code_words = [(i, kind) for i in range(len(words)) if (kind := _code_word_is_secret(words, i))]
    if not code_words:
        return []
    starts = [word.start for word in words]
    ends = _sentence_ends(text)
    found = []
    for digits in _DIGITS.finditer(text):
        first = bisect.bisect_left(starts, digits.start())
        last = bisect.bisect_left(starts, digits.end()) - 1
        if first > 0 and words[first - 1].text in _LABELS:
            continue
        if last + 1 < len(words) and words[last + 1].text in _UNITS:
            continue
        announced = (first > 0 and words[first - 1].text in _COPULAS) or text[: digits.start()].rstrip().endswith(":")
        kind = _near_code_word(code_words, first, last, _CODE_ANNOUNCED_WORDS if announced else _CODE_AFTER_WORDS)
        if kind is None or not _same_sentence(ends, words, first, last, kind[0]):
            continue
        if kind[1] == "plain" and _YEAR.fullmatch(digits.group()):
            continue
        found.append(digits.span())
    found.extend(_code_values(text, words, code_words))
    return found


def _near_code_word(code_words: list[tuple[int, str]], first: int, last: int, reach: int) -> tuple[int, str] | None:
    indexes = [i for i, _ in code_words]
    at = bisect.bisect_left(indexes, first)
    if at > 0 and first - indexes[at - 1] <= reach:
        return code_words[at - 1]
    if at < len(indexes) and indexes[at] - last <= _CODE_BEFORE_WORDS:
        return code_words[at]
    return None


def _sentence_ends(text: str) -> list[int]:
    return [match.start() for match in _SENTENCE_END.finditer(text)]


def _same_sentence(ends: list[int], words: list[_Word], first: int, last: int, code: int) -> bool:
    low, high = (words[code].end, words[first].start) if code < first else (words[last].end, words[code].start)
    at = bisect.bisect_left(ends, low)
    return at >= len(ends) or ends[at] >= high


def _code_values(text: str, words: list[_Word], code_words: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """ "le code est AB12CD", "code: X9K2": a value with a digit announced by a separator or a copula."""
    found = []
    for index, _kind in code_words:
        position = words[index].end
        separator = _separator_after(text, position)
        start = separator if separator is not None else _copula_end(text, words, index + 1, position)
        if start is None:
            continue
        value = _value(text, start, "separator")
        if value and any(c.isdigit() for c in text[value[0] : value[1]]):
            found.append(value)
    return found


def find_secrets(text: str) -> list[tuple[int, int]]:
    """The spans of the secrets in `normalised(text)`, in order and without overlaps."""
    return _spans(normalised(text)) if text else []


def _spans(text: str) -> list[tuple[int, int]]:
    """find_secrets on text already normalised."""
    words = _words(text)
    spans = sorted(set(_password_secrets(text, words) + _code_secrets(text, words)))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_secrets(text: str) -> str:
    """The text with each password and verification code replaced by MASK; the same text when it holds none."""
    if not text:
        return text
    source = normalised(text)
    spans = _spans(source)
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        pieces += [source[position:start], MASK]
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


def contains_secret(text: str) -> bool:
    return bool(find_secrets(text))
