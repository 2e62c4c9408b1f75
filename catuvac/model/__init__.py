"""The model as the paper states it (section II): Gumbel sampling, the ELBO terms, the
networks, and Cat. UVAC and the UVAC baseline built from them.

May import: the top-level modules only.
"""

import torch

from catuvac.model.base import METHODS, ClusteringVAE, Embedding, ModelConfig, ModelOutput
from catuvac.model.cat_uvac import CatUVAC
from catuvac.model.uvac import UVAC

MODEL_CLASSES: dict[str, type[ClusteringVAE]] = {"catuvac": CatUVAC, "uvac": UVAC}


def build_model(config: ModelConfig) -> ClusteringVAE:
    """The model ``config.method`` names, its convolution weights in ``channels_last``
    (the layout its activations use: CPU convolutions run fastest with both in it)."""
    return MODEL_CLASSES[config.method](config).to(memory_format=torch.channels_last)


__all__ = [
    "METHODS",
    "MODEL_CLASSES",
    "UVAC",
    "CatUVAC",
    "ClusteringVAE",
    "Embedding",
    "ModelConfig",
    "ModelOutput",
    "build_model",
]
