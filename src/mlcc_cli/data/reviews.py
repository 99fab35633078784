"""`builtin:reviews`: short synthetic movie reviews and their sentiment, for bag-of-tokens models.

The crash course's "intro to sparse data and embeddings" learns sentiment from review text
(the IMDB reviews). This is a small stand-in generated from the seed, no network needed:
each review is a few sentences from a tiny grammar ("the plot was dull", "i loved the
cast", "starring mira tolan"). A positive review (target 1) draws its opinion words from
POSITIVE_WORDS and a negative one from NEGATIVE_WORDS, except that each opinion word comes
from the other side with probability `data.synthetic.noise` (mixed reviews), so no model is
perfect. Subject words, function words and a long tail of actor names carry no sentiment:
a good model learns weights (or embedding directions) near zero for them, and the names
exercise the vocabulary's size cap and out-of-vocabulary id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig

LABEL = "target"
TEXT = "review"

POSITIVE_WORDS = (
    "great", "excellent", "wonderful", "brilliant", "superb",
    "moving", "funny", "beautiful", "enjoyable", "gripping",
)  # fmt: skip
NEGATIVE_WORDS = (
    "awful", "boring", "terrible", "dull", "poor",
    "predictable", "weak", "annoying", "messy", "tedious",
)  # fmt: skip
POSITIVE_VERBS = ("loved", "enjoyed", "adored")
NEGATIVE_VERBS = ("hated", "disliked", "regretted")
SUBJECTS = (
    "movie", "film", "plot", "acting", "story", "cast",
    "ending", "script", "music", "characters", "dialogue", "pacing",
)  # fmt: skip
INTENSIFIERS = ("very", "really", "quite", "truly", "so")
SYLLABLES = ("ka", "mi", "ra", "to", "lan", "so", "vi", "der", "no", "el", "ba", "run")
NAMES = 300  # actor names in the long tail (fixed, whatever the seed)


def _actor_names() -> list[str]:
    """NAMES fixed two-part names ("mira tolan"), the same in every run."""
    rng = np.random.default_rng(2024)  # fixed: the names are part of the dataset, not the seed

    def word() -> str:
        return "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4))))

    return [f"{word()} {word()}" for _ in range(NAMES)]


ACTORS = _actor_names()


def _opinion(positive: bool, noise: float, rng: np.random.Generator) -> tuple[str, str]:
    """An (adjective, verb) pair of the review's side, or of the other one with p = noise."""
    side = positive if rng.random() >= noise else not positive
    adjectives, verbs = (
        (POSITIVE_WORDS, POSITIVE_VERBS) if side else (NEGATIVE_WORDS, NEGATIVE_VERBS)
    )
    return str(rng.choice(adjectives)), str(rng.choice(verbs))


def _sentence(positive: bool, noise: float, rng: np.random.Generator) -> str:
    """One sentence of a review, from one of four templates."""
    adjective, verb = _opinion(positive, noise, rng)
    subject = str(rng.choice(SUBJECTS))
    template = int(rng.integers(4))
    if template == 0:
        return f"the {subject} was {rng.choice(INTENSIFIERS)} {adjective}"
    if template == 1:
        return f"i {verb} the {subject}"
    if template == 2:
        return f"a {adjective} {subject}"
    # Zipf-like actor popularity: a few names often, most rarely (the vocabulary's tail).
    actor = ACTORS[min(int(rng.zipf(1.3)) - 1, NAMES - 1)]
    return f"starring {actor}, {adjective} as always"


def reviews(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """`samples` reviews of 2–5 sentences, half of them positive (target 1), drawn from `rng`.

    `synthetic.noise` (clipped to [0, 0.5]) is the chance that an opinion word comes from the
    other sentiment.
    """
    noise = min(max(synthetic.noise, 0.0), 0.5)
    target = rng.permutation(np.arange(synthetic.samples) % 2)  # (samples,) balanced 0/1
    texts = []
    for positive in target.astype(bool):
        n_sentences = int(rng.integers(2, 6))
        texts.append(". ".join(_sentence(positive, noise, rng) for _ in range(n_sentences)) + ".")
    return pd.DataFrame({TEXT: texts, LABEL: target.astype(np.int64)})
