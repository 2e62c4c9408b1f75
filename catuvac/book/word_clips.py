"""The audio-features chapter's look at word alignment: one digit said by several
speakers, in the paper's window and in the word-aligned representations."""

from collections.abc import Sequence

import torch

from catuvac.data.base import AudioDataset, Clip
from catuvac.features import FeatureConfig, FeatureExtractor
from catuvac.features.config import feature_config_for


def same_word_clips(dataset: AudioDataset, label: int, speakers: int = 4) -> list[Clip]:
    """The first test clip of ``label`` from each of the first ``speakers`` test speakers
    (in speaker order): the same word from different voices."""
    chosen: dict[str, Clip] = {}
    for clip in sorted(dataset.split("test"), key=lambda c: (c.group, c.path.name)):
        if clip.label == label and clip.group not in chosen:
            chosen[clip.group] = clip
    if len(chosen) < speakers:
        raise ValueError(
            f"{dataset.name}: label {label} has {len(chosen)} test speakers, not {speakers}"
        )
    return list(chosen.values())[:speakers]


def representation_images(
    dataset: str, clips: Sequence[Clip], features: Sequence[str]
) -> list[tuple[str, FeatureConfig, list[torch.Tensor]]]:
    """For each pipeline name in ``features``: its name, its configuration and the
    clips' feature images, unnormalised (as extracted), as
    :func:`~catuvac.book.plots.audio.plot_word_alignment` takes them."""
    rows = []
    for name in features:
        config = feature_config_for(dataset, name)
        extracted = FeatureExtractor(config).extract(
            [c.path for c in clips], [c.label for c in clips], progress=False
        )
        rows.append((name, config, [image[0] for image in extracted.features]))
    return rows
