"""The builtin text corpus `pets_and_vehicles`: sentences whose words share contexts by group.

A tiny grammar makes the distributional hypothesis visible: every sentence talks about one
group (pets, vehicles or fruit), so a group's nouns appear beside the same verbs and objects,
and its verbs and objects beside the same nouns. Words of one group therefore end up close in
a word2vec embedding, while the function words (`the`, `a`, `my`, `near`) are shared by all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig

TEXT = "text"  # the column a corpus loads into: one sentence or document per row

# Each group's words: the nouns, what they do, and what they do it to (or where).
GROUP_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "pets": {
        "nouns": ("dog", "cat", "hamster", "puppy", "kitten"),
        "verbs": ("sniffs", "chases", "licks", "fetches"),
        "objects": ("vet", "leash", "collar", "kennel", "bowl"),
    },
    "vehicles": {
        "nouns": ("car", "truck", "bus", "van", "tractor"),
        "verbs": ("drives", "honks", "brakes", "refuels"),
        "objects": ("garage", "road", "highway", "tire", "fuel"),
    },
    "fruit": {
        "nouns": ("apple", "banana", "mango", "pear", "cherry"),
        "verbs": ("ripens", "rots", "grows", "falls"),
        "objects": ("orchard", "market", "basket", "tree", "juice"),
    },
}
# Every group word, by group: a word2vec embedding should put each word nearest its own group.
WORD_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(word for words in parts.values() for word in words)
    for group, parts in GROUP_PARTS.items()
}
# Sentence patterns; the function words around the slots are shared by every group.
TEMPLATES = (
    "the {noun} {verb} the {object}",
    "a {noun} {verb} near the {object}",
    "my {noun} {verb} {object}",
    "the {object} and the {noun}",
)


def pets_and_vehicles(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """`synthetic.samples` sentences, one per row of a `text` column.

    Each sentence draws, in this order: its group and template (uniformly), then one noun,
    verb and object of that group (uniformly). `synthetic.noise` does not apply.
    """
    n = synthetic.samples
    groups = list(GROUP_PARTS.values())
    group_of = rng.integers(len(groups), size=n)
    template_of = rng.integers(len(TEMPLATES), size=n)
    sentences = []
    for group, template in zip(group_of, template_of, strict=True):
        parts = groups[group]
        words = {slot[:-1]: parts[slot][rng.integers(len(parts[slot]))] for slot in parts}
        sentences.append(TEMPLATES[template].format(**words))
    return pd.DataFrame({TEXT: sentences})
