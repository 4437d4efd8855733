"""Text a partner, a broken client or an attacker may type: the samples and Hypothesis strategies the property
tests and the webhook fuzz run draw from."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Repeatable in CI: the same examples on every run, no example database, no deadline on a loaded machine.
PROPERTIES = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)

CONTROL_CHARACTERS = [
    "\x00",
    "\x07",
    "\x08",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\r",
    "\t",
    "\n",
    "\u2028",
    "\u202e",
    "\u2066",
    "\ud800",
    "\udfff",
]
RIGHT_TO_LEFT = ["جمعية الأمل للتنمية", "ארגון עזרה", "منظمة", "\u200f"]
EMOJI = ["🙂", "👩🏽‍💻", "🇫🇷", "❤️", "𝕳"]
INJECTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "</textarea><script>",
    "<!-- x -->",
    "javascript:alert(1)",
    "'; DROP TABLE tickets; --",
    '" OR 1=1 --',
    "{{7*7}}",
    "${jndi:ldap://x}",
    "%s%s%n",
    "../../etc/passwd",
]

# Any character Hypothesis likes, and the pieces above, which it would rarely make on its own.
hostile_pieces = st.one_of(
    st.characters(exclude_categories=[]),
    st.sampled_from(CONTROL_CHARACTERS + EMOJI + RIGHT_TO_LEFT + INJECTIONS + ["<", ">", "'", '"', "&", "\\", " "]),
)
hostile_text = st.lists(hostile_pieces, max_size=40).map("".join)
# Printable words as partners write them: letters of any script, digits, punctuation, emoji; no markup.
plain_words = st.lists(
    st.lists(
        st.one_of(st.characters(categories=["L", "N", "M"]), st.sampled_from(list(".,;:!?()-'&@#%+*=") + EMOJI)),
        min_size=1,
        max_size=12,
    ).map("".join),
    min_size=1,
    max_size=8,
)
