"""Feature pipelines of the paper: settings, extraction, normalisation and caching.

May import: the top-level modules and ``data``.
"""

from catuvac.features.cache import FeatureCache, cache_key
from catuvac.features.config import (
    DATASET_FEATURES,
    SPOKEN_DIGITS,
    URBAN_4S,
    URBAN_10S,
    FeatureConfig,
    feature_config_for,
)
from catuvac.features.extract import FeatureExtractor, FeatureSet, default_device, fit_window
from catuvac.features.normalise import (
    NORMALISERS,
    PAPER_NORMALISER,
    Normaliser,
    masked_moments,
    normalise_per_group,
)

__all__ = [
    "NORMALISERS",
    "PAPER_NORMALISER",
    "DATASET_FEATURES",
    "SPOKEN_DIGITS",
    "URBAN_10S",
    "URBAN_4S",
    "FeatureCache",
    "FeatureConfig",
    "FeatureExtractor",
    "FeatureSet",
    "Normaliser",
    "cache_key",
    "default_device",
    "feature_config_for",
    "fit_window",
    "masked_moments",
    "normalise_per_group",
]
