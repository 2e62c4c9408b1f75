"""Training loop: Adam with exponential learning-rate decay, temperature annealing,
checkpoints every N epochs, exact resume, NaN detection and a per-epoch history."""

from dataclasses import asdict, dataclass, field
from math import isfinite
from pathlib import Path

import torch
from tqdm import tqdm

from catuvac.atomic import atomic_write_bytes, read_file, write_json
from catuvac.errors import (
    CheckpointMismatchError,
    DamagedFileError,
    TrainingDivergedError,
    unknown_option,
)
from catuvac.features import FeatureSet, default_device
from catuvac.features.augment import AugmentConfig, augment
from catuvac.model import ClusteringVAE, ModelConfig, build_model
from catuvac.model.base import embed_batches
from catuvac.model.elbo import ElboTerms
from catuvac.model.objectives import ViewPair
from catuvac.training.lock import RunLock
from catuvac.training.neighbours import mine_neighbours
from catuvac.training.schedules import (
    LR_END,
    LR_START,
    PAPER_TAU_END,
    PAPER_TAU_START,
    SCHEDULE_SHAPES,
    learning_rate,
    temperature,
)
from catuvac.training.warm_start import warm_start_clusters

CHECKPOINT_NAME = "checkpoint.pt"
HISTORY_NAME = "history.json"
CHECKPOINT_KEYS = frozenset({"identity", "epoch", "model", "optimizer", "rng", "history"})
DAMAGED_CHECKPOINT = "delete it to start this run afresh, or use another run folder"


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings; the paper's lost values have documented defaults."""

    epochs: int = 30
    batch_size: int = 64
    lr_start: float = LR_START
    lr_end: float = LR_END
    tau_start: float = PAPER_TAU_START
    tau_end: float = PAPER_TAU_END
    tau_shape: str = "exponential"
    seed: int = 0
    checkpoint_every: int = 5
    # The second view of each batch for the consistency term (ours; unused otherwise).
    augment: AugmentConfig | None = None

    def __post_init__(self) -> None:
        if self.tau_shape not in SCHEDULE_SHAPES:
            raise unknown_option("temperature schedule", self.tau_shape, SCHEDULE_SHAPES)
        if self.epochs < 1 or self.batch_size < 1 or self.checkpoint_every < 1:
            raise ValueError(
                "epochs, batch_size and checkpoint_every must be positive; got "
                f"{self.epochs}, {self.batch_size}, {self.checkpoint_every}"
            )
        # Checked here, not when an epoch first uses them: a zero final temperature would
        # otherwise fail only in the last epoch (Gumbel-Softmax needs tau > 0), and the
        # exponential schedules need positive ends.
        for name in ("tau_start", "tau_end", "lr_start", "lr_end"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")

    def tau_at(self, epoch: int) -> float:
        """Gumbel-Softmax temperature used during ``epoch``."""
        return temperature(epoch, self.epochs, self.tau_start, self.tau_end, self.tau_shape)

    def lr_at(self, epoch: int) -> float:
        """Learning rate used during ``epoch``."""
        return learning_rate(epoch, self.epochs, self.lr_start, self.lr_end)


@dataclass
class TrainResult:
    """The trained model and what happened each epoch."""

    model: ClusteringVAE
    history: list[dict] = field(default_factory=list)
    data: dict | None = None  # the data identity it was trained on (None: not recorded)

    @property
    def final_tau(self) -> float:
        """Temperature of the last epoch (Table I's per-row tau)."""
        return self.history[-1]["tau"]


def seed_everything(seed: int) -> None:
    """Seed torch's global generator (the only random source training uses) so a run
    repeats exactly.

    Global, not a generator of the trainer's own: weight initialisation (``nn.Module``
    constructors), the reparameterised z (``torch.randn_like``) and the Gumbel noise take
    no generator argument, so a private one would leave them unseeded. A trainer therefore
    reseeds the process's generator when it is built, and its checkpoints store and
    restore that state; code that needs its own stream around training should use
    ``torch.random.fork_rng``."""
    torch.manual_seed(seed)


def read_checkpoint(
    path: Path, device: torch.device | str, identity: dict | None = None, data: dict | None = None
) -> dict:
    """The state saved in a checkpoint. One that cannot be read or lacks a part is a
    :class:`~catuvac.errors.DamagedFileError`; with ``identity``, one written by another
    configuration, or on other ``data`` than these (where both are recorded: older
    checkpoints do not say), is a :class:`~catuvac.errors.CheckpointMismatchError`."""
    state = read_file(
        path,
        lambda p: torch.load(p, weights_only=False, map_location=device),
        DAMAGED_CHECKPOINT,
    )
    if not isinstance(state, dict) or not isinstance(state.get("identity"), dict):
        raise DamagedFileError(path, "not a catuvac checkpoint", DAMAGED_CHECKPOINT)
    other_data = None not in (state.get("data"), data) and state["data"] != data
    if identity is not None and (state["identity"] != identity or other_data):
        raise CheckpointMismatchError(
            f"{path} was written by a run with another configuration or on other data; "
            "use a new run folder or delete it to start afresh"
        )
    missing = sorted(CHECKPOINT_KEYS - state.keys())
    if missing:
        raise DamagedFileError(path, f"no {', '.join(missing)} in it", DAMAGED_CHECKPOINT)
    return state


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """A generator that depends only on (seed, epoch), so a resumed run repeats its draws."""
    return torch.Generator().manual_seed(seed * 100_003 + epoch)


def epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    """Shuffled clip order of one epoch; depends only on (seed, epoch), so resume repeats it."""
    return torch.randperm(n, generator=epoch_generator(seed, epoch))


class Trainer:
    """Trains one model on normalised features, checkpointing into ``run_dir``."""

    def __init__(
        self,
        model_config: ModelConfig,
        train_config: TrainConfig,
        run_dir: Path,
        device: torch.device | None = None,
        progress: bool = True,
        data_identity: dict | None = None,
    ) -> None:
        self.model_config = model_config
        self.data_identity = data_identity
        self.train_config = train_config
        self.run_dir = Path(run_dir)
        self.device = device or default_device()
        self.progress = progress
        seed_everything(train_config.seed)
        self.model = build_model(model_config).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=train_config.lr_start)
        self.history: list[dict] = []
        self.start_epoch = 0
        self.neighbours: torch.Tensor | None = None  # [N, k] when pairing neighbours

    @property
    def identity(self) -> dict:
        """What must match for a checkpoint to be resumed."""
        return {"model": self.model_config.to_dict(), "train": asdict(self.train_config)}

    def resume(self) -> bool:
        """Load the checkpoint in ``run_dir`` if there is one; refuse a different config,
        a damaged checkpoint (see :func:`read_checkpoint`) and one trained on other data
        (a checkpoint from before the data were recorded is taken as it is)."""
        path = self.run_dir / CHECKPOINT_NAME
        if not path.exists():
            return False
        state = read_checkpoint(path, self.device, self.identity, self.data_identity)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"].cpu())
        if state.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda_rng"]])
        self.history = state["history"]
        self.start_epoch = state["epoch"] + 1
        self.neighbours = state.get("neighbours")
        return True

    def save_checkpoint(self, epoch: int) -> None:
        """Model, optimiser, RNG and history after ``epoch``, written atomically: a crash
        while writing leaves the previous checkpoint as it was."""
        state = {
            "identity": self.identity,
            "data": self.data_identity,
            "epoch": epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "history": self.history,
            "neighbours": self.neighbours,
        }
        atomic_write_bytes(self.run_dir / CHECKPOINT_NAME, lambda p: torch.save(state, p))

    def run_epoch(self, data: FeatureSet, epoch: int) -> dict:
        """One pass over ``data``; returns the epoch's mean terms, tau, lr and cluster usage."""
        cfg = self.train_config
        tau, lr = cfg.tau_at(epoch), cfg.lr_at(epoch)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.model.train()
        totals: dict[str, float] = {}
        usage = torch.zeros(self.model_config.n_clusters, dtype=torch.long)
        order = epoch_order(len(data), cfg.seed, epoch)
        batches = order.split(cfg.batch_size)
        views = self.view_pairs(data, epoch)
        for index in tqdm(
            batches, desc=f"epoch {epoch + 1}", leave=False, disable=not self.progress
        ):
            x = data.features[index].to(self.device)
            mask = data.mask[index].to(self.device)
            terms, out = self.model.elbo(x, mask, tau, views(index, x, mask))
            if not torch.isfinite(terms.loss):
                raise self.diverged(f"loss became {float(terms.loss.detach())}", epoch, terms)
            self.optimizer.zero_grad()
            terms.loss.backward()
            # A finite loss can still have NaN/inf gradients; stepping on them would turn the
            # weights into NaN and the next batch would fail far from the cause.
            grads = [p.grad for p in self.model.parameters() if p.grad is not None]
            if not torch.isfinite(torch.nn.utils.get_total_norm(grads)):
                raise self.diverged("gradients became non-finite", epoch, terms)
            self.optimizer.step()
            for name, value in terms.as_floats().items():
                totals[name] = totals.get(name, 0.0) + value * len(index)
            usage += torch.bincount(out.cluster_probs.argmax(1).cpu(), minlength=len(usage))
        record = {name: value / len(data) for name, value in totals.items()}
        record.update(epoch=epoch + 1, tau=tau, lr=lr, cluster_usage=usage.tolist())
        return record

    def diverged(self, what: str, epoch: int, terms: ElboTerms) -> TrainingDivergedError:
        """The error for a loss or gradients become NaN or infinite: whether a checkpoint
        is kept (none is before the first is written), and the cause the terms show, not a
        guess: a term itself non-finite (the model diverged), or finite terms whose
        weighted sum is not (a weight too large for float32)."""
        values, path = terms.as_floats(), self.run_dir / CHECKPOINT_NAME
        kept = (
            f"the last good checkpoint {path} is kept"
            if path.exists()
            else "no checkpoint exists yet"
        )
        bad = [name for name, value in values.items() if name != "loss" and not isfinite(value)]
        if bad:
            cause = f"Its {', '.join(bad)} became non-finite: try a lower learning rate"
        elif not isfinite(values["loss"]):
            weights = {k: v for k, v in self.model_config.to_dict().items() if k.endswith("weight")}
            largest = max(weights, key=lambda name: abs(weights[name]))
            cause = (
                "Every term is finite but their weighted sum is not: a weight is too large "
                f"for float32 ({largest} {weights[largest]:g}); use a smaller one"
            )
        else:
            cause = "Try a lower learning rate or smaller weights"
        return TrainingDivergedError(f"{what} in epoch {epoch + 1} ({values}); {kept}. {cause}")

    def view_pairs(self, data: FeatureSet, epoch: int):
        """A function giving each batch (clip indices, features, mask) the consistency
        term's two views when the model has one (``None`` otherwise): an augmentation of
        each clip, or, pairing neighbours, an augmentation of each clip and of one of its
        mined neighbours drawn at random. Every draw depends only on (seed, epoch)."""
        cfg = self.model_config
        if not cfg.consistency_weight:
            return lambda index, x, mask: None
        augment_config = self.train_config.augment or AugmentConfig()
        generator = epoch_generator(self.train_config.seed + 1, epoch)

        def view(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return augment(x, mask, augment_config, generator)[0]

        if not cfg.neighbours:
            return lambda index, x, mask: ViewPair(None, view(x, mask))
        table = self.current_neighbours(data, epoch)

        def pair(index: torch.Tensor, x: torch.Tensor, mask: torch.Tensor) -> ViewPair:
            pick = torch.randint(cfg.neighbours, (len(index),), generator=generator)
            other = table[index, pick]
            x_other = data.features[other].to(self.device)
            return ViewPair(view(x, mask), view(x_other, data.mask[other].to(self.device)))

        return pair

    def current_neighbours(self, data: FeatureSet, epoch: int) -> torch.Tensor:
        """Each training clip's mined neighbours for ``epoch``: in the features until the
        first refresh, then (``neighbour_space == "z"``) in the model's z means, mined
        again every ``neighbour_refresh`` epochs. Kept in checkpoints, so a resumed run
        pairs the clips it would have paired."""
        cfg = self.model_config
        if self.neighbours is None:
            self.neighbours = mine_neighbours(data.features, cfg.neighbours)
        refresh = cfg.neighbour_space == "z" and epoch > 0 and epoch % cfg.neighbour_refresh == 0
        if refresh:
            z = embed_batches(self.model, data.features).z_mean
            self.model.train()
            self.neighbours = mine_neighbours(z, cfg.neighbours)
        return self.neighbours

    def fit(self, data: FeatureSet) -> TrainResult:
        """Train to ``epochs``, resuming from the run folder's checkpoint when present,
        holding the folder's lock throughout (another live training there is refused)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with RunLock(self.run_dir):
            self.resume()
            cfg = self.train_config
            mc = self.model_config
            epochs = range(self.start_epoch, cfg.epochs)
            for epoch in tqdm(epochs, desc="training", disable=not self.progress, unit="epoch"):
                start = None
                if mc.pseudo_label_epochs and epoch == mc.pseudo_label_after:
                    args = (cfg.batch_size, cfg.lr_start, cfg.seed, self.device)
                    start = warm_start_clusters(self.model, data, *args)
                record = self.run_epoch(data, epoch)
                if start is not None:
                    record["warm_start"] = start  # where q(y|x) started: K-means' clusters
                self.history.append(record)
                write_json(self.run_dir / HISTORY_NAME, self.history)
                if (epoch + 1) % cfg.checkpoint_every == 0 or epoch + 1 == cfg.epochs:
                    self.save_checkpoint(epoch)
        self.model.eval()
        return TrainResult(self.model, self.history, self.data_identity)


def train(
    model_config: ModelConfig,
    train_config: TrainConfig,
    data: FeatureSet,
    run_dir: Path,
    device: torch.device | None = None,
    progress: bool = True,
    data_identity: dict | None = None,
) -> TrainResult:
    """Train (or resume) one model on normalised features; see :class:`Trainer`.
    ``data_identity`` (what the features are: ``PreparedData.identity()``) is stored in
    the checkpoints, so that a reader can refuse one trained on other data."""
    trainer = Trainer(model_config, train_config, run_dir, device, progress, data_identity)
    return trainer.fit(data)


def load_trained(run_dir: Path, device: torch.device | None = None) -> TrainResult:
    """The model and history stored in a run folder's checkpoint."""
    path = Path(run_dir) / CHECKPOINT_NAME
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}; train first (catuvac train)")
    state = read_checkpoint(path, device or "cpu")
    model = build_model(ModelConfig(**state["identity"]["model"]))
    model.load_state_dict(state["model"])
    return TrainResult(model.eval(), state["history"], state.get("data"))
