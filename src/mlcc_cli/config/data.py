"""The `data:` section: where the examples come from, how they are split and generated.

`DataConfig` is the section itself; `SplitConfig` (`data.split`) and `SyntheticConfig`
(`data.synthetic`) are its nested mappings.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Literal

from pydantic import Field, field_validator, model_validator

from mlcc_cli.config.base import StrictModel

# The `shapes` builtin draws SHAPE_COUNT shapes, each fitting a SHAPE_SIZE x SHAPE_SIZE box;
# data/images.py holds them and a test checks these numbers against it.
# `https://…`, `s3://…`: a remote address, not a file (one letter before `:` is a drive).
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+)://")
SHAPE_COUNT = 5
SHAPE_SIZE = 5


class SplitConfig(StrictModel):
    """Fractions of the (shuffled) rows that go to each split; they must sum to 1."""

    train: float = Field(0.8, gt=0, le=1, description="Fraction of rows used to fit weights.")
    validation: float = Field(
        0.2,
        ge=0,
        lt=1,
        description="Fraction of rows used to watch generalisation while training (may be 0).",
    )
    test: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Fraction of rows held back until `mlcc train --test` (may be 0).",
    )

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitConfig:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"train + validation + test must sum to 1, got {total:g} "
                f"({self.train:g} + {self.validation:g} + {self.test:g})" + self._unset_hint()
            )
        return self

    def _unset_hint(self) -> str:
        """For a sum that misses 1: which fractions were defaulted, and the value that fixes it
        when exactly one was (`{train: 0.8, test: 0.2}` reads validation's default 0.2)."""
        unset = [
            name for name in ("train", "validation", "test") if name not in self.model_fields_set
        ]
        if not unset:
            return ""
        defaults = ", ".join(f"{name} {getattr(self, name):g}" for name in unset)
        hint = f"; not given, so at their defaults: {defaults}"
        if len(unset) == 1:
            rest = sum(getattr(self, name) for name in ("train", "validation", "test"))
            value = round(1.0 - (rest - getattr(self, unset[0])), 12)
            if 0 <= value < 1:
                hint += f"; set data.split.{unset[0]}: {value:g}"
        return hint


class SyntheticConfig(StrictModel):
    """Size and noise of a generated `builtin:` dataset (the synthetic tables and `shapes`).

    The tables are xor, circles, spiral, gaussian and linear; `shapes` holds images.

    `image_size`, `classes` and `placement` apply to `shapes` only. `placement: halves` needs
    room for a whole shape in each half, so it asks for `image_size` of at least 10.
    """

    samples: int = Field(
        1000,
        ge=10,
        le=10_000_000,
        description="Number of rows to generate (sentences, for the text corpus).",
    )
    noise: float = Field(
        0.1,
        ge=0,
        # The data's own spread is about 1: a million times that is noise alone, and far
        # larger values overflow the squares of statistics and losses.
        le=1e6,
        description=(
            "Standard deviation of the Gaussian noise added to the data (for `shapes`, to every "
            "pixel, which is then clipped to [0, 1]); at most 1e6, the data's own spread being "
            "about 1."
        ),
    )
    features: int = Field(
        2,
        ge=1,
        le=10_000,
        description="Number of input columns (`linear` and `gaussian` only; the others are 2-D).",
    )
    image_size: int = Field(
        12,
        ge=5,
        le=128,
        description=(
            "`shapes` only: height and width of each one-channel image, in pixels (at least 5, "
            "the size of the largest shape); the columns are `p_{row}_{col}`."
        ),
    )
    classes: int = Field(
        3,
        ge=2,
        le=SHAPE_COUNT,
        description=(
            "`shapes` only: how many shapes to tell apart, taken in this order: horizontal bar, "
            "vertical bar, square outline, plus, diagonal (target 0, 1, 2, ...)."
        ),
    )
    placement: Literal["anywhere", "halves"] = Field(
        "anywhere",
        description=(
            "`shapes` only: where a shape may sit. `anywhere`: a uniform position where it "
            "fits. `halves`: the first half of the rows (row_id < samples / 2) put their shape "
            "wholly in the left half of the image and the other rows wholly in the right half, "
            "so with `data.shuffle: false` and `data.split: {train: 0.5, validation: 0.5}` the "
            "model is validated on positions it never saw in training (translation invariance). "
            "Needs image_size of at least 10."
        ),
    )

    @model_validator(mode="after")
    def _halves_fit_a_shape(self) -> SyntheticConfig:
        if self.placement == "halves" and self.image_size < 2 * SHAPE_SIZE:
            raise ValueError(
                f"data.synthetic.placement: halves puts a whole {SHAPE_SIZE}-pixel shape in "
                f"each half of the image, so it needs data.synthetic.image_size of at least "
                f"{2 * SHAPE_SIZE}, got {self.image_size}; raise image_size or use "
                "placement: anywhere"
            )
        return self


def _file_uri_path(uri: str) -> str:
    """The local path a file:// URI names (file:///data/x.csv → /data/x.csv, %20 decoded), as
    MLflow and browsers read it; a URI naming another host is not a local file."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.netloc not in ("", "localhost"):
        raise ValueError(
            f"{uri!r} names the host {parsed.netloc!r}; mlcc reads local files: copy it here "
            "and name that file (file:///PATH or just PATH)"
        )
    return urllib.parse.unquote(parsed.path)


class DataConfig(StrictModel):
    """Where the examples come from and how they are split."""

    source: str = Field(
        min_length=1,
        description=(
            "A local .csv or .parquet path (relative paths resolve against the config file's "
            "folder, then the current directory; file:///PATH names a local file too; not an "
            "http(s) or other remote address) or `builtin:NAME` (see `mlcc datasets`); for "
            "model.type word2vec, a .txt corpus (one sentence or document per line)."
        ),
    )
    label: str | None = Field(
        None,
        description="Column the model predicts. Defaults to `target` for builtin datasets.",
    )
    labels: list[str] | None = Field(
        None,
        min_length=2,
        description="multi_label models only: the 0/1 label columns, one output each.",
    )
    label_above: float | None = Field(
        None,
        description=(
            "Make a binary label from a numeric one: 1 where the label column is above this "
            "value (in the file's units), else 0, e.g. 265000 for the course's "
            "`median_house_value` above its 75th percentile."
        ),
    )
    label_scale: float = Field(
        1.0,
        gt=0,
        description="Multiplier applied to a numeric label, e.g. 0.001 to predict thousands.",
    )
    shuffle: bool = Field(
        True, description="Shuffle rows (seeded) before splitting; false keeps the file order."
    )
    split: SplitConfig = Field(
        default_factory=SplitConfig, description="Fractions for train / validation / test."
    )
    stratify: bool = Field(
        False,
        description="Classification only: keep each class's share of rows the same in every split.",
    )
    missing: Literal["error", "drop", "mean", "median"] = Field(
        "error",
        description=(
            "What to do with missing values in the columns the experiment uses: `error` names "
            "them, `drop` removes those rows, `mean`/`median` fill them with the training "
            "split's statistic. Columns an `impute` step fills before any other step reads "
            "them are left to that step and its strategy."
        ),
    )
    synthetic: SyntheticConfig = Field(
        default_factory=SyntheticConfig,
        description="Generator settings for synthetic builtin datasets (ignored otherwise).",
    )
    streaming: bool = Field(
        False,
        description=(
            "Train out of core: read the .csv/.parquet file chunk by chunk on every pass instead "
            "of loading it, so files larger than memory work. Splits are drawn per row (sizes "
            "vary slightly), quantile statistics are estimated from a sample, and `stratify` is "
            "not available."
        ),
    )
    chunk_rows: int = Field(
        65536,
        ge=1,
        description="Streaming only: rows read from the file at a time (bounds the memory used).",
    )
    shuffle_buffer: int = Field(
        100_000,
        ge=1,
        description=(
            "Streaming only: training rows held and shuffled together before batches are drawn "
            "(as the crash course's TensorFlow input pipeline); must hold at least one batch."
        ),
    )

    @field_validator("source")
    @classmethod
    def _a_local_file(cls, source: str) -> str:
        scheme = URL_SCHEME.match(source)
        if scheme is None:
            return source
        kind = scheme.group(1).lower()
        if kind == "file":
            return _file_uri_path(source)
        if kind in ("http", "https"):
            name = source.split("?", 1)[0].split("/", 3)[-1].rsplit("/", 1)[-1]
            name = name if name.endswith((".csv", ".parquet", ".txt")) else "data.csv"
            fetch = f"download it first (e.g. curl -L -o {name} '{source}')"
        else:
            fetch = "copy it to a local file first"
        raise ValueError(
            f"{source!r} is an address ({kind}://), but mlcc reads local files; {fetch} and "
            "name that file"
        )

    @field_validator("labels")
    @classmethod
    def _each_label_once(cls, labels: list[str] | None) -> list[str] | None:
        repeated = [name for i, name in enumerate(labels or []) if name in labels[:i]]
        if repeated:
            raise ValueError(f"lists {repeated[0]!r} twice; list each label column once")
        return labels

    @model_validator(mode="after")
    def _label_or_labels(self) -> DataConfig:
        if self.label is not None and self.labels is not None:
            raise ValueError(
                f"data.label ({self.label!r}) and data.labels ({', '.join(self.labels)}) are "
                "both set; a multi_label model reads data.labels only, so remove data.label"
            )
        return self

    @model_validator(mode="after")
    def _streaming_reads_a_file(self) -> DataConfig:
        if not self.streaming:
            return self
        if self.source.startswith("builtin:"):
            raise ValueError(
                f"data.streaming reads a .csv or .parquet file chunk by chunk, but data.source "
                f"is {self.source!r}, which is generated in memory; set data.streaming: false"
            )
        if self.stratify:
            raise ValueError(
                "data.stratify is not supported with data.streaming (streaming draws each row's "
                "split on its own, without seeing the class counts); set data.stratify: false"
            )
        return self
