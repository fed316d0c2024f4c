"""make_creators: synthetic creators with ground truth for every task of skinfluence.

The generator draws accounts (profiles, latent traits), their posts (captions,
engagement, timestamps, optionally images) and a few brands, and returns the
account frame together with every ground-truth quantity a skinfluence task can
be scored against. All numbers are drawn with numpy, vectorised over accounts
and posts; captions are assembled in Arrow. See ``docs/synthetic.md``.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils import Bunch, check_random_state

from ..nested import nest_posts
from ..tiers import follower_tier
from ..utils._param_validation import (
    Integral,
    Interval,
    InvalidParameterError,
    Real,
    StrOptions,
    validate_params,
)
from ._readers import _as_text

__all__ = ["make_creators"]

# --------------------------------------------------------------------------- vocabularies
# name -> (topic words, hashtags, emoji, engagement multiplier). Words are listed
# roughly from most to least frequent (they are drawn with Zipf-like weights);
# some words are deliberately shared between neighbouring topics.

_TOPICS: dict[str, tuple[str, str, str, float]] = {
    "fashion": (
        "outfit style look dress jacket jeans denim sneakers boots heels handbag blazer "
        "vintage streetwear collection runway designer trend fit wardrobe coat skirt silk "
        "linen tailoring accessories sunglasses thrifted capsule layering knit oversized "
        "minimalist monochrome shopping season lookbook boutique stylist hoodie belt scarf",
        "#ootd #fashion #style #outfitoftheday #streetstyle #whatiwore",
        "👗 👠 👜 🕶️ 🛍️ 👢",
        1.0,
    ),
    "beauty": (
        "makeup skincare lipstick foundation glow serum mascara eyeshadow palette routine "
        "skin moisturizer blush highlighter concealer brows lashes nails cleanser toner "
        "spf glam tutorial shade primer bronzer contour cruelty-free fragrance haircare "
        "curls hydration acne retinol dewy matte swatch lipgloss vegan look",
        "#makeup #skincare #beauty #motd #glowup #makeuptutorial",
        "💄 💅 ✨ 💋 🧴 🪞",
        1.05,
    ),
    "fitness": (
        "workout gym training squat deadlift reps sets cardio hiit protein gains muscle "
        "strength running run stretch yoga core abs legday coach personal record pr "
        "mobility endurance sweat healthy glow transformation plank lift warmup recovery "
        "marathon burpees kettlebell program progress discipline",
        "#fitness #gym #workout #fitfam #legday #motivation",
        "💪 🏋️ 🏃 🔥 🥇 🧘",
        1.1,
    ),
    "food": (
        "recipe dinner lunch breakfast delicious homemade pasta pizza cake baking bread "
        "dessert chocolate tasty brunch salad soup spicy sauce chef kitchen cooking "
        "restaurant foodie flavor vegan healthy protein noodles sushi tacos cookies "
        "ingredients oven roasted grilled avocado cheese coffee",
        "#food #foodie #recipe #homemade #yummy #foodporn",
        "🍕 🍝 🥑 🍰 🍜 🍳",
        1.0,
    ),
    "travel": (
        "travel trip beach island mountains hotel flight airport adventure explore city "
        "sunset wanderlust vacation passport roadtrip backpacking hiking ocean resort "
        "destination itinerary views journey coast village paradise abroad luggage "
        "tour sightseeing landscape lake cruise camping scenery guide",
        "#travel #wanderlust #travelgram #vacation #explore #instatravel",
        "✈️ 🌍 🏝️ 🗺️ 🏔️ 🌅",
        1.15,
    ),
    "tech": (
        "phone laptop setup review unboxing gadget smartphone camera battery app software "
        "update keyboard monitor specs chip processor wireless earbuds smartwatch tablet "
        "design coding developer ai startup charger performance display benchmark "
        "android ios desk cable upgrade feature launch release",
        "#tech #gadgets #unboxing #setup #technology #techreview",
        "📱 💻 ⌨️ 🎧 🔋 🤖",
        0.75,
    ),
    "gaming": (
        "game gaming stream live twitch console controller level boss quest playthrough "
        "squad ranked match win clip gamer pc fps rpg multiplayer loot patch speedrun "
        "esports tournament headset character lobby noob gg respawn season achievement "
        "joystick skins map build raid",
        "#gaming #gamer #twitch #videogames #gamingcommunity #gg",
        "🎮 🕹️ 👾 🏆 🎯 🔫",
        0.9,
    ),
    "pets": (
        "dog puppy cat kitten pup doggo paws walk treats vet fur cuddles rescue adopt "
        "leash park fetch breed golden retriever tabby meow woof bark toy bath grooming "
        "pet cute sleepy nap furbaby kibble shelter tail whiskers bestboy goodgirl",
        "#dogsofinstagram #catsofinstagram #pets #puppy #adoptdontshop #petlovers",
        "🐶 🐱 🐾 🦴 🐕 🐈",
        1.3,
    ),
    "music": (
        "song music album single studio track guitar piano concert tour stage live "
        "singer band lyrics beat producer mix vocals acoustic cover gig setlist release "
        "drums bass melody rehearsal mic festival vinyl playlist record chorus remix dj",
        "#music #newmusic #singer #livemusic #musician #songwriter",
        "🎵 🎸 🎤 🎹 🎧 🥁",
        1.1,
    ),
    "parenting": (
        "baby kids toddler mom dad parenting family newborn nursery school bedtime "
        "pregnancy momlife dadlife siblings daycare diapers playtime naps milestone "
        "breastfeeding stroller birthday homeschool teething tantrum motherhood "
        "sleepless giggles crafts lunchbox storytime bump littleone",
        "#momlife #parenting #motherhood #babyboy #familytime #dadlife",
        "👶 🍼 👨‍👩‍👧 🧸 🎈 🤱",
        1.05,
    ),
    "sports": (
        "match team goal football soccer basketball tennis season coach league score "
        "win championship training player stadium fans final game court pitch "
        "tournament derby trophy victory defense halftime playoffs jersey athlete "
        "club transfer kickoff sprint medal race",
        "#sports #football #soccer #basketball #gameday #athlete",
        "⚽ 🏀 🎾 🏆 🥅 🏈",
        1.0,
    ),
    "art": (
        "painting art drawing sketch canvas artist illustration watercolor acrylic "
        "portrait gallery exhibition studio brush ink design commission sketchbook "
        "mural sculpture ceramics abstract palette print colors creative process "
        "charcoal digital artwork linework texture framed",
        "#art #artist #painting #illustration #drawing #artwork",
        "🎨 🖌️ 🖼️ ✏️ 🖍️ 🧑‍🎨",
        1.1,
    ),
    "books": (
        "book reading novel read author chapter library bookshelf fiction story "
        "review series fantasy thriller romance bookclub pages writing poetry "
        "memoir paperback hardcover tbr bestseller characters plot sequel kindle "
        "bookstore quotes literature reread annotate",
        "#bookstagram #books #reading #booklover #bookworm #amreading",
        "📚 📖 ✍️ 🔖 ☕ 📕",
        0.9,
    ),
    "home": (
        "home interior decor living room bedroom kitchen renovation diy plants cozy "
        "design furniture sofa shelf makeover apartment minimalist rug lamp garden "
        "paint wallpaper styling candles organize cleaning storage lighting "
        "bathroom tiles vintage house",
        "#homedecor #interiordesign #home #diy #cozyhome #homesweethome",
        "🏡 🛋️ 🪴 🕯️ 🛏️ 🧹",
        0.95,
    ),
    "finance": (
        "money investing stocks budget savings crypto market portfolio income wealth "
        "retirement dividends finance debt credit side hustle passive tips trading "
        "taxes economy inflation etf index fund financial freedom salary business "
        "startup entrepreneur growth strategy",
        "#finance #investing #money #personalfinance #stocks #entrepreneur",
        "💰 📈 💸 🏦 📊 🪙",
        0.7,
    ),
    "automotive": (
        "car cars drive engine turbo horsepower racing track wheels garage build "
        "detailing supercar roadtrip electric ev tesla mustang restoration exhaust "
        "tires dashboard motorcycle bike classic mechanic tuning carmeet speed "
        "drift rims hybrid test-drive",
        "#cars #carsofinstagram #automotive #carlifestyle #supercars #carporn",
        "🚗 🏎️ 🏁 🔧 🏍️ 🛞",
        0.85,
    ),
}

# Post categories beyond the account topics: they occur only as off-topic posts.
_EXTRA_CATEGORIES: dict[str, tuple[str, str, str, float]] = {
    "daily life": (
        "morning coffee routine errands commute weekend chores groceries sunday "
        "monday lazy afternoon rainy home nap walk brunch friends chill tired "
        "everyday grateful simple cozy evening",
        "#dailylife #everyday #sundayvibes #mondaymood",
        "☕ 🌤️ 🛋️ 🌧️ 😴",
        1.0,
    ),
    "promotion": (
        "discount code giveaway sale link bio partnership collab offer limited "
        "deal shop launch exclusive promo win enter free shipping swipe",
        "#giveaway #promo #discount #collab",
        "🎁 🛒 🔗 💥 🎉",
        0.8,
    ),
    "selfie": (
        "selfie me face smile mirror hair mood vibe golden hour candid new cut "
        "feeling myself filter nofilter",
        "#selfie #me #nofilter #selfielove",
        "🤳 😊 😎 💁",
        1.0,
    ),
    "quotes": (
        "quote believe dream inspire motivation mindset positive keep going never "
        "give up grateful blessed journey purpose",
        "#quotes #motivation #mindset #inspiration",
        "💭 🙏 🌟 💯",
        1.0,
    ),
    "events": (
        "event party launch night gala premiere conference festival invited "
        "celebration backstage crowd venue tickets",
        "#event #party #night #celebration",
        "🎉 🥂 🎊 🎟️",
        1.0,
    ),
    "throwback": (
        "throwback memories back then years ago missing old photo nostalgia "
        "remember childhood flashback tbt",
        "#tbt #throwback #memories #flashbackfriday",
        "⏪ 📸 🕰️ 💭",
        1.0,
    ),
    "nature": (
        "nature sunrise forest flowers trees sky clouds river rain spring autumn "
        "snow wildlife birds green fresh air",
        "#nature #naturelovers #sky #flowers",
        "🌿 🌸 🌲 🌈 🦋",
        1.0,
    ),
    "memes": (
        "meme relatable mood literally me when you realize tag someone funny "
        "joke lmao dead crying",
        "#memes #funny #relatable #lol",
        "😂 🤣 💀 🙃",
        1.0,
    ),
}

_FILLER = (
    "today love so happy new my the and with this that just really amazing best day time "
    "week weekend morning night friends life vibes feeling great little big finally back "
    "again always never more first last check out thanks thank you all everyone who what "
    "when here there some favorite moment moments goals mood story share comment below tag "
    "excited can't wait soon coming update guys omg wow yes lol fun good perfect beautiful "
    "nice cute of for in on at to a is it was be our your we"
).split()

_FOREIGN = (
    "café très schön über niño mañana ação güzel とても かわいい 美味しい красиво спасибо "
    "سعيد धन्यवाद 최고 漂亮 obrigada grazie ciao hermosa merci danke jolie liebe genç "
    "señora straße"
).split()

_GENERIC_HASHTAGS = (
    "#instagood #photooftheday #love #instadaily #reels #explore #fyp #picoftheday "
    "#happy #weekend"
).split()
_SPONSOR_HASHTAGS = ("#ad", "#sponsored", "#partner")
_GENERIC_EMOJI = "❤️ ✨ 😍 🔥 🙌 😂 🥰 💯".split()

_BRAND_NAMES = (
    "Lumora", "Northwind", "Velvet & Vine", "Peakform", "Saffron Table", "Atlas Trails",
    "Circuitry", "Pixel Forge", "Paw & Co", "Echo Sound", "Little Sprout", "Glowhaus",
    "Stride Athletics", "Inkwell", "Hearth & Home", "Ledger Lane", "Torque", "Marigold",
    "Bluefin", "Quill & Page",
)
_FIRST_NAMES = (
    "mia", "leo", "ava", "noah", "zoe", "liam", "emma", "kai", "nora", "eli", "luna", "max",
    "iris", "sam", "ruby", "finn", "jade", "omar", "lea", "yuki", "ana", "ravi", "sofia", "tom",
)
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "re", "po", "la", "zu", "fe", "ni",
    "go", "ba", "ti", "ke", "mo", "sa", "ru", "ve", "xo",
)

# Share of accounts per follower band: below 1k (tier "nano"), nano, micro, mid, macro, mega.
_BAND_SHARES = np.array([0.06, 0.40, 0.33, 0.13, 0.05, 0.03])
_BAND_LOW = np.array([10.0, 1e3, 1e4, 1e5, 5e5, 1e6])
_BAND_HIGH = np.array([1e3, 1e4, 1e5, 5e5, 1e6, 5e7])
#: Share of accounts with exactly zero followers.
ZERO_FOLLOWER_RATE = 0.005

#: Timestamps lie in the year before this instant (fixed, so outputs are reproducible).
END_TIME = pd.Timestamp("2025-01-01", tz="UTC")
_YEAR_S = 365 * 24 * 3600

# caption generation rates
_EMPTY_CAPTION_RATE = 0.03
_NOISE_WORD_RATE = 0.15  # a word of a random category (cross-topic noise)
# Per account "focus" f ~ Beta(0.9, 2.5) scales the category-specific tokens:
_TOPIC_WORD_RATE = 0.5  # a word is a category word with probability 0.5 f
_TOPIC_TAG_RATE = 0.85  # a hashtag is a category hashtag with probability 0.85 f
_TOPIC_EMOJI_RATE = 0.9  # an emoji is a category emoji with probability 0.9 f
_FOREIGN_RATE = 0.08
_EMOJI_RATE = 0.6
_MENTION_RATE = 0.12


def _pseudo_vocab(seed: int, n_words: int) -> tuple[str, str, str, float]:
    """A deterministic vocabulary of made-up words for topics beyond the named ones."""
    rs = np.random.RandomState(seed)
    words = []
    seen = set()
    while len(words) < n_words:
        k = rs.randint(2, 4)
        w = "".join(rs.choice(_SYLLABLES, size=k))
        if w not in seen:
            seen.add(w)
            words.append(w)
    tags = " ".join("#" + w for w in words[:4])
    emoji = " ".join(rs.choice(["🔷", "🔶", "🟢", "🟣", "⭐", "🌀", "🔺", "🟡"], size=3, replace=False))
    return " ".join(words), tags, emoji, 1.0


def _category_specs(n_topics: int, n_post_categories: int):
    named = list(_TOPICS)
    names, specs = [], []
    for k in range(n_topics):
        if k < len(named):
            names.append(named[k])
            specs.append(_TOPICS[named[k]])
        else:
            names.append(f"topic_{k}")
            specs.append(_pseudo_vocab(10_000 + k, 40))
    extra = list(_EXTRA_CATEGORIES)
    for j in range(n_post_categories - n_topics):
        if j < len(extra):
            names.append(extra[j])
            specs.append(_EXTRA_CATEGORIES[extra[j]])
        else:
            names.append(f"category_{n_topics + j}")
            specs.append(_pseudo_vocab(20_000 + j, 25))
    return names, specs


# --------------------------------------------------------------------------- validation

#: Where a seed may come from: sklearn's random_state values, or a numpy Generator.
_RANDOM_STATE_CONSTRAINT = ["random_state", np.random.Generator]
#: A count, or an inclusive (low, high) range of counts (the pair is checked by _count_range).
_COUNT_RANGE_CONSTRAINT = [Interval(Integral, 0, None, closed="left"), tuple, list]


def _count_range(name: str, value, caller: str) -> tuple[int, int]:
    """``(low, high)`` of a count or an inclusive range of counts, checked as a pair."""
    if isinstance(value, (tuple, list)):
        ints = len(value) == 2 and all(
            isinstance(v, Integral) and not isinstance(v, bool) for v in value)
        if not (ints and 0 <= value[0] <= value[1]):
            raise InvalidParameterError(
                f"The {name!r} parameter of {caller} must be an int >= 0 or a (low, high) pair "
                f"of ints with 0 <= low <= high. Got {value!r} instead."
            )
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _as_generator(random_state) -> np.random.Generator:
    """One numpy Generator from None, an int, a RandomState or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    rs = check_random_state(random_state)
    return np.random.default_rng(rs.randint(0, 2**31 - 1, size=4))


# --------------------------------------------------------------------------- images


def _png_bytes(img: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 array as an 8-bit RGB PNG (no filter, stored deflate blocks)."""
    h, w, _ = img.shape
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" for every scanline
    raw[:, 1:] = img.reshape(h, 3 * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    # Level 0 (stored blocks) is still a valid PNG: the images are noisy on purpose, so
    # deflating only saves ~7% of the size and costs ~15x the time (80 us per 32x32 image).
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 0)) + chunk(b"IEND", b""))


def _hsv_to_rgb(h, s, v):
    """Vectorised HSV -> RGB, all in [0, 1]; returns shape (..., 3)."""
    i = np.floor(h * 6.0).astype(int) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1)


def _category_image_style(n_categories: int):
    """Per category: hue, stripe frequency (cycles per image), orientation, checker flag."""
    c = np.arange(n_categories)
    hue = (c * 0.6180339887) % 1.0
    freq = 1.5 + (c % 4) * 1.5
    angle = ((c * 3) % 8) * np.pi / 8
    checker = (c // 4) % 2 == 1
    return hue, freq, angle, checker


def _make_images(category, image_size, rng, chunk=2048):
    """uint8 images (n, s, s, 3) whose colour and texture depend on ``category``."""
    n = len(category)
    n_cat = int(category.max()) + 1 if n else 1
    hue, freq, angle, checker = _category_image_style(n_cat)
    # per-image jitter, drawn once for all images (deterministic whatever the chunking)
    h = (hue[category] + rng.normal(0, 0.03, n)) % 1.0
    s = np.clip(rng.normal(0.65, 0.1, n), 0.25, 1.0)
    v = np.clip(rng.normal(0.8, 0.1, n), 0.35, 1.0)
    phase = rng.uniform(0, 2 * np.pi, n)
    ang = angle[category] + rng.normal(0, 0.08, n)
    fr = freq[category] * rng.uniform(0.9, 1.1, n)
    base = _hsv_to_rgb(h, s, v)  # (n, 3)
    out = np.empty((n, image_size, image_size, 3), dtype=np.uint8)
    grid = np.arange(image_size, dtype=np.float32) / image_size
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        m = sl.stop - sl.start
        a = ang[sl, None, None].astype(np.float32)
        f = fr[sl, None, None].astype(np.float32)
        ph = phase[sl, None, None].astype(np.float32)
        u = xx * np.cos(a) + yy * np.sin(a)
        pattern = np.sin(2 * np.pi * f * u + ph)
        w = -xx * np.sin(a) + yy * np.cos(a)
        chk = checker[category[sl]][:, None, None]
        pattern = np.where(chk, np.sign(pattern * np.sin(2 * np.pi * f * w + ph)), pattern)
        shade = 0.6 + 0.4 * pattern  # in [0.2, 1]
        img = base[sl, None, None, :].astype(np.float32) * shade[..., None] * 255.0
        # uniform pixel noise (sd 14) from raw random bytes: much faster than normals
        noise = np.frombuffer(rng.bytes(m * image_size * image_size * 3), dtype=np.uint8)
        img += (noise.reshape(img.shape).astype(np.float32) - 127.5) * np.float32(14 * 12**0.5 / 256)
        out[sl] = np.clip(img, 0, 255).astype(np.uint8)
    return out


# --------------------------------------------------------------------------- captions


def _build_token_table(specs, usernames, brand_handles):
    """All caption tokens in one array plus index ranges per kind and per category."""
    tokens: list[str] = []
    word_start, word_len, word_cum = [], [], []
    tag_start, tag_len, emo_start, emo_len = [], [], [], []
    for c, (words, tags, emoji, _) in enumerate(specs):
        w = words.split()
        word_start.append(len(tokens))
        word_len.append(len(w))
        tokens.extend(w)
        weights = 1.0 / np.arange(1, len(w) + 1) ** 0.8
        word_cum.append(c + np.cumsum(weights) / weights.sum())
        t = tags.split()
        tag_start.append(len(tokens))
        tag_len.append(len(t))
        tokens.extend(t)
        e = emoji.split()
        emo_start.append(len(tokens))
        emo_len.append(len(e))
        tokens.extend(e)
    ranges = {}
    for name, items in (("filler", _FILLER), ("foreign", _FOREIGN),
                        ("generic_tag", _GENERIC_HASHTAGS), ("sponsor_tag", _SPONSOR_HASHTAGS),
                        ("generic_emoji", _GENERIC_EMOJI),
                        ("user", ["@" + u for u in usernames]),
                        ("brand", ["@" + b for b in brand_handles])):
        ranges[name] = (len(tokens), len(items))
        tokens.extend(items)
    # global word index of each (category, rank) for the searchsorted trick
    flat_word_ids = np.concatenate([s + np.arange(n) for s, n in zip(word_start, word_len, strict=True)])
    return dict(
        tokens=pa.array(tokens, type=pa.string()),
        word_cum=np.concatenate(word_cum),
        word_ids=flat_word_ids,
        word_start=np.array(word_start), word_len=np.array(word_len),
        tag_start=np.array(tag_start), tag_len=np.array(tag_len),
        emo_start=np.array(emo_start), emo_len=np.array(emo_len),
        ranges=ranges,
    )


def _pick(rng, start, length, size):
    """Uniform token ids from ranges ``[start, start + length)`` (arrays or scalars)."""
    return np.asarray(start) + np.floor(rng.random(size) * np.asarray(length)).astype(np.int64)


def _captions(rng, category, post_account, focus, sponsored, n_categories, table):
    """One caption per post, assembled as token lists and joined in Arrow."""
    n = len(category)
    ranges = table["ranges"]
    empty = rng.random(n) < _EMPTY_CAPTION_RATE
    parts_post, parts_key, parts_tok = [], [], []

    def add(post, key, tok):
        parts_post.append(np.asarray(post, dtype=np.int64))
        parts_key.append(np.asarray(key, dtype=np.float64))
        parts_tok.append(np.asarray(tok, dtype=np.int64))

    # words: topic words of the post's category, cross-category noise, filler
    n_words = np.where(empty, 0, 2 + rng.poisson(5.0, n))
    wp = np.repeat(np.arange(n), n_words)
    nw = len(wp)
    u = rng.random(nw)
    pt = _TOPIC_WORD_RATE * focus[post_account[wp]]
    is_topic = u < pt
    is_noise = ~is_topic & (u < pt + _NOISE_WORD_RATE)
    wcat = np.where(is_noise, rng.integers(0, n_categories, nw), category[wp])
    pos = np.searchsorted(table["word_cum"], wcat + rng.random(nw) * 0.999999)
    pos = np.minimum(pos, len(table["word_ids"]) - 1)
    topic_tok = table["word_ids"][pos]
    fs, fl = ranges["filler"]
    filler_tok = _pick(rng, fs, fl, nw)
    add(wp, rng.random(nw), np.where(is_topic | is_noise, topic_tok, filler_tok))

    live = ~empty
    # an occasional non-English word
    m = live & (rng.random(n) < _FOREIGN_RATE)
    idx = np.flatnonzero(m)
    s, ln = ranges["foreign"]
    add(idx, rng.random(len(idx)), _pick(rng, s, ln, len(idx)))
    # an occasional @mention: another creator, or the brand on sponsored posts
    m = live & ((rng.random(n) < _MENTION_RATE) | sponsored)
    idx = np.flatnonzero(m)
    s_u, l_u = ranges["user"]
    s_b, l_b = ranges["brand"]
    if l_b:
        tok = np.where(sponsored[idx], _pick(rng, s_b, l_b, len(idx)), _pick(rng, s_u, l_u, len(idx)))
    else:
        tok = _pick(rng, s_u, l_u, len(idx))
    add(idx, 0.2 + rng.random(len(idx)), tok)
    # emoji: one or two, mostly of the category
    m = live & (rng.random(n) < _EMOJI_RATE)
    n_emo = np.where(m, rng.integers(1, 3, n), 0)
    ep = np.repeat(np.arange(n), n_emo)
    ecat = category[ep]
    s_g, l_g = ranges["generic_emoji"]
    tok = np.where(rng.random(len(ep)) < _TOPIC_EMOJI_RATE * focus[post_account[ep]],
                   _pick(rng, table["emo_start"][ecat], table["emo_len"][ecat], len(ep)),
                   _pick(rng, s_g, l_g, len(ep)))
    add(ep, 1.0 + rng.random(len(ep)) * 0.5, tok)
    # hashtags: 1-4, category or generic, a sponsor tag first on sponsored posts
    n_tags = np.where(live, rng.integers(1, 5, n), 0)
    hp = np.repeat(np.arange(n), n_tags)
    rank = np.arange(len(hp)) - np.repeat(np.cumsum(n_tags) - n_tags, n_tags)
    hcat = category[hp]
    s_g, l_g = ranges["generic_tag"]
    tok = np.where(rng.random(len(hp)) < _TOPIC_TAG_RATE * focus[post_account[hp]],
                   _pick(rng, table["tag_start"][hcat], table["tag_len"][hcat], len(hp)),
                   _pick(rng, s_g, l_g, len(hp)))
    s_s, l_s = ranges["sponsor_tag"]
    first_sponsored = (rank == 0) & sponsored[hp]
    tok = np.where(first_sponsored, _pick(rng, s_s, l_s, len(hp)), tok)
    add(hp, 2.0 + rank, tok)

    post = np.concatenate(parts_post)
    key = np.concatenate(parts_key)
    tok = np.concatenate(parts_tok)
    order = np.lexsort((key, post))
    counts = np.bincount(post, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    words = table["tokens"].take(pa.array(tok[order]))
    lists = pa.ListArray.from_arrays(pa.array(offsets), words)
    return pc.binary_join(lists, " ")


# --------------------------------------------------------------------------- generator


def _draw_accounts(rng, n: int, n_topics: int, specs, emerging: float) -> Bunch:
    """Accounts: topic, followers and tier, latent traits, engagement rate, usernames."""
    topic = rng.permutation(np.resize(np.arange(n_topics), n))
    band = rng.choice(len(_BAND_SHARES), size=n, p=_BAND_SHARES)
    lo, hi = np.log(_BAND_LOW[band]), np.log(_BAND_HIGH[band])
    log_f = np.where(band == 5, lo + np.minimum(rng.exponential(1.0, n), hi - lo),
                     lo + rng.random(n) * (hi - lo))
    followers = np.floor(np.exp(log_f)).astype(np.int64)
    zero = rng.random(n) < ZERO_FOLLOWER_RATE
    followers[zero] = 0
    band[zero] = 0  # zero-follower accounts sit in the lowest band (tier "nano")
    tier = follower_tier(followers)  # the library's one tier definition (skinfluence.tiers)

    quality = rng.beta(2.5, 2.5, n)
    bought = rng.random(n) < 0.15
    fake_share = np.where(bought, rng.beta(4.0, 3.0, n), rng.beta(1.5, 12.0, n))
    is_emerging = np.zeros(n, dtype=bool)
    is_emerging[rng.permutation(n)[: int(round(emerging * n))]] = True
    growth_rate = np.where(is_emerging, rng.uniform(1.0, 2.5, n), rng.uniform(-0.3, 0.0, n))

    topic_mult = np.array([spec[3] for spec in specs])
    real_followers = followers * (1.0 - fake_share)
    base_rate = 0.06 * (np.maximum(followers, 100) / 1000.0) ** -0.2
    engagement_rate = (base_rate * topic_mult[topic] * np.exp(1.2 * (quality - 0.5))
                       * np.exp(rng.normal(0, 0.3, n)))
    explore = rng.lognormal(np.log(3.0), 0.5, n)  # likes from non-followers (hashtags, explore)
    expected_likes = real_followers * engagement_rate + explore
    influence = np.log10(1.0 + expected_likes)

    following = np.minimum(
        np.floor(rng.lognormal(np.log(350.0), 0.9, n) * (1.0 + 3.0 * fake_share)), 7500
    ).astype(np.int64)
    username_ids = rng.integers(0, len(_FIRST_NAMES), n)
    usernames = [f"{_FIRST_NAMES[k]}.{_SYLLABLES[j]}{i}" for i, (k, j) in enumerate(
        zip(username_ids, rng.integers(0, len(_SYLLABLES), n), strict=True))]
    return Bunch(topic=topic, followers=followers, tier=tier, quality=quality,
                 fake_share=fake_share, is_emerging=is_emerging, growth_rate=growth_rate,
                 real_followers=real_followers, engagement_rate=engagement_rate, explore=explore,
                 influence=influence, following=following, usernames=usernames)


def _draw_posts(rng, acc: Bunch, low: int, high: int, off_topic: float,
                n_post_categories: int) -> Bunch:
    """Posts: how many per account, their categories and (chronological) times."""
    n = len(acc.topic)
    counts = rng.integers(low, high + 1, n) if high > low else np.full(n, low, dtype=np.int64)
    n_total = int(counts.sum())
    post_account = np.repeat(np.arange(n), counts)
    profile_posts = counts + np.where(rng.random(n) < 0.03, 0,
                                      np.floor(rng.lognormal(np.log(120.0), 1.1, n))).astype(np.int64)

    category = acc.topic[post_account].copy()
    if n_post_categories > 1:
        off = rng.random(n_total) < off_topic
        shift = rng.integers(1, n_post_categories, n_total)  # any category but the topic
        category = np.where(off, (category + shift) % n_post_categories, category)
    else:
        off = np.zeros(n_total, dtype=bool)

    per_week = np.clip(rng.lognormal(np.log(1.5), 0.7, n), 0.2, 21.0)
    span = np.minimum(counts / per_week * 7 * 86400, 0.95 * _YEAR_S)
    last = _YEAR_S - np.minimum(rng.exponential(3 * 86400, n), _YEAR_S - span)
    first = last - span
    t = first[post_account] + rng.random(n_total) * span[post_account]
    order = np.lexsort((t, post_account))  # chronological within each account
    t = t[order]
    return Bunch(n_total=n_total, account=post_account, profile_posts=profile_posts,
                 category=category, off=off, seconds=t)


def _draw_engagement(rng, acc: Bunch, posts: Bunch, n_topics: int,
                     n_post_categories: int) -> Bunch:
    """Per-post likes, comments, shares and views, and which posts are sponsored."""
    n, n_total, pa_ = len(acc.topic), posts.n_total, posts.account
    age = posts.seconds / _YEAR_S  # 0 = a year before END_TIME, 1 = END_TIME
    sponsor_rate = rng.beta(1.0, 12.0, n)
    sponsored = rng.random(n_total) < sponsor_rate[pa_]
    if n_post_categories > n_topics:  # "promotion"-like extra categories are sponsored more
        sponsored |= (posts.category == n_topics + 1) & (rng.random(n_total) < 0.5)
    growth = np.exp(acc.growth_rate[pa_] * (age - 1.0))
    lam = (acc.real_followers[pa_] * acc.engagement_rate[pa_] * growth
           * np.where(posts.off, 0.85, 1.0) * np.where(sponsored, 0.8, 1.0)
           * rng.lognormal(0.0, 0.45, n_total) + acc.explore[pa_] * growth)
    likes = rng.poisson(lam)
    comment_ratio = rng.lognormal(np.log(0.03), 0.4, n)
    comments = rng.poisson(likes * comment_ratio[pa_] * rng.lognormal(0, 0.3, n_total))
    share_ratio = rng.lognormal(np.log(0.015), 0.5, n)
    shares = rng.poisson(likes * share_ratio[pa_] * rng.lognormal(0, 0.3, n_total))
    view_ratio = rng.lognormal(np.log(9.0), 0.4, n)
    views = likes + rng.poisson(likes * view_ratio[pa_]
                                * rng.lognormal(0, 0.3, n_total) + 1.0)
    return Bunch(sponsored=sponsored, likes=likes, comments=comments, shares=shares, views=views)


def _draw_brands(rng, acc: Bunch, n_brands: int, n_topics: int, topic_names) -> Bunch:
    """Brands with a category, their handles, and their affinity with every account."""
    n = len(acc.topic)
    brand_cat = rng.permutation(np.resize(rng.permutation(n_topics), n_brands)) if n_brands else \
        np.zeros(0, dtype=np.int64)
    brand_names = [_BRAND_NAMES[b] if b < len(_BRAND_NAMES) else f"Brand {b}"
                   for b in range(n_brands)]
    handles = [re.sub(r"[^a-z0-9]+", "", b.lower()) for b in brand_names]
    brands = pd.DataFrame({
        "brand_id": np.arange(n_brands, dtype=np.int64),
        "name": pd.Series(brand_names, dtype=object),
        "category": pd.Series(topic_names[brand_cat], dtype=object),
    })
    log_real_rate = np.log(acc.engagement_rate * (1.0 - acc.fake_share) + 1e-6)
    z_eng = (log_real_rate - log_real_rate.mean()) / (log_real_rate.std() + 1e-12)
    match = brand_cat[:, None] == acc.topic[None, :]
    logit = (-2.0 + 3.2 * match + 2.5 * (acc.quality - 0.5)[None, :] + 0.6 * z_eng[None, :]
             + rng.normal(0, 0.6, (n_brands, n)))
    affinity = 1.0 / (1.0 + np.exp(-logit))
    relevance = np.digitize(affinity, [0.25, 0.5, 0.75]).astype(np.int64)
    return Bunch(frame=brands, handles=handles, affinity=affinity, relevance=relevance,
                 cat=brand_cat)


def _brand_accounts(rng, brands: Bunch, acc: Bunch, specs, cat_names, low: int, high: int,
                    n_post_categories: int, images, image_size: int, image_dir,
                    positives_per_brand: int) -> Bunch:
    """Brand accounts with post histories, competence and MIR-style positive creators.

    Drawn after everything else, so that asking for them leaves the creators, their
    posts and the brands' affinities exactly as without them.
    """
    n_brands, n = len(brands.handles), len(acc.topic)
    handles = brands.handles
    counts = rng.integers(low, high + 1, n_brands) if high > low else \
        np.full(n_brands, low, dtype=np.int64)
    owner = np.repeat(np.arange(n_brands), counts)
    n_total = int(counts.sum())
    # a brand posts in its category, with an occasional off-category post
    category = brands.cat[owner].copy()
    if n_post_categories > 1:
        off = rng.random(n_total) < 0.1
        shift = rng.integers(1, n_post_categories, n_total)
        category = np.where(off, (category + shift) % n_post_categories, category)
    focus = rng.uniform(0.6, 1.0, n_brands)  # brands write on topic
    table = _build_token_table(specs, acc.usernames, handles)
    text = _captions(rng, category, owner, focus, np.zeros(n_total, dtype=bool),
                     n_post_categories, table)
    # the brand's own handle and product tag on most posts
    handle = np.array(handles, dtype=object)[owner]
    mention = np.where(rng.random(n_total) < 0.7, "@" + handle, "")
    product = np.where(rng.random(n_total) < 0.5, "#" + handle + "_" + np.array(
        ["new", "drop", "collection", "launch", "edition"], dtype=object)[
        rng.integers(0, 5, n_total)], "")
    suffix = pa.array([" ".join(x for x in (m, t) if x) for m, t in zip(mention, product,
                                                                        strict=True)])
    text = pc.utf8_trim_whitespace(pc.binary_join_element_wise(text, suffix, " "))
    followers = np.floor(rng.lognormal(np.log(2e5), 1.2, n_brands)).astype(np.int64)
    seconds = np.sort(rng.random(n_total) * _YEAR_S)
    seconds = seconds[np.argsort(owner, kind="stable")]
    likes = rng.poisson(followers[owner] * rng.lognormal(np.log(0.01), 0.5, n_total))
    profiles = pd.DataFrame({
        "account_id": np.arange(n_brands, dtype=np.int64),
        "username": _as_text(pd.Series(handles)),
        "followers": followers,
        "following": rng.integers(10, 1000, n_brands).astype(np.int64),
        "n_posts": counts + rng.integers(0, 500, n_brands),
    })
    fields = {
        "account_id": owner,
        "post_id": np.arange(n_total, dtype=np.int64),
        "text": pd.arrays.ArrowExtensionArray(text),
    }
    pixels = None
    if images is not None:
        folder = None if image_dir is None else Path(image_dir) / "brands"
        pixels, fields["image"] = _post_images(rng, category, images, image_size, folder)
    fields.update({
        "likes": likes.astype(np.int64),
        "comments": rng.poisson(likes * 0.02).astype(np.int64),
        "views": (likes * rng.uniform(5, 15, n_total)).astype(np.int64),
        "shares": rng.poisson(likes * 0.01).astype(np.int64),
        "timestamp": pd.DatetimeIndex((END_TIME - pd.Timedelta(seconds=_YEAR_S))
                                      + pd.to_timedelta(np.round(seconds).astype(np.int64),
                                                        unit="s")).as_unit("ns"),
        "label": pd.arrays.ArrowExtensionArray(
            pa.array(np.array(cat_names, dtype=object)[category], type=pa.string())),
    })
    frame = nest_posts(profiles, pd.DataFrame(fields), on="account_id")
    # positives: creators each brand works with, drawn by competence (Gumbel top-k);
    # about positives_per_brand each, like the ~11 of Gan et al.'s data. A creator
    # already working with brands is less available (a penalty per collaboration), so
    # that, as in that data, most creators work with one brand only
    competence = brands.affinity
    n_pos = np.minimum(1 + rng.poisson(max(positives_per_brand - 1, 0), n_brands), n)
    keys = 3.0 * np.log(competence) + rng.gumbel(size=competence.shape)
    taken = np.zeros(n)
    chosen_of = {}
    for b in rng.permutation(n_brands):
        chosen_of[b] = np.argsort(-(keys[b] - 4.0 * taken), kind="stable")[: n_pos[b]]
        taken[chosen_of[b]] += 1
    rows = []
    for b in range(n_brands):
        chosen = chosen_of[b]
        chosen = chosen[np.argsort(-competence[b, chosen], kind="stable")]
        rows.append(pd.DataFrame({"brand_id": b, "account_id": chosen,
                                  "competence": competence[b, chosen],
                                  "rank_in_brand": np.arange(1, len(chosen) + 1)}))
    positives = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["brand_id", "account_id", "competence", "rank_in_brand"])
    return Bunch(frame=frame, competence=competence, positives=positives, pixels=pixels)


def _draw_captions(rng, acc: Bunch, posts: Bunch, sponsored, specs, brand_handles,
                   n_post_categories: int) -> pa.Array:
    """One caption per post, from the account's focus and the post's category."""
    focus = rng.beta(0.9, 2.5, len(acc.topic))  # how topical an account writes: many write filler
    table = _build_token_table(specs, acc.usernames, brand_handles)
    return _captions(rng, posts.category, posts.account, focus, sponsored, n_post_categories,
                     table)


def _post_images(rng, category, images: str, image_size: int, image_dir):
    """The post images (pixels) and the ``image`` post field: PNG bytes or PNG file paths."""
    pixels = _make_images(category, int(image_size), rng)
    encoded = [_png_bytes(img) for img in pixels]
    if images == "bytes":
        return pixels, pd.arrays.ArrowExtensionArray(pa.array(encoded, type=pa.binary()))
    folder = Path(image_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for pid, blob in enumerate(encoded):
        path = folder / f"post_{pid:07d}.png"
        path.write_bytes(blob)
        paths.append(str(path))
    return pixels, pd.arrays.ArrowExtensionArray(pa.array(paths, type=pa.string()))


def _account_frame(acc: Bunch, posts: Bunch, eng: Bunch, text, image, cat_names) -> pd.DataFrame:
    """The account frame: what a scrape would show, posts nested (image field when given)."""
    n = len(acc.topic)
    profiles = pd.DataFrame({
        "account_id": np.arange(n, dtype=np.int64),
        "username": _as_text(pd.Series(acc.usernames)),
        "followers": acc.followers,
        "following": acc.following,
        "n_posts": posts.profile_posts,
    })
    timestamps = (END_TIME - pd.Timedelta(seconds=_YEAR_S)) + pd.to_timedelta(
        np.round(posts.seconds).astype(np.int64), unit="s")
    fields = {
        "account_id": posts.account,
        "post_id": np.arange(posts.n_total, dtype=np.int64),
        "text": pd.arrays.ArrowExtensionArray(text),
    }
    if image is not None:
        fields["image"] = image
    fields.update({
        "likes": eng.likes.astype(np.int64),
        "comments": eng.comments.astype(np.int64),
        "views": eng.views.astype(np.int64),
        "shares": eng.shares.astype(np.int64),
        "timestamp": pd.DatetimeIndex(timestamps).as_unit("ns"),
        "label": pd.arrays.ArrowExtensionArray(
            pa.array(np.array(cat_names, dtype=object)[posts.category], type=pa.string())),
    })
    return nest_posts(profiles, pd.DataFrame(fields), on="account_id")


@validate_params(
    {
        "n_accounts": [Interval(Integral, 1, None, closed="left")],
        "n_posts": _COUNT_RANGE_CONSTRAINT,
        "n_topics": [Interval(Integral, 1, None, closed="left")],
        "n_post_categories": [None, Interval(Integral, 1, None, closed="left")],
        "n_brands": [Interval(Integral, 0, None, closed="left")],
        "off_topic": [Interval(Real, 0, 1, closed="both")],
        "emerging": [Interval(Real, 0, 1, closed="both")],
        "images": [None, StrOptions({"bytes", "png"})],
        "image_size": [Interval(Integral, 4, None, closed="left")],
        "image_dir": [None, str, os.PathLike],
        "brand_posts": [None] + _COUNT_RANGE_CONSTRAINT,
        "positives_per_brand": [Interval(Integral, 1, None, closed="left")],
        "return_X_y": ["boolean"],
        "random_state": _RANDOM_STATE_CONSTRAINT,
    },
    prefer_skip_nested_validation=True,
)
def make_creators(
    n_accounts: int = 200,
    *,
    n_posts: int | tuple[int, int] = (10, 40),
    n_topics: int = 8,
    n_post_categories: int | None = None,
    n_brands: int = 5,
    off_topic: float = 0.2,
    emerging: float = 0.1,
    images: str | None = None,
    image_size: int = 32,
    image_dir: str | os.PathLike | None = None,
    brand_posts: int | tuple[int, int] | None = None,
    positives_per_brand: int = 11,
    return_X_y: bool = False,
    random_state: int | np.random.RandomState | np.random.Generator | None = None,
) -> Bunch | tuple[pd.DataFrame, np.ndarray]:
    """Generate synthetic creators, their posts and brands, with ground truth for every task.

    Each account has a topic, latent traits (content quality, influence, share
    of fake followers, growth) and a follower count from a heavy-tailed tier
    mix; its posts carry captions, engagement counts, timestamps, a category
    label and optionally an image. The returned account frame holds only what a
    real scrape would show; the ground truth comes beside it in the Bunch.

    Read more in ``docs/synthetic.md``.

    Parameters
    ----------
    n_accounts : int, default=200
        Number of accounts (rows of the account frame).
    n_posts : int or tuple (low, high), default=(10, 40)
        Posts per account: exactly ``n_posts``, or drawn uniformly per account
        in the inclusive range ``[low, high]`` (``low`` may be 0: accounts
        with an empty post list).
    n_topics : int, default=8
        Number of account topics. The first 16 have built-in vocabularies
        (fashion, beauty, fitness, food, travel, tech, gaming, pets, music,
        parenting, sports, art, books, home, finance, automotive); further ones
        get deterministic made-up vocabularies (``topic_16``, ...). Topics are
        balanced across accounts.
    n_post_categories : int or None, default=None
        Number of post categories, ``>= n_topics`` (None: ``n_topics``). The
        first ``n_topics`` are the account topics; the others ("daily life",
        "promotion", "selfie", "quotes", "events", "throwback", "nature",
        "memes", then ``category_k``) only occur as off-topic posts.
    n_brands : int, default=5
        Number of brands, each with a category among the account topics.
    off_topic : float in [0, 1], default=0.2
        Probability that a post's category is not its account's topic (drawn
        per post, uniformly among the other categories). With a single post
        category every post is on topic.
    emerging : float in [0, 1], default=0.1
        Share of emerging accounts (``round(emerging * n_accounts)``), whose
        engagement grows over the year.
    images : {None, "bytes", "png"}, default=None
        None: posts have no ``image`` field. ``"bytes"``: the ``image`` field
        holds PNG-encoded bytes. ``"png"``: PNG files are written under
        ``image_dir`` and the field holds their absolute path. In both cases
        the Bunch also holds the pixel array ``images``.
    image_size : int, default=32
        Side of the square RGB images, in pixels (>= 4).
    image_dir : str or path-like, default=None
        Folder for ``images="png"`` (created if missing); required then.
    brand_posts : int, tuple (low, high) or None, default=None
        None: brands are only a table. Otherwise each brand is also an account with
        a post history of its own (``brand_accounts``): this many posts (or a number
        drawn in ``[low, high]``), on its category, mentioning its handle and its
        products, with images when ``images`` is set; and the Bunch gains
        ``competence`` and ``positives``, a ground truth like Gan et al.'s
        brand-to-micro-influencer data. The creators and their posts are the same
        with or without it.

        .. versionadded:: 0.1
    positives_per_brand : int, default=11
        With ``brand_posts``: mean number of positive creators per brand (1 +
        Poisson), drawn by competence.
    return_X_y : bool, default=False
        Return ``(accounts, topic)`` instead of the Bunch.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed for reproducible output.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the fields ``accounts`` (the account
        frame), ``topic`` (the target), ``topic_names``,
        ``post_category_names``, ``tier``, ``quality``, ``influence``,
        ``fake_share``, ``emerging``, ``growth_rate``, ``brands``,
        ``affinity``, ``relevance``, ``images`` (only when images were
        requested), ``brand_accounts``, ``competence``, ``positives`` and
        ``brand_images`` (only with ``brand_posts``) and ``DESCR``; see ``DESCR``
        for their meaning.
    (accounts, topic) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skinfluence.datasets import make_creators
    >>> data = make_creators(50, n_posts=(0, 5), random_state=0)
    >>> data.accounts.shape
    (50, 6)
    >>> list(data.accounts.columns)
    ['account_id', 'username', 'followers', 'following', 'n_posts', 'posts']
    >>> data.affinity.shape
    (5, 50)
    >>> X, y = make_creators(20, random_state=0, return_X_y=True)
    >>> y[:3].tolist()
    ['gaming', 'travel', 'beauty']
    """
    low, high = _count_range("n_posts", n_posts, "make_creators")
    if n_post_categories is None:
        n_post_categories = n_topics
    elif n_post_categories < n_topics:
        raise InvalidParameterError(
            f"The 'n_post_categories' parameter of make_creators must be None or an int >= "
            f"n_topics ({n_topics}). Got {n_post_categories!r} instead."
        )
    if images == "png" and image_dir is None:
        raise InvalidParameterError(
            "The 'image_dir' parameter of make_creators must be a folder path when images='png' "
            "(the PNG files are written there). Got None instead."
        )
    rng = _as_generator(random_state)
    cat_names, specs = _category_specs(n_topics, n_post_categories)
    topic_names = np.array(cat_names[:n_topics], dtype=object)

    # every step draws from the same rng, in this order: the output depends on it
    acc = _draw_accounts(rng, int(n_accounts), n_topics, specs, emerging)
    posts = _draw_posts(rng, acc, low, high, off_topic, n_post_categories)
    eng = _draw_engagement(rng, acc, posts, n_topics, n_post_categories)
    brands = _draw_brands(rng, acc, int(n_brands), n_topics, topic_names)
    text = _draw_captions(rng, acc, posts, eng.sponsored, specs, brands.handles,
                          n_post_categories)
    pixels, image = (None, None) if images is None else \
        _post_images(rng, posts.category, images, image_size, image_dir)
    frame = _account_frame(acc, posts, eng, text, image, cat_names)
    brand_data = None
    if brand_posts is not None:  # drawn last: the creators stay the same without it
        b_low, b_high = _count_range("brand_posts", brand_posts, "make_creators")
        brand_data = _brand_accounts(rng, brands, acc, specs, cat_names, b_low, b_high,
                                     n_post_categories, images, image_size, image_dir,
                                     positives_per_brand)

    topic = topic_names[acc.topic]
    if return_X_y:
        return frame, topic
    out = Bunch(
        accounts=frame,
        topic=topic,
        topic_names=topic_names,
        post_category_names=np.array(cat_names, dtype=object),
        tier=acc.tier,
        quality=acc.quality,
        influence=acc.influence,
        fake_share=acc.fake_share,
        emerging=acc.is_emerging,
        growth_rate=acc.growth_rate,
        brands=brands.frame,
        affinity=brands.affinity,
        relevance=brands.relevance,
        DESCR=DESCR,
    )
    if pixels is not None:
        out["images"] = pixels
    if brand_data is not None:
        out["brand_accounts"] = brand_data.frame
        out["competence"] = brand_data.competence
        out["positives"] = brand_data.positives
        if brand_data.pixels is not None:
            out["brand_images"] = brand_data.pixels
    return out


DESCR = """\
.. _make_creators:

Synthetic creators (skinfluence.datasets.make_creators)
-------------------------------------------------------

Simulated social-media creators with their posts and a few brands, with the
ground truth of every skinfluence task. All randomness comes from
``random_state``; timestamps lie in the year before 2025-01-01 UTC.

accounts : DataFrame, one row per account (the account frame, model input)
    account_id (int), username (str), followers, following, n_posts (profile
    total, >= the number of nested posts) and ``posts``: a list<struct> of
    post_id, text, [image], likes, comments, views, shares, timestamp (UTC)
    and label (the post's category name), sorted by time within each account.
    No ground truth is stored in the frame except the post ``label``.
topic : ndarray of str, shape (n_accounts,)
    The account's topic (the target ``y``; balanced across topics).
topic_names : ndarray of str, shape (n_topics,)
    Topic names, in order.
post_category_names : ndarray of str, shape (n_post_categories,)
    Post category names: the topics first, then off-topic-only categories.
tier : ndarray of str, shape (n_accounts,)
    Follower tier: nano (< 10k, including the ~6% below 1k and the 0.5% with
    zero followers), micro (10k-100k), mid (100k-500k), macro (500k-1M),
    mega (>= 1M). Shares about 46/33/13/5/3%.
quality : ndarray of float in (0, 1), shape (n_accounts,)
    Content quality (Beta(2.5, 2.5)); raises engagement rate and brand affinity.
influence : ndarray of float, shape (n_accounts,)
    log10(1 + expected likes of an on-topic post at the end of the period):
    real followers x engagement rate + reach beyond followers. Drives likes.
fake_share : ndarray of float in (0, 1), shape (n_accounts,)
    Share of fake followers (Beta(1.5, 12); ~15% of accounts bought followers,
    Beta(4, 3)). Fake followers never engage.
emerging : ndarray of bool, shape (n_accounts,)
    Emerging accounts (round(emerging * n_accounts) of them).
growth_rate : ndarray of float, shape (n_accounts,)
    Log change of engagement per year: U(1, 2.5) for emerging accounts,
    U(-0.3, 0) (flat or slowly declining) for the others.
brands : DataFrame, shape (n_brands, 3)
    brand_id, name, category (one of the topics).
affinity : ndarray of float in (0, 1), shape (n_brands, n_accounts)
    Brand-account fit: high when the account's topic is the brand's category,
    increasing with quality and real (non-fake) engagement rate, noisy.
relevance : ndarray of int in {0, 1, 2, 3}, shape (n_brands, n_accounts)
    Graded relevance for listwise ranking: affinity cut at 0.25, 0.5, 0.75.
brand_accounts : DataFrame, one row per brand (only with brand_posts)
    An account frame of the brands (account_id = brand_id, username = the
    brand's handle): posts on the brand's category (10 % off it) that mention
    the handle (70 %) and a product tag such as ``#lumora_launch`` (50 %), with
    images when requested.
competence : ndarray of float in (0, 1), shape (n_brands, n_accounts)
    (only with brand_posts) The brand-creator competence score: the affinity.
positives : DataFrame (only with brand_posts)
    brand_id, account_id, competence, rank_in_brand: the creators each brand
    works with, about ``positives_per_brand`` per brand (1 + Poisson), drawn
    without replacement with weights ``competence ** 3 * exp(-4 k)`` (Gumbel
    top-k; ``k`` the creator's collaborations with the brands drawn before, in
    random order), so most creators work with one brand and most share the
    brand's category. Like Gan et al.'s pre_dataset files.
brand_images : ndarray of uint8 (only with brand_posts and images)
    The brand posts' images, in flat post order.
images : ndarray of uint8, shape (n_total_posts, image_size, image_size, 3)
    Only with images="bytes" or "png": the post images in flat post order
    (accounts in frame order, posts in nested order). Hue and stripe/checker
    texture depend on the post's category.
"""
