"""Poisson and negative binomial (NB2) regression, and Student's t, in NumPy alone.

Decision: the trigger analysis (`triggers.py`) needs a Poisson GLM, an NB2 model fitted by
maximum likelihood, and Student's t distribution. statsmodels and scipy.stats provide them, but
importing them takes about 1.2 s -- more than the whole budget of `facespasm diary triggers`
(< 1 s cold for a year of data, issue 12). These are the textbook algorithms, which give the same
estimates to within their convergence tolerance (`tests/diary/test_count_regression.py` checks
them against statsmodels and SciPy):

- **Poisson GLM** with the log link, by iteratively reweighted least squares (McCullagh & Nelder
  1989, Generalized Linear Models, §2.5); standard errors from the inverse Fisher information.
- **NB2** (variance μ + αμ²; Cameron & Trivedi 2013, Regression Analysis of Count Data, §3.3):
  Newton-Raphson on the full log-likelihood in (β, α) from the Poisson estimates, with step
  halving; standard errors from the inverse of the observed information (the negative Hessian)
  at the maximum -- what statsmodels' `NegativeBinomial(loglike_method="nb2")` reports.
- **Student's t**: the upper tail through the regularised incomplete beta function, evaluated by
  its continued fraction (Press et al., Numerical Recipes, 3rd ed., §6.4), and the quantile by
  bisection on it. The digamma and trigamma functions the NB2 derivatives need come from their
  recurrences and asymptotic series (Abramowitz & Stegun 6.3.18, 6.4.12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

# Newton and IRLS stop when no parameter moves by more than this (statsmodels' default, 1e-8).
TOLERANCE = 1e-8
MAX_ITERATIONS = 100
# Below this argument the digamma and trigamma series are reached by recurrence.
_SERIES_FROM = 10.0


@dataclass(frozen=True, eq=False)
class PoissonFit:
    """A Poisson GLM's estimates.

    Attributes:
        params: the coefficients.
        bse: their standard errors (scale 1).
        fitted: the fitted means.
        pearson_chi2: Σ (y - μ)² / μ.
        df_resid: observations less coefficients.
        converged: whether IRLS settled.
    """

    params: Vector
    bse: Vector
    fitted: Vector
    pearson_chi2: float
    df_resid: float
    converged: bool


@dataclass(frozen=True, eq=False)
class NegativeBinomialFit:
    """An NB2 model's estimates: the coefficients, then the dispersion α, last.

    Attributes:
        params: β..., α.
        bse: their standard errors.
        converged: whether Newton settled at a maximum with α > 0.
    """

    params: Vector
    bse: Vector
    converged: bool


def poisson_fit(y: Vector, design: Matrix) -> PoissonFit:
    """Fit a Poisson GLM with the log link by iteratively reweighted least squares.

    Args:
        y: the counts.
        design: the design matrix (a constant column included).

    Returns:
        The estimates.

    Raises:
        ValueError: the design matrix is singular.
    """
    mu = (y + y.mean()) / 2.0
    eta = np.log(mu)
    beta = np.zeros(design.shape[1])
    converged = False
    for _ in range(MAX_ITERATIONS):
        z = eta + (y - mu) / mu
        weighted = design * mu[:, None]
        new = _solve(design.T @ weighted, weighted.T @ z)
        change = float(np.max(np.abs(new - beta)))
        beta = new
        eta = design @ beta
        mu = np.exp(eta)
        if change < TOLERANCE:
            converged = True
            break
    information = design.T @ (design * mu[:, None])
    bse = np.sqrt(np.diag(_inverse(information)))
    pearson = float(np.sum((y - mu) ** 2 / mu))
    return PoissonFit(beta, bse, mu, pearson, float(len(y) - design.shape[1]), converged)


def negative_binomial_fit(y: Vector, design: Matrix, start: Vector) -> NegativeBinomialFit:
    """Fit an NB2 model by Newton-Raphson on (β, α), from `start`.

    Args:
        y: the counts.
        design: the design matrix (a constant column included).
        start: starting values, β then α (> 0).

    Returns:
        The estimates; `converged` is False when Newton did not settle at a maximum.
    """
    params = np.asarray(start, dtype=np.float64).copy()
    current = nb2_loglike(y, design, params)
    converged = False
    for _ in range(MAX_ITERATIONS):
        gradient, hessian = _nb2_derivatives(y, design, params)
        try:
            step = _solve(hessian, -gradient)
        except ValueError:
            break
        scale = 1.0
        while scale > 1e-10:
            candidate = params + scale * step
            if candidate[-1] > 0:
                value = nb2_loglike(y, design, candidate)
                if math.isfinite(value) and value >= current - 1e-12 * abs(current):
                    break
            scale /= 2.0
        else:
            break
        change = float(np.max(np.abs(candidate - params)))
        params, current = candidate, value
        if change < TOLERANCE:
            converged = True
            break
    gradient, hessian = _nb2_derivatives(y, design, params)
    try:
        covariance = _inverse(-hessian)
    except ValueError:
        return NegativeBinomialFit(params, np.full(len(params), np.nan), False)
    variances = np.diag(covariance)
    negative_definite = bool(np.all(np.linalg.eigvalsh(hessian) < 0))
    bse = np.sqrt(np.where(variances > 0, variances, np.nan))
    return NegativeBinomialFit(params, bse, converged and negative_definite and params[-1] > 0)


def nb2_loglike(y: Vector, design: Matrix, params: Vector) -> float:
    """The NB2 log-likelihood at (β, α).

    Args:
        y: the counts.
        design: the design matrix.
        params: β then α (> 0).

    Returns:
        Σ log P(y | μ = exp(Xβ), α).
    """
    alpha = float(params[-1])
    theta = 1.0 / alpha
    mu = np.exp(design @ params[:-1])
    gammas = _log_gamma(y + theta) - math.lgamma(theta) - _log_gamma(y + 1.0)
    return float(
        np.sum(gammas - theta * np.log1p(alpha * mu) + y * np.log(alpha * mu / (1.0 + alpha * mu)))
    )


def _nb2_derivatives(y: Vector, design: Matrix, params: Vector) -> tuple[Vector, Matrix]:
    """The NB2 log-likelihood's gradient and Hessian in (β, α)."""
    alpha = float(params[-1])
    theta = 1.0 / alpha
    mu = np.exp(design @ params[:-1])
    one_plus = 1.0 + alpha * mu
    score_beta = design.T @ ((y - mu) / one_plus)
    # d/dθ of the log-likelihood, then the chain rule with dθ/dα = -θ².
    h = digamma(y + theta) - digamma(np.full(1, theta))[0] - np.log1p(mu / theta)
    h += (mu - y) / (theta + mu)
    score_alpha = float(np.sum(-(theta**2) * h))
    h_prime = trigamma(y + theta) - trigamma(np.full(1, theta))[0]
    h_prime += mu / (theta * (theta + mu)) - (mu - y) / (theta + mu) ** 2
    d2_alpha = float(np.sum(2.0 * theta**3 * h + theta**4 * h_prime))
    d2_beta = -(design.T @ (design * (mu * (1.0 + alpha * y) / one_plus**2)[:, None]))
    d2_cross = design.T @ (-(y - mu) * mu / one_plus**2)
    size = design.shape[1]
    hessian = np.empty((size + 1, size + 1))
    hessian[:size, :size] = d2_beta
    hessian[:size, size] = d2_cross
    hessian[size, :size] = d2_cross
    hessian[size, size] = d2_alpha
    return np.append(score_beta, score_alpha), hessian


def digamma(x: Vector) -> Vector:
    """ψ(x) for x > 0: recurrence up to 10, then the asymptotic series (A&S 6.3.18)."""
    x = np.asarray(x, dtype=np.float64).copy()
    shift = np.zeros_like(x)
    while np.any(small := x < _SERIES_FROM):
        shift[small] -= 1.0 / x[small]
        x[small] += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (
        1 / 12
        - inv2
        * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * 691 / 32760))))
    )
    return np.asarray(shift + np.log(x) - 0.5 / x - series, dtype=np.float64)


def trigamma(x: Vector) -> Vector:
    """ψ′(x) for x > 0: recurrence up to 10, then the asymptotic series (A&S 6.4.12)."""
    x = np.asarray(x, dtype=np.float64).copy()
    shift = np.zeros_like(x)
    while np.any(small := x < _SERIES_FROM):
        shift[small] += 1.0 / x[small] ** 2
        x[small] += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = (
        inv
        + inv2 / 2
        + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * 5 / 66))))
    )
    return np.asarray(shift + series, dtype=np.float64)


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with `df` degrees of freedom.

    Args:
        t: the statistic.
        df: degrees of freedom (> 0).

    Returns:
        The upper-tail probability.
    """
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_ppf(q: float, df: float) -> float:
    """The q-quantile of Student's t with `df` degrees of freedom (bisection on `t_sf`).

    Args:
        q: the probability, in (0, 1).
        df: degrees of freedom (> 0).

    Returns:
        t with P(T ≤ t) = q.
    """
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    low, high = 0.0, 1.0
    while t_sf(high, df) > 1.0 - q:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_sf(middle, df) > 1.0 - q:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * max(1.0, high):
            break
    return (low + high) / 2.0


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (Numerical Recipes §6.4)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by Lentz's method."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
            last = d * c
        if abs(last - 1.0) < 1e-15:
            break
    return h


def _log_gamma(x: Vector) -> Vector:
    """The log of Γ(x), element by element (NumPy has none; a diary has a few thousand days)."""
    return np.fromiter((math.lgamma(value) for value in x), dtype=np.float64, count=len(x))


def _solve(matrix: Matrix, vector: Vector) -> Vector:
    try:
        return np.asarray(np.linalg.solve(matrix, vector), dtype=np.float64)
    except np.linalg.LinAlgError as error:
        raise ValueError(f"singular matrix ({error})") from None


def _inverse(matrix: Matrix) -> Matrix:
    try:
        return np.asarray(np.linalg.inv(matrix), dtype=np.float64)
    except np.linalg.LinAlgError as error:
        raise ValueError(f"singular matrix ({error})") from None
