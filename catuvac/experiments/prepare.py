"""From a dataset name and a profile to normalised train and test features."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from catuvac.data import AudioDataset, Clip, canonical_name, load
from catuvac.errors import ConfigError
from catuvac.evaluation.metrics import common_space
from catuvac.experiments.profiles import Profile, get_profile
from catuvac.features import (
    PAPER_FEATURES,
    PAPER_NORMALISER,
    FeatureCache,
    FeatureConfig,
    FeatureExtractor,
    FeatureSet,
    Normaliser,
    feature_config_for,
    normalise_per_group,
)
from catuvac.training.run_spec import RunSpec

SUBSET_SEED = 0  # the data subset is the same for every run seed, so seeds compare models


@dataclass
class PreparedData:
    """Normalised features of a dataset's train and test clips, and how they were chosen."""

    dataset: AudioDataset
    feature_config: FeatureConfig
    normaliser: Normaliser
    train: FeatureSet
    test: FeatureSet
    profile: Profile  # the scale the subset was taken at, and that runs on it train at
    speaker_norm: bool = False  # features standardised per speaker before normalising

    @property
    def features_name(self) -> str:
        """The pipeline's name as runs give it: ``"paper"`` for the dataset's own."""
        paper = feature_config_for(self.dataset.name)
        return PAPER_FEATURES if self.feature_config == paper else self.feature_config.name

    @property
    def class_names(self) -> list[str]:
        return self.dataset.class_names

    @property
    def n_classes(self) -> int:
        return len(self.dataset.class_names)

    def check_clusters(self, n_clusters: int) -> None:
        """Refuse more clusters than training clips (a :class:`ConfigError`): K-means
        cannot fit them, and a model would keep clusters no clip can fill."""
        if n_clusters > len(self.train):
            raise ConfigError(
                f"{n_clusters} clusters are more than the {len(self.train)} training clips of "
                f"{self.dataset.name} here; ask for at most {len(self.train)} (--clusters)"
            )

    def common_space(self, n_components: int = 32) -> np.ndarray:
        """The space shared by all methods: PCA of the normalised test features."""
        return common_space(self.test.features.numpy(), n_components, random_state=0)

    def clips(self, split: str) -> list[Clip]:
        """The clips behind ``train`` or ``test``, in the order of their features (their
        speakers and names, for display)."""
        return chosen_clips(self.dataset, split, self.profile.max_clips(split))

    def subset_description(self) -> dict:
        """What data a result was computed on, for result files."""
        return {
            "dataset": self.dataset.name,
            "root": str(self.dataset.root),
            "train_clips": len(self.train),
            "test_clips": len(self.test),
            "train_files_sha256": files_digest(self.train.paths, self.dataset.root),
            "test_files_sha256": files_digest(self.test.paths, self.dataset.root),
            "subset_seed": SUBSET_SEED,
        }

    def identity(self) -> dict:
        """What a model trained on these data was trained on: the dataset, its clips
        (wherever the dataset lies), the feature pipeline, the speaker normalisation and
        the scaling. A checkpoint stores it, so that a reader refuses a model trained on
        other data than the run folder's ``run.json`` describes."""
        return {
            "dataset": self.dataset.name,
            "clips": same_clips(self.subset_description()),
            "feature_config": self.feature_config.to_dict(),
            "speaker_norm": self.speaker_norm,
            "scaling": self.normaliser.scaling,
        }


def same_clips(subset: dict) -> dict:
    """What identifies a data subset wherever the dataset lies: all but its folder."""
    return {key: value for key, value in subset.items() if key != "root"}


def files_digest(paths: list[str], root: Path) -> str:
    """A short fingerprint of a file list, relative to the dataset root."""
    names = "\n".join(str(Path(p).relative_to(root)) for p in paths)
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def chosen_clips(dataset: AudioDataset, split: str, max_clips: int | None) -> list[Clip]:
    """The clips of one split that runs use, in the order of their features: ``max_clips``
    of the split (None: all), drawn with :data:`SUBSET_SEED`. The one choice of clips, for
    a profile (:meth:`Profile.max_clips`) or a stored result's profile alike."""
    return dataset.subset(split, max_clips, seed=SUBSET_SEED)


def prepare_data(
    name: str,
    profile: Profile | str | None = None,
    root: str | Path | None = None,
    device: torch.device | None = None,
    progress: bool = True,
    cache: FeatureCache | None = None,
    speaker_norm: bool = False,
    normaliser: Normaliser | None = None,
    scaling: str = PAPER_NORMALISER,
    features: str | None = None,
    **load_options,
) -> PreparedData:
    """Load a dataset, take the profile's subset, extract (or reuse) features, normalise.

    Normalisation statistics come from the training clips only. ``speaker_norm`` first
    standardises each speaker's clips (each clip's group) with that speaker's own
    statistics (:func:`~catuvac.features.normalise_per_group`): it removes what tells
    speakers apart on average, using speaker metadata and no class label. A given
    ``normaliser`` (a trained run's, from its ``run.json``) is applied instead of fitting one;
    otherwise one is fitted with ``scaling`` (``minmax``, the paper's, or ``percentile``).
    ``features`` names the feature pipeline (:func:`~catuvac.features.feature_config_for`;
    ``None``: the paper's for the dataset).
    """
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    dataset = load(canonical_name(name), root=root, **load_options)
    config = feature_config_for(dataset.name, features)
    extractor = FeatureExtractor(config, device)
    cache = cache or FeatureCache()
    splits = {}
    for split in ("train", "test"):
        clips = chosen_clips(dataset, split, profile.max_clips(split))
        splits[split] = cache.load_or_extract(
            dataset.name,
            [c.path for c in clips],
            [c.label for c in clips],
            extractor,
            progress=progress,
        )
        if speaker_norm:
            splits[split] = normalise_per_group(splits[split], [c.group for c in clips])
    if normaliser is None:
        normaliser = Normaliser.fit(splits["train"], scaling)
    return PreparedData(
        dataset,
        config,
        normaliser,
        normaliser.transform(splits["train"]),
        normaliser.transform(splits["test"]),
        profile,
        speaker_norm,
    )


def prepare_for(spec: RunSpec, profile: Profile | None = None, **options) -> PreparedData:
    """:func:`prepare_data` as ``spec``'s data options ask (dataset, feature pipeline,
    normaliser, speaker normalisation) at its profile, resolved here once (``profile``:
    one not registered by name, such as a test's); ``options`` go to :func:`prepare_data`."""
    return prepare_data(
        spec.dataset,
        profile or get_profile(spec.profile),
        speaker_norm=spec.speaker_norm,
        scaling=spec.normaliser,
        features=spec.features,
        **options,
    )
