"""A trained run folder: its ``run.json`` (what the checkpoint was trained on), read back,
checked against its schema and against the checkpoint before the model is scored or
decoded (``evaluate``, ``budget --run-dir``, ``prototypes``)."""

from dataclasses import MISSING, asdict, fields
from pathlib import Path

from catuvac.atomic import NUMBER, read_json, schema_problem, write_json
from catuvac.errors import (
    CheckpointMismatchError,
    ConfigError,
    DamagedFileError,
    UnknownOptionError,
)
from catuvac.evaluation.embedding import embed, own_space, score
from catuvac.experiments.prepare import PreparedData, prepare_data, same_clips
from catuvac.experiments.profiles import Profile, get_profile
from catuvac.features import PAPER_FEATURES, Normaliser, feature_config_for
from catuvac.model import ModelConfig
from catuvac.training.trainer import CHECKPOINT_NAME, TrainConfig, TrainResult, load_trained

RUN_INFO_NAME = "run.json"
DAMAGED_RUN_INFO = (
    "run `catuvac train` with the run's settings on this folder to write it again, "
    "or point --run-dir at another run folder"
)


def write_run_info(
    run_dir: Path,
    data: PreparedData,
    model: ModelConfig,
    training: TrainConfig,
) -> None:
    """Describe a trained run folder in its ``run.json``: dataset, profile, data subset,
    feature settings, the fitted normaliser's statistics and the model and train configs,
    so that :func:`evaluate_run_dir` needs nothing else to score it as it was trained.
    Written after training, so a folder whose checkpoint belongs to another configuration
    (which training refuses) keeps its own description."""
    info = {
        "dataset": data.dataset.name,
        "profile": asdict(data.profile),
        "speaker_norm": data.speaker_norm,
        "data_subset": data.subset_description(),
        "feature_config": data.feature_config.to_dict(),
        "normaliser": data.normaliser.to_dict(),
        "model_config": model.to_dict(),
        "train_config": asdict(training),
    }
    write_json(Path(run_dir) / RUN_INFO_NAME, info)


def features_named(dataset: str, stored: dict | None, where: Path) -> str:
    """The name of the feature pipeline a stored ``feature_config`` describes (none stored:
    the paper's); settings that no pipeline of the dataset has now are a ``ConfigError``."""
    if stored is None:
        return PAPER_FEATURES
    name = stored.get("name") if isinstance(stored, dict) else None
    try:
        config = feature_config_for(dataset, name)
    except UnknownOptionError:
        config = None
    if config is None or config.to_dict() != stored:
        raise ConfigError(f"{where}: the run's feature settings differ from {dataset}'s now")
    return name


def evaluate_run_dir(run_dir: Path) -> dict:
    """Score the model in a run folder (``catuvac train`` or a trained ``reproduce`` cell)
    on its test clips: the metrics of the run, exactly (:func:`open_run_dir`)."""
    data, result = open_run_dir(run_dir)
    embedding = embed(result.model, data.test)
    method = result.model.config.method
    return score(
        data.test.labels,
        embedding.clusters.numpy(),
        own_space(method, embedding, data.test),
        data.common_space(),
        result.model.config.n_clusters,
        data.n_classes,
    )


def open_run_dir(run_dir: Path) -> tuple[PreparedData, TrainResult]:
    """The data a run folder's model was trained on, prepared with the profile, speaker
    normalisation and normaliser statistics its ``run.json`` records, and the model.

    A ``run.json`` from before it held the normaliser names only the dataset and profile;
    the normaliser is then fitted again on that profile's training clips.
    """
    info_path = Path(run_dir) / RUN_INFO_NAME
    if not info_path.exists():
        raise ConfigError(f"{info_path} is missing: not a run folder written by catuvac")
    info = read_run_info(info_path)
    stored = info["profile"]
    profile = Profile(**stored) if isinstance(stored, dict) else get_profile(stored)
    features = features_named(info["dataset"], info.get("feature_config"), info_path)
    normaliser = info.get("normaliser")
    if normaliser is not None:
        n_freq = feature_config_for(info["dataset"], features).shape[1]
        check_normaliser(normaliser, n_freq, info_path)
    data = prepare_data(
        info["dataset"],
        profile,
        features=features,
        speaker_norm=info.get("speaker_norm", False),
        normaliser=None if normaliser is None else Normaliser.from_dict(normaliser),
    )
    stored_subset, found = info.get("data_subset"), data.subset_description()
    if stored_subset is not None and same_clips(stored_subset) != same_clips(found):
        raise ConfigError(
            f"{info_path}: the clips found under {data.dataset.root} are not the run's "
            f"(stored {stored_subset}, found {found})"
        )
    trained = load_trained(Path(run_dir))
    check_checkpoint_matches(trained, info, data, info_path)
    return data, trained


RUN_INFO_SCHEMA = {
    "dataset": str,
    "profile": (str, dict),
    "speaker_norm": bool,
    "data_subset": dict,
    "feature_config": dict,
    "normaliser": {"mean": list, "std": list, "low": NUMBER, "high": NUMBER},
    "model_config": dict,
    "train_config": dict,
}
DATA_WORDS = {
    "dataset": "dataset",
    "clips": "clips",
    "feature_config": "feature pipeline",
    "speaker_norm": "speaker normalisation",
    "scaling": "scaling",
}
"""How a message names each part of :meth:`PreparedData.identity`."""
PROFILE_SCHEMA = {f.name: NUMBER if f.type is float else f.type for f in fields(Profile)}


def read_run_info(path: Path) -> dict:
    """``run.json``, checked against its schema before any of it is used: valid JSON that
    holds something else (a hand edit, a profile cut to its name, a normaliser without its
    mean) is a :class:`~catuvac.errors.DamagedFileError` naming the file, not a
    ``TypeError`` or ``KeyError`` from deep inside preparing the data."""
    info = read_json(path, DAMAGED_RUN_INFO)
    if not (isinstance(info, dict) and {"dataset", "profile"} <= info.keys()):
        raise DamagedFileError(path, "no dataset and profile in it", DAMAGED_RUN_INFO)
    problem = schema_problem(info, RUN_INFO_SCHEMA, frozenset(RUN_INFO_SCHEMA))
    if problem is None and isinstance(info["profile"], dict):
        optional = {f.name for f in fields(Profile) if f.default is not MISSING}
        problem = schema_problem(info["profile"], PROFILE_SCHEMA, frozenset(optional), "profile")
        unknown = sorted(info["profile"].keys() - PROFILE_SCHEMA.keys())
        if problem is None and unknown:
            problem = f"its profile has settings no profile has: {', '.join(unknown)}"
    if problem is not None:
        raise DamagedFileError(path, problem, DAMAGED_RUN_INFO)
    return info


def check_normaliser(stored: dict, n_freq: int, path: Path) -> None:
    """Refuse normaliser statistics that cannot scale the run's features: ``mean`` and
    ``std`` must hold one number per frequency band."""
    for key in ("mean", "std"):
        values = stored[key]
        if len(values) != n_freq or not all(isinstance(v, NUMBER) for v in values):
            raise DamagedFileError(
                path, f"its normaliser.{key} is not {n_freq} numbers", DAMAGED_RUN_INFO
            )


def check_checkpoint_matches(
    trained: TrainResult, info: dict, data: PreparedData, info_path: Path
) -> None:
    """Refuse a checkpoint that ``run.json`` does not describe (one copied in from another
    run folder): its model configuration must be the one stored, its input shape the
    data's, and the data it was trained on (dataset, clips, feature pipeline, speaker
    normalisation, scaling; recorded since checkpoints hold it) the data ``run.json``
    describes, else it would be scored on clips it was never trained for."""
    config = trained.model.config
    stored = info.get("model_config")
    shape = (config.n_freq, config.n_frames)
    checkpoint = info_path.parent / CHECKPOINT_NAME
    advice = "train again in this folder, or put the checkpoint back beside its own run.json"
    if (stored is not None and stored != config.to_dict()) or shape != data.feature_config.shape[
        1:
    ]:
        raise CheckpointMismatchError(
            f"{checkpoint} was not written by the run {info_path} describes "
            f"(K = {config.n_clusters}, input {shape}); {advice}"
        )
    expected = data.identity()
    if trained.data is not None and trained.data != expected:
        differ = [DATA_WORDS[key] for key in expected if trained.data.get(key) != expected[key]]
        raise CheckpointMismatchError(
            f"{checkpoint} was trained on other data than {info_path} describes (not the "
            f"same {', '.join(differ)}); {advice}"
        )
