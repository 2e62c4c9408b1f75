"""Cat. UVAC, the UVAC baseline and the networks they are built from."""

from catuvac.models.base import METHODS, ClusteringVAE, Embedding, ModelConfig, ModelOutput
from catuvac.models.cat_uvac import CatUVAC
from catuvac.models.uvac import UVAC

MODEL_CLASSES: dict[str, type[ClusteringVAE]] = {"catuvac": CatUVAC, "uvac": UVAC}


def build_model(config: ModelConfig) -> ClusteringVAE:
    """The model ``config.method`` names."""
    return MODEL_CLASSES[config.method](config)


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
