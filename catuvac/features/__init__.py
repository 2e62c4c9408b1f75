"""Feature pipelines of the paper: settings, extraction, normalisation and caching.

May import: the top-level modules and ``data``.
"""

from catuvac.features.cache import FeatureCache, cache_key
from catuvac.features.config import (
    DATASET_FEATURES,
    PAPER_FEATURES,
    SPOKEN_DIGITS,
    URBAN_4S,
    URBAN_10S,
    WORD_LOGMEL,
    WORD_MFCC,
    WORD_MFCC_CMVN,
    WORD_PIPELINES,
    FeatureConfig,
    feature_config_for,
    feature_names,
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
    "PAPER_FEATURES",
    "PAPER_NORMALISER",
    "DATASET_FEATURES",
    "SPOKEN_DIGITS",
    "URBAN_10S",
    "URBAN_4S",
    "WORD_LOGMEL",
    "WORD_MFCC",
    "WORD_MFCC_CMVN",
    "WORD_PIPELINES",
    "FeatureCache",
    "FeatureConfig",
    "FeatureExtractor",
    "FeatureSet",
    "Normaliser",
    "cache_key",
    "default_device",
    "feature_config_for",
    "feature_names",
    "fit_window",
    "masked_moments",
    "normalise_per_group",
]
