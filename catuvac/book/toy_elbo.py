"""A toy M2 model whose marginal likelihood is exact, to check the ELBO of eq. 7 by numbers.

The generative model has the structure of Cat. UVAC, eq. 1, with linear-Gaussian pieces:

* ``y ~ Cat(pi)`` with ``K`` states, ``z ~ N(0, I_d)``, ``y`` and ``z`` independent;
* ``x | y, z ~ N(W_y z + b_y, sigma^2 I_D)``.

Integrating ``z`` out gives ``p(x | y) = N(b_y, W_y W_y^T + sigma^2 I)``, so ``p(x)`` is a
Gaussian mixture with a closed form, and so are the true posteriors ``p(y | x)`` and
``p(z | x, y)``. For a variational posterior with the paper's factorisation (eq. 3),
``q(y, z | x) = q(y | x) q(z | x, y)`` with a categorical ``q(y | x)`` and Gaussian
``q(z | x, y)``, every term of the ELBO is also closed form. That lets the book show
``ELBO <= log p(x)`` and ``log p(x) - ELBO = KL(q(y, z | x) || p(y, z | x))`` exactly.

Everything is float64 NumPy for one observation ``x`` (a vector of length ``D``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

LOG_2PI = math.log(2.0 * math.pi)


def gaussian_log_density(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> float:
    """``log N(x; mean, cov)`` for one vector, through a Cholesky factor."""
    chol = np.linalg.cholesky(cov)
    solved = np.linalg.solve(chol, x - mean)
    log_det = 2.0 * np.log(np.diag(chol)).sum()
    return float(-0.5 * (len(x) * LOG_2PI + log_det + solved @ solved))


def gaussian_kl(
    mean_q: np.ndarray, cov_q: np.ndarray, mean_p: np.ndarray, cov_p: np.ndarray
) -> float:
    """``KL(N(mean_q, cov_q) || N(mean_p, cov_p))`` for full covariance matrices."""
    d = len(mean_q)
    inv_p = np.linalg.inv(cov_p)
    gap = mean_p - mean_q
    _, log_det_p = np.linalg.slogdet(cov_p)
    _, log_det_q = np.linalg.slogdet(cov_q)
    return float(0.5 * (np.trace(inv_p @ cov_q) + gap @ inv_p @ gap - d + log_det_p - log_det_q))


def categorical_kl(q: np.ndarray, p: np.ndarray) -> float:
    """``KL(Cat(q) || Cat(p)) = sum_k q_k log(q_k / p_k)``, with ``0 log 0 = 0``."""
    q, p = np.asarray(q, dtype=float), np.asarray(p, dtype=float)
    support = q > 0
    return float((q[support] * (np.log(q[support]) - np.log(p[support]))).sum())


@dataclass(frozen=True)
class ToyPosterior:
    """A variational posterior ``q(y | x) q(z | x, y)`` for one observation.

    ``probs`` is ``[K]`` (``q(y | x)``); ``means`` ``[K, d]`` and ``covs`` ``[K, d, d]`` give
    the Gaussian ``q(z | x, y = k)`` for each state ``k``.
    """

    probs: np.ndarray
    means: np.ndarray
    covs: np.ndarray

    def __post_init__(self) -> None:
        if not np.isclose(self.probs.sum(), 1.0) or (self.probs < 0).any():
            raise ValueError(f"q(y|x) must be a probability vector; got {self.probs}")
        k, d = self.means.shape
        if self.probs.shape != (k,) or self.covs.shape != (k, d, d):
            raise ValueError(
                f"shapes disagree: probs {self.probs.shape}, means {self.means.shape}, "
                f"covs {self.covs.shape}; expected ({k},), ({k}, {d}), ({k}, {d}, {d})"
            )


@dataclass(frozen=True)
class ToyModel:
    """``p(x, y, z) = N(x; W_y z + b_y, sigma^2 I) Cat(y; pi) N(z; 0, I)``.

    ``weights`` is ``[K, D, d]``, ``biases`` ``[K, D]``, ``prior`` ``[K]``.
    """

    weights: np.ndarray
    biases: np.ndarray
    noise_std: float
    prior: np.ndarray

    @property
    def n_states(self) -> int:
        return self.weights.shape[0]

    @property
    def data_dim(self) -> int:
        return self.weights.shape[1]

    @property
    def latent_dim(self) -> int:
        return self.weights.shape[2]

    def marginal_cov(self, k: int) -> np.ndarray:
        """Covariance of ``p(x | y = k)``: ``W_k W_k^T + sigma^2 I``."""
        w = self.weights[k]
        return w @ w.T + self.noise_std**2 * np.eye(self.data_dim)

    def log_joint_y(self, x: np.ndarray) -> np.ndarray:
        """``log p(x, y = k) = log pi_k + log N(x; b_k, W_k W_k^T + sigma^2 I)`` for every k."""
        return np.array(
            [
                math.log(self.prior[k])
                + gaussian_log_density(x, self.biases[k], self.marginal_cov(k))
                for k in range(self.n_states)
            ]
        )

    def log_marginal(self, x: np.ndarray) -> float:
        """Exact ``log p(x)``: the log of a K-component Gaussian mixture density."""
        return float(logsumexp(self.log_joint_y(x)))

    def posterior_y(self, x: np.ndarray) -> np.ndarray:
        """Exact ``p(y | x)`` (Bayes' theorem over the K mixture components)."""
        log_joint = self.log_joint_y(x)
        return np.exp(log_joint - logsumexp(log_joint))

    def posterior_z(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact ``p(z | x, y = k)``: mean and covariance of a Gaussian (linear-Gaussian model)."""
        w, s2 = self.weights[k], self.noise_std**2
        cov = np.linalg.inv(np.eye(self.latent_dim) + w.T @ w / s2)
        mean = cov @ w.T @ (x - self.biases[k]) / s2
        return mean, cov

    def exact_posterior(self, x: np.ndarray) -> ToyPosterior:
        """The true posterior written as a :class:`ToyPosterior`: it makes the ELBO tight."""
        moments = [self.posterior_z(x, k) for k in range(self.n_states)]
        return ToyPosterior(
            self.posterior_y(x),
            np.stack([m for m, _ in moments]),
            np.stack([c for _, c in moments]),
        )

    def expected_log_likelihood(self, x: np.ndarray, k: int, mean: np.ndarray, cov: np.ndarray):
        """``E_{z ~ N(mean, cov)} log N(x; W_k z + b_k, sigma^2 I)`` in closed form."""
        w, s2 = self.weights[k], self.noise_std**2
        residual = x - w @ mean - self.biases[k]
        spread = np.trace(w @ cov @ w.T)
        return float(
            -0.5 * self.data_dim * (LOG_2PI + math.log(s2))
            - (residual @ residual + spread) / (2 * s2)
        )

    def elbo_terms(self, x: np.ndarray, q: ToyPosterior) -> dict[str, float]:
        """The three terms of eq. 7 in closed form, and the ELBO they add up to.

        ``reconstruction`` is ``E_q[log p(x | y, z)]`` (a log-likelihood, larger is better),
        ``kl_z`` is ``E_{q(y|x)} KL(q(z | x, y) || p(z))`` and ``kl_y`` is
        ``KL(q(y | x) || p(y))``; ``elbo = reconstruction - kl_z - kl_y``.
        """
        zero, eye = np.zeros(self.latent_dim), np.eye(self.latent_dim)
        reconstruction = sum(
            q.probs[k] * self.expected_log_likelihood(x, k, q.means[k], q.covs[k])
            for k in range(self.n_states)
        )
        kl_z = sum(
            q.probs[k] * gaussian_kl(q.means[k], q.covs[k], zero, eye) for k in range(self.n_states)
        )
        kl_y = categorical_kl(q.probs, self.prior)
        return {
            "reconstruction": float(reconstruction),
            "kl_z": float(kl_z),
            "kl_y": kl_y,
            "elbo": float(reconstruction - kl_z - kl_y),
        }

    def elbo(self, x: np.ndarray, q: ToyPosterior, lambda_weight: float = 1.0) -> float:
        """Closed-form ELBO, with ``lambda_weight`` multiplying ``KL(q(y | x) || p(y))``.

        With ``lambda_weight = 1`` this is eq. 7 and a lower bound on ``log p(x)``; with
        ``lambda_weight >= 1`` it stays a (looser) bound; below 1 it can exceed ``log p(x)``.
        """
        terms = self.elbo_terms(x, q)
        return terms["reconstruction"] - terms["kl_z"] - lambda_weight * terms["kl_y"]

    def kl_to_posterior(self, x: np.ndarray, q: ToyPosterior) -> float:
        """``KL(q(y, z | x) || p(y, z | x))``, split by the chain rule of KL.

        ``= KL(q(y|x) || p(y|x)) + sum_k q(k|x) KL(q(z|x,k) || p(z|x,k))``; by eq. 6 it
        equals ``log p(x) - ELBO``.
        """
        total = categorical_kl(q.probs, self.posterior_y(x))
        for k in range(self.n_states):
            if q.probs[k] > 0:
                mean, cov = self.posterior_z(x, k)
                total += q.probs[k] * gaussian_kl(q.means[k], q.covs[k], mean, cov)
        return float(total)

    def elbo_monte_carlo(
        self, x: np.ndarray, q: ToyPosterior, n_samples: int, seed: int
    ) -> tuple[float, float]:
        """Monte Carlo ELBO ``E_q[log p(x, y, z) - log q(y, z | x)]`` and its standard error.

        Draws ``y ~ q(y | x)`` then ``z ~ q(z | x, y)``, exactly as eq. 5 reads.
        """
        rng = np.random.default_rng(seed)
        states = rng.choice(self.n_states, size=n_samples, p=q.probs)
        values = np.empty(n_samples)
        eye, zero = np.eye(self.latent_dim), np.zeros(self.latent_dim)
        noise_cov = self.noise_std**2 * np.eye(self.data_dim)
        for i, k in enumerate(states):
            z = rng.multivariate_normal(q.means[k], q.covs[k])
            log_p = (
                math.log(self.prior[k])
                + gaussian_log_density(z, zero, eye)
                + gaussian_log_density(x, self.weights[k] @ z + self.biases[k], noise_cov)
            )
            log_q = math.log(q.probs[k]) + gaussian_log_density(z, q.means[k], q.covs[k])
            values[i] = log_p - log_q
        return float(values.mean()), float(values.std(ddof=1) / math.sqrt(n_samples))

    def sample(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ancestral samples ``(x [n, D], y [n], z [n, d])`` from the generative model."""
        rng = np.random.default_rng(seed)
        y = rng.choice(self.n_states, size=n, p=self.prior)
        z = rng.standard_normal((n, self.latent_dim))
        mean = np.einsum("nij,nj->ni", self.weights[y], z) + self.biases[y]
        x = mean + self.noise_std * rng.standard_normal((n, self.data_dim))
        return x, y, z


def make_toy_model(
    n_states: int = 3,
    data_dim: int = 2,
    latent_dim: int = 1,
    noise_std: float = 0.5,
    seed: int = 0,
) -> ToyModel:
    """A toy model with cluster centres on a circle of radius 3 and random loadings ``W``.

    The prior ``p(y)`` is uniform, as in Cat. UVAC.
    """
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_states) / n_states
    centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    biases = np.zeros((n_states, data_dim))
    biases[:, : min(2, data_dim)] = centres[:, : min(2, data_dim)]
    weights = rng.normal(0.0, 1.0, size=(n_states, data_dim, latent_dim))
    return ToyModel(weights, biases, noise_std, np.full(n_states, 1.0 / n_states))


def candidate_posteriors(model: ToyModel, x: np.ndarray) -> dict[str, ToyPosterior]:
    """Variational posteriors of decreasing quality for one observation ``x``.

    * ``exact posterior``: ``q = p(y, z | x)``, the ELBO is tight;
    * ``uniform q(y|x)``: the exact ``q(z | x, y)`` but a uniform ``q(y | x)``;
    * ``q(z|x) ignores y``: exact ``q(y | x)``, one shared Gaussian for every ``y``;
    * ``prior q(z|x,y)``: exact ``q(y | x)`` but ``q(z | x, y) = p(z) = N(0, I)``;
    * ``one-hot q(y|x)``: all mass on the most probable state, what a near-categorical
      ``q(y | x)`` does; the gap is then ``-log p(y* | x)`` plus nothing from ``z``.
    """
    exact = model.exact_posterior(x)
    k, d = exact.means.shape
    uniform = np.full(k, 1.0 / k)
    shared_mean = (exact.probs[:, None] * exact.means).sum(axis=0)
    shared_cov = np.eye(d)
    one_hot = np.eye(k)[int(np.argmax(exact.probs))]
    return {
        "exact posterior": exact,
        "uniform q(y|x)": ToyPosterior(uniform, exact.means, exact.covs),
        "q(z|x) ignores y": ToyPosterior(
            exact.probs, np.tile(shared_mean, (k, 1)), np.tile(shared_cov, (k, 1, 1))
        ),
        "prior q(z|x,y)": ToyPosterior(
            exact.probs, np.zeros((k, d)), np.tile(np.eye(d), (k, 1, 1))
        ),
        "one-hot q(y|x)": ToyPosterior(one_hot, exact.means, exact.covs),
    }


def interpolate_probs(model: ToyModel, x: np.ndarray, alphas: np.ndarray) -> list[ToyPosterior]:
    """Posteriors whose ``q(y | x)`` moves from uniform (alpha 0) to exact (alpha 1).

    ``q(z | x, y)`` is exact throughout, so the ELBO gap is ``KL(q(y | x) || p(y | x))``.
    """
    exact = model.exact_posterior(x)
    uniform = np.full(model.n_states, 1.0 / model.n_states)
    return [
        ToyPosterior((1 - a) * uniform + a * exact.probs, exact.means, exact.covs) for a in alphas
    ]


def elbo_report(
    model: ToyModel, x: np.ndarray, posteriors: dict[str, ToyPosterior]
) -> list[dict[str, float | str]]:
    """For each named posterior: the ELBO terms, ``log p(x)``, the gap and the exact KL."""
    log_px = model.log_marginal(x)
    rows: list[dict[str, float | str]] = []
    for name, q in posteriors.items():
        terms = model.elbo_terms(x, q)
        rows.append(
            {
                "posterior": name,
                **terms,
                "log_px": log_px,
                "gap": log_px - terms["elbo"],
                "kl_to_posterior": model.kl_to_posterior(x, q),
            }
        )
    return rows


def format_elbo_report(rows: list[dict[str, float | str]], digits: int = 3) -> str:
    """A plain-text table of :func:`elbo_report` rows with values rounded to ``digits``.

    Rounded zeros print as ``0.000``, never ``-0.000``, so the text is stable.
    """
    columns = [
        ("posterior", "q(y, z | x)"),
        ("reconstruction", "E[log p(x|y,z)]"),
        ("kl_z", "KL_z"),
        ("kl_y", "KL_y"),
        ("elbo", "ELBO"),
        ("log_px", "log p(x)"),
        ("gap", "gap"),
        ("kl_to_posterior", "KL(q||p(y,z|x))"),
    ]

    def cell(value: float | str) -> str:
        return value if isinstance(value, str) else f"{round(value, digits) + 0.0:.{digits}f}"

    table = [[title for _, title in columns]] + [[cell(r[key]) for key, _ in columns] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
