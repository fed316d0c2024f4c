"""The one table of caption patterns: hashtags, mentions, emoji, URLs and sponsorship markers.

Every component that reads captions counts these things with the patterns below
(:class:`~skinfluence.TextStats`, the ``hashtag_rate`` of
:class:`~skinfluence.EngagementAggregator`), so the same caption gives the same
count everywhere. The patterns are RE2 regular expressions (the dialect Arrow's
``pyarrow.compute`` runs over all captions at once), Unicode-aware.

Definitions
-----------
word character
    A Unicode letter (``\\p{L}``), a Unicode digit (``\\p{N}``) or ``_``.
hashtag
    ``#`` followed by word characters, of which at least one is a letter or
    ``_``, and not preceded by a word character, ``#`` or ``&``. So ``"#été"``
    and ``"#day_1"`` are hashtags; ``"#2024 recap"``, ``"#1"`` and ``"a#b"`` are
    not, and neither is the HTML entity ``"&#39;"``.

    All-digit tags do not count because the platforms do not link them
    (Instagram and X/Twitter ignore ``#2024`` or ``#1`` as tags): in a caption
    they are numbers ("#1 fan", "#2024 recap"), not a topic the author tags.
mention
    ``@`` followed by a word character, not preceded by a word character,
    ``@`` or ``.`` (so the ``@`` of an e-mail address or of ``a.@b`` is not
    one).
URL
    A run of non-space characters starting with ``http://``, ``https://`` or
    ``www.`` (case-insensitive).
emoji
    A pictographic code point; a flag (two regional indicators) counts once,
    skin-tone modifiers do not count, each member of a zero-width-joiner
    sequence counts.
sponsorship marker
    A whole hashtag from :data:`SPONSOR_HASHTAGS` (``#ad`` matches ``#ad`` and
    ``#AD``, not ``#adidas``) or a phrase from :data:`SPONSOR_PHRASES` matched
    as whole words, case-insensitive; see :func:`sponsor_pattern`.

Examples
--------
>>> import pyarrow as pa, pyarrow.compute as pc
>>> from skinfluence.patterns import HASHTAG
>>> captions = pa.array(["#2024 recap", "#été à Paris", "mail a#b or &#39;"])
>>> pc.count_substring_regex(captions, HASHTAG).to_pylist()
[0, 1, 0]
"""

from __future__ import annotations

import re

__all__ = [
    "WORD_CHARS",
    "HASHTAG",
    "MENTION",
    "URL",
    "EMOJI",
    "WORDS",
    "SPONSOR_HASHTAGS",
    "SPONSOR_PHRASES",
    "sponsor_pattern",
]

#: The characters of a hashtag or mention body, as the inside of an RE2 character class.
WORD_CHARS = r"\p{L}\p{N}_"

#: A hashtag: ``#`` + word characters with at least one letter or ``_`` (all-digit tags do not count).
HASHTAG = rf"(?:^|[^{WORD_CHARS}#&])#[{WORD_CHARS}]*[\p{{L}}_][{WORD_CHARS}]*"

#: A mention: ``@`` + a word character, not inside a word or an e-mail address.
MENTION = rf"(?:^|[^{WORD_CHARS}@.])@[{WORD_CHARS}]"

#: A link: ``http://``, ``https://`` or ``www.`` and the non-space characters after it.
URL = r"(?i)(?:https?://|www\.)\S+"

#: One pictographic emoji (a flag once; skin-tone modifiers U+1F3FB-U+1F3FF excluded).
EMOJI = (
    r"[\x{1F1E6}-\x{1F1FF}]{2}|[\x{1F300}-\x{1F3FA}\x{1F400}-\x{1F6FF}\x{1F900}-\x{1FAFF}"
    r"\x{2600}-\x{27BF}\x{2B50}\x{2B55}\x{1F004}\x{1F0CF}]"
)

#: A whitespace-separated word.
WORDS = r"\S+"

#: Hashtags that disclose a paid or gifted post (matched whole, case-insensitive).
SPONSOR_HASHTAGS = (
    "ad", "ads", "advert", "advertisement", "advertising", "sponsored", "sponsor", "spon", "sp",
    "partner", "paidpartner", "paidpartnership", "brandpartner", "gifted", "werbung", "anzeige",
    "publicidad", "publi",
)

#: Phrases that disclose a paid post (case-insensitive, whole words).
SPONSOR_PHRASES = ("paid partnership", "sponsored by", "in partnership with")


def sponsor_pattern(markers=None) -> str:
    """One case-insensitive RE2 pattern matching any of the sponsorship ``markers``.

    Parameters
    ----------
    markers : iterable of str, default=None
        Items starting with ``#`` are whole hashtags (``"#ad"`` matches ``#AD``
        but not ``#adidas``); other items are phrases matched as whole words,
        any run of whitespace between their words. None: :data:`SPONSOR_HASHTAGS`
        and :data:`SPONSOR_PHRASES`.

    Returns
    -------
    pattern : str

    Examples
    --------
    >>> import pyarrow as pa, pyarrow.compute as pc
    >>> from skinfluence.patterns import sponsor_pattern
    >>> captions = pa.array(["#AD new serum", "#adidas run", "Paid  partnership with X"])
    >>> pc.match_substring_regex(captions, sponsor_pattern()).to_pylist()
    [True, False, True]
    """
    if markers is None:
        markers = ["#" + h for h in SPONSOR_HASHTAGS] + list(SPONSOR_PHRASES)
    hashtags, phrases = [], []
    for m in markers:
        if m.startswith("#"):
            hashtags.append(re.escape(m[1:]))
        else:
            phrases.append(r"\s+".join(re.escape(w) for w in m.split()))
    parts = []
    if hashtags:
        parts.append(rf"(?:^|[^{WORD_CHARS}#&])#(?:{'|'.join(hashtags)})(?:$|[^{WORD_CHARS}])")
    if phrases:
        parts.append(rf"(?:^|[^{WORD_CHARS}])(?:{'|'.join(phrases)})(?:$|[^{WORD_CHARS}])")
    return "(?i)" + "|".join(parts)
