"""Parity of d2l_opt with torch.optim (the independent reference), float64, 1000 steps.

Hyper-parameters come from hypothesis; explicit examples pin the variants the issue names
(centered, momentum, nesterov, dampening, amsgrad, weight_decay, maximize). The gradient
depends on the parameters (a noisy quadratic), so a difference in one step feeds into the
next: agreement after 1000 steps means the update rules agree, not just one step.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import d2l_opt.optim as ours
from d2l_opt import rules

SHAPES = [(7,), (3, 4), (2, 1, 3)]
STEPS = 1000
RTOL = 1e-6
ATOL = 1e-9
SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

TORCH = {
    "SGD": torch.optim.SGD,
    "Adagrad": torch.optim.Adagrad,
    "RMSprop": torch.optim.RMSprop,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
}


class NoisyQuadratic:
    """g = sign * c * p + noise_t: the same gradient function for every implementation."""

    def __init__(self, seed: int, maximize: bool):
        rng = np.random.default_rng(seed)
        self.init = [rng.standard_normal(s) for s in SHAPES]
        self.curv = [rng.uniform(0.5, 2.0, s) for s in SHAPES]
        self.noise = [0.5 * rng.standard_normal((STEPS, *s)) for s in SHAPES]
        self.sign = -1.0 if maximize else 1.0

    def grads(self, params, t):
        return [
            self.sign * c * p + n[t] for p, c, n in zip(params, self.curv, self.noise, strict=True)
        ]


def run_torch_optimizer(cls, problem, kwargs, record_every=100):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in problem.init]
    opt = cls(params, **kwargs)
    history = []
    for t in range(STEPS):
        with torch.no_grad():
            grads = problem.grads([p.numpy() for p in params], t)
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(np.ascontiguousarray(g))
        opt.step()
        if (t + 1) % record_every == 0:
            history.append([p.detach().numpy().copy() for p in params])
    return history


def run_numpy_rule(rule, problem, record_every=100):
    params = [x.copy() for x in problem.init]
    states = [rule.init(p) for p in params]
    history = []
    for t in range(STEPS):
        grads = problem.grads(params, t)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            params[i], states[i] = rule.update(p, g, states[i])
        if (t + 1) % record_every == 0:
            history.append([p.copy() for p in params])
    return history


def assert_histories_close(actual, expected, rtol=RTOL, atol=ATOL):
    assert len(actual) == len(expected)
    for k, (a_list, e_list) in enumerate(zip(actual, expected, strict=True)):
        for a, e in zip(a_list, e_list, strict=True):
            assert np.all(np.isfinite(e)), "reference diverged: the test settings are too wild"
            np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"record {k}")


def check_parity(name, kwargs, seed=0):
    maximize = kwargs.get("maximize", False)
    problem = NoisyQuadratic(seed, maximize)
    expected = run_torch_optimizer(TORCH[name], problem, {**kwargs, "foreach": False})
    actual = run_torch_optimizer(getattr(ours, name), problem, kwargs)
    assert_histories_close(actual, expected)
    # the numpy path: the same rule on numpy arrays
    numpy_path = run_numpy_rule(getattr(rules, name)(**kwargs), problem)
    assert_histories_close(numpy_path, actual, rtol=1e-9, atol=1e-12)


lrs = st.floats(1e-3, 0.05)
wds = st.sampled_from([0.0, 1e-3, 0.05])


@SETTINGS
@given(
    lr=st.floats(1e-3, 0.1),
    momentum=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
    dampening=st.sampled_from([0.0, 0.1, 0.9]),
    nesterov=st.booleans(),
    weight_decay=wds,
    maximize=st.booleans(),
)
@example(lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.01, maximize=True)
@example(lr=0.05, momentum=0.9, dampening=0.5, nesterov=False, weight_decay=0.0, maximize=False)
def test_sgd_parity(lr, momentum, dampening, nesterov, weight_decay, maximize):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    check_parity("SGD", dict(locals()))  # the test's arguments are the settings


@SETTINGS
@given(
    lr=st.floats(1e-3, 0.5),
    lr_decay=st.sampled_from([0.0, 1e-3, 0.1]),
    weight_decay=wds,
    initial_accumulator_value=st.sampled_from([0.0, 0.1, 1.0]),
    eps=st.sampled_from([1e-10, 1e-6, 1e-2]),
    maximize=st.booleans(),
)
@example(
    lr=0.3, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-10,
    maximize=True,
)  # fmt: skip
def test_adagrad_parity(lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize):
    check_parity("Adagrad", dict(locals()))  # the test's arguments are the settings


@SETTINGS
@given(
    lr=st.floats(1e-4, 0.02),
    alpha=st.floats(0.5, 0.999),
    eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
    weight_decay=wds,
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    centered=st.booleans(),
    maximize=st.booleans(),
)
@example(
    lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.01, momentum=0.9, centered=True, maximize=True
)
@example(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=True,
         maximize=False)  # fmt: skip
def test_rmsprop_parity(lr, alpha, eps, weight_decay, momentum, centered, maximize):
    check_parity("RMSprop", dict(locals()))  # the test's arguments are the settings


def adam_kwargs(settings: dict) -> dict:
    """The test's (beta1, beta2) as torch's betas pair."""
    kwargs = {key: value for key, value in settings.items() if key != "name"}
    kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    return kwargs


adam_settings = dict(
    lr=st.floats(1e-4, 0.05),
    beta1=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
    beta2=st.sampled_from([0.5, 0.9, 0.999, 0.9999]),
    eps=st.sampled_from([1e-10, 1e-8, 1e-3]),
    weight_decay=wds,
    amsgrad=st.booleans(),
    maximize=st.booleans(),
)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@SETTINGS
@given(**adam_settings)
@example(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.05, amsgrad=True,
         maximize=True)  # fmt: skip
@example(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.05, amsgrad=True,
         maximize=False)  # fmt: skip
def test_adam_and_adamw_parity(name, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize):
    check_parity(name, adam_kwargs(locals()))


def test_adam_decoupled_flag_matches_torch_adamw():
    kwargs = dict(lr=0.01, weight_decay=0.1)
    problem = NoisyQuadratic(3, False)
    expected = run_torch_optimizer(torch.optim.AdamW, problem, {**kwargs, "foreach": False})
    actual = run_torch_optimizer(ours.Adam, problem, {**kwargs, "decoupled_weight_decay": True})
    assert_histories_close(actual, expected)


@pytest.mark.parametrize("name", sorted(TORCH))
def test_float32_parity_and_dtype(name):
    """float32 keeps its dtype and follows torch's float32 run (looser: float32 rounding)."""
    problem = NoisyQuadratic(1, False)
    problem.init = [x.astype(np.float32) for x in problem.init]
    kwargs = {"lr": 0.01}

    def run(cls):
        params = [torch.tensor(x, requires_grad=True) for x in problem.init]
        opt = cls(params, **kwargs)
        for t in range(200):
            grads = problem.grads([p.detach().numpy() for p in params], t)
            for p, g in zip(params, grads, strict=True):
                p.grad = torch.from_numpy(g.astype(np.float32))
            opt.step()
        return params, opt

    expected, _ = run(TORCH[name])
    actual, opt = run(getattr(ours, name))
    for a, e in zip(actual, expected, strict=True):
        assert a.dtype == torch.float32
        np.testing.assert_allclose(a.detach().numpy(), e.detach().numpy(), rtol=1e-4, atol=1e-5)
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value) and key != "step":
                assert value.dtype == torch.float32, key
