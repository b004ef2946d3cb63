"""The NumPy count regressions give statsmodels' estimates, and Student's t SciPy's values.

`count_regression` exists so that `diary triggers` need not import statsmodels and scipy.stats
(1.2 s); these tests hold it to the libraries it replaces.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.discrete.discrete_model import NegativeBinomial  # type: ignore[import-untyped]
from statsmodels.genmod.families import Poisson  # type: ignore[import-untyped]
from statsmodels.genmod.generalized_linear_model import GLM  # type: ignore[import-untyped]

from facespasm.diary.count_regression import (
    digamma,
    negative_binomial_fit,
    poisson_fit,
    t_ppf,
    t_sf,
    trigamma,
)


def counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Overdispersed counts on 2-7 standardised terms, 40-400 days, like a diary's."""
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(40, 400)), int(rng.integers(2, 8))
    design = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    beta = rng.normal(0, 0.3, p)
    beta[0] = np.log(rng.uniform(1, 10))
    mu = np.exp(design @ beta)
    alpha = rng.uniform(0.05, 1.5)
    return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float), design


@pytest.mark.parametrize("seed", range(12))
def test_the_poisson_glm_matches_statsmodels(seed: int) -> None:
    y, design = counts(seed)
    expected = GLM(y, design, family=Poisson()).fit()
    fit = poisson_fit(y, design)
    assert fit.converged
    assert fit.params == pytest.approx(expected.params, abs=1e-6)
    assert fit.bse == pytest.approx(expected.bse, rel=1e-6)
    assert fit.pearson_chi2 == pytest.approx(expected.pearson_chi2, rel=1e-6)
    assert fit.df_resid == expected.df_resid


@pytest.mark.parametrize("seed", range(12))
def test_the_negative_binomial_matches_statsmodels(seed: int) -> None:
    y, design = counts(seed)
    poisson = poisson_fit(y, design)
    mu = poisson.fitted
    start = np.append(poisson.params, max(float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2)), 0.05))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own remarks are not under test
        expected = NegativeBinomial(y, design, loglike_method="nb2").fit(
            start_params=start, method="newton", maxiter=100, disp=False
        )
    fit = negative_binomial_fit(y, design, start)
    assert fit.converged == expected.mle_retvals["converged"]
    assert fit.params == pytest.approx(expected.params, abs=1e-8)
    assert fit.bse == pytest.approx(expected.bse, rel=1e-8)


def test_digamma_and_trigamma_match_scipy() -> None:
    x = np.concatenate([np.linspace(1e-3, 1, 50), np.linspace(1, 500, 500)])
    assert digamma(x) == pytest.approx(special.digamma(x), abs=1e-12)
    assert trigamma(x) == pytest.approx(special.polygamma(1, x), rel=1e-12)


@pytest.mark.parametrize("df", [1, 2.5, 5, 30, 88, 400])
def test_students_t_matches_scipy(df: float) -> None:
    for t in (-6.0, -1.2, 0.0, 0.3, 1.96, 4.0, 12.0):
        assert t_sf(t, df) == pytest.approx(stats.t.sf(t, df), abs=1e-12)
    for q in (0.025, 0.6, 0.975, 0.995):
        assert t_ppf(q, df) == pytest.approx(stats.t.ppf(q, df), abs=1e-9)
