"""The `features:` list: `FeatureStep`, the tagged union of every step's config model.

The step models live in `feature_numeric` (ratio, expression, clip, zscore, minmax, log,
pca), `feature_categorical` (bucketize, time_bucket, one_hot, hash, cross, polynomial),
`feature_cleaning` (drop_duplicates, filter, impute), `feature_text` (text). Every tag has a
matching transform in `features/` (a test checks the registry).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mlcc_cli.config.feature_categorical import (
    BucketizeConfig,
    CrossConfig,
    HashConfig,
    OneHotConfig,
    PolynomialConfig,
    TimeBucketConfig,
)
from mlcc_cli.config.feature_cleaning import DropDuplicatesConfig, FilterConfig, ImputeConfig
from mlcc_cli.config.feature_numeric import (
    ClipConfig,
    ExpressionConfig,
    LogConfig,
    MinMaxConfig,
    PcaConfig,
    RatioConfig,
    ZScoreConfig,
)
from mlcc_cli.config.feature_text import TextConfig

FeatureStep = Annotated[
    RatioConfig
    | ExpressionConfig
    | ClipConfig
    | ZScoreConfig
    | MinMaxConfig
    | LogConfig
    | BucketizeConfig
    | TimeBucketConfig
    | OneHotConfig
    | HashConfig
    | CrossConfig
    | PolynomialConfig
    | DropDuplicatesConfig
    | FilterConfig
    | ImputeConfig
    | PcaConfig
    | TextConfig,
    Field(discriminator="type"),
]
