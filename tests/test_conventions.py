"""Every row of the convention table, proven by running the source's own form from scratch.

Each reference below is a few lines of numpy written from the source's published update
(d2l's chapter code, the deeplearning.ai assignment, the CS231n notes, Keras 3 and optax
source); torch rows use torch.optim itself. The d2l_opt rule returned by from_convention must
follow the same trajectory on a noisy quadratic whose gradient depends on the iterate.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from d2l_opt import conventions
from d2l_opt.conventions import CONVENTIONS, from_convention, lookup, table
from d2l_opt.rules import Adam

DIM, STEPS = 5, 300
_rng = np.random.default_rng(0)
CURV = _rng.uniform(0.5, 3.0, DIM)
NOISE = _rng.standard_normal((STEPS, DIM))
X0 = _rng.standard_normal(DIM)


def grad_at(x, t, scale=1.0):
    return scale * (CURV * x + NOISE[t])


def run_rule(rule, scale=1.0):
    x, state, out = X0.copy(), rule.init(X0), []
    for t in range(STEPS):
        x, state = rule.update(x, grad_at(x, t, scale), state)
        out.append(x)
    return np.array(out)


def run_reference(step, state, scale=1.0):
    """``step(x, g, state, t) -> x`` with t counted from 1, state a dict it may update."""
    x, out = X0.copy(), []
    for t in range(STEPS):
        x = step(x, grad_at(x, t, scale), state, t + 1)
        out.append(x)
    return np.array(out)


def zeros():
    return np.zeros(DIM)


# --------------------------------------------------------------------- from-scratch forms


def d2l_momentum(eta, beta):
    def step(x, g, s, t):
        s["v"] = beta * s["v"] + g
        return x - eta * s["v"]

    return step, {"v": zeros()}


def d2l_adagrad(eta, eps):
    def step(x, g, s, t):
        s["s"] = s["s"] + g**2
        return x - eta * g / np.sqrt(s["s"] + eps)

    return step, {"s": zeros()}


def d2l_rmsprop(eta, gamma, eps):
    def step(x, g, s, t):
        s["s"] = gamma * s["s"] + (1 - gamma) * g**2
        return x - eta * g / np.sqrt(s["s"] + eps)

    return step, {"s": zeros()}


def d2l_adam(eta, beta1, beta2, eps):
    def step(x, g, s, t):
        s["v"] = beta1 * s["v"] + (1 - beta1) * g
        s["s"] = beta2 * s["s"] + (1 - beta2) * g**2
        v_hat = s["v"] / (1 - beta1**t)
        s_hat = s["s"] / (1 - beta2**t)
        return x - eta * v_hat / (np.sqrt(s_hat) + eps)

    return step, {"v": zeros(), "s": zeros()}


def dls_momentum(alpha, beta):
    def step(W, dW, s, t):
        s["v"] = beta * s["v"] + (1 - beta) * dW
        return W - alpha * s["v"]

    return step, {"v": zeros()}


def dls_rmsprop(alpha, beta2, epsilon):
    def step(W, dW, s, t):
        s["S"] = beta2 * s["S"] + (1 - beta2) * dW**2
        return W - alpha * dW / (np.sqrt(s["S"]) + epsilon)

    return step, {"S": zeros()}


def dls_adam(alpha, beta1, beta2, epsilon):
    def step(W, dW, s, t):
        s["v"] = beta1 * s["v"] + (1 - beta1) * dW
        v_corrected = s["v"] / (1 - beta1**t)
        s["s"] = beta2 * s["s"] + (1 - beta2) * dW**2
        s_corrected = s["s"] / (1 - beta2**t)
        return W - alpha * v_corrected / (np.sqrt(s_corrected) + epsilon)

    return step, {"v": zeros(), "s": zeros()}


def cs231n_momentum(learning_rate, mu):
    def step(x, dx, s, t):
        s["v"] = mu * s["v"] - learning_rate * dx
        return x + s["v"]

    return step, {"v": zeros()}


def cs231n_nesterov(learning_rate, mu):
    def step(x, dx, s, t):
        v_prev = s["v"]
        s["v"] = mu * s["v"] - learning_rate * dx
        return x - mu * v_prev + (1 + mu) * s["v"]

    return step, {"v": zeros()}


def cs231n_adagrad(learning_rate, eps):
    def step(x, dx, s, t):
        s["cache"] = s["cache"] + dx**2
        return x - learning_rate * dx / (np.sqrt(s["cache"]) + eps)

    return step, {"cache": zeros()}


def cs231n_rmsprop(learning_rate, decay_rate, eps):
    def step(x, dx, s, t):
        s["cache"] = decay_rate * s["cache"] + (1 - decay_rate) * dx**2
        return x - learning_rate * dx / (np.sqrt(s["cache"]) + eps)

    return step, {"cache": zeros()}


def cs231n_adam(learning_rate, beta1, beta2, eps):
    def step(x, dx, s, t):
        s["m"] = beta1 * s["m"] + (1 - beta1) * dx
        mt = s["m"] / (1 - beta1**t)
        s["v"] = beta2 * s["v"] + (1 - beta2) * dx**2
        vt = s["v"] / (1 - beta2**t)
        return x - learning_rate * mt / (np.sqrt(vt) + eps)

    return step, {"m": zeros(), "v": zeros()}


def keras_momentum(learning_rate, momentum, nesterov):
    def step(w, g, s, t):
        s["m"] = s["m"] * momentum - g * learning_rate
        if nesterov:
            return w + (s["m"] * momentum - g * learning_rate)
        return w + s["m"]

    return step, {"m": zeros()}


def keras_adagrad(learning_rate, initial_accumulator_value, epsilon):
    def step(w, g, s, t):
        s["acc"] = s["acc"] + g**2
        return w - learning_rate * g / np.sqrt(s["acc"] + epsilon)

    return step, {"acc": zeros() + initial_accumulator_value}


def keras_rmsprop(learning_rate, rho, momentum, epsilon, centered):
    def step(w, g, s, t):
        s["velocity"] = rho * s["velocity"] + (1 - rho) * g**2
        if centered:
            s["average_grad"] = rho * s["average_grad"] + (1 - rho) * g
            denominator = s["velocity"] - s["average_grad"] ** 2 + epsilon
        else:
            denominator = s["velocity"] + epsilon
        increment = learning_rate * g / np.sqrt(denominator)
        if momentum > 0:
            s["momentum"] = momentum * s["momentum"] + increment
            return w - s["momentum"]
        return w - increment

    return step, {"velocity": zeros(), "average_grad": zeros(), "momentum": zeros()}


def keras_adam(learning_rate, beta_1, beta_2, epsilon, amsgrad):
    def step(w, g, s, t):
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        s["m"] = s["m"] + (g - s["m"]) * (1 - beta_1)
        s["v"] = s["v"] + (g**2 - s["v"]) * (1 - beta_2)
        v = s["v"]
        if amsgrad:
            s["v_hat"] = np.maximum(s["v_hat"], s["v"])
            v = s["v_hat"]
        return w - alpha * s["m"] / (np.sqrt(v) + epsilon)

    return step, {"m": zeros(), "v": zeros(), "v_hat": zeros()}


def optax_momentum(learning_rate, momentum, nesterov):
    def step(p, g, s, t):
        s["trace"] = g + (momentum or 0.0) * s["trace"]  # optax's default momentum=None: no trace
        update = g + (momentum or 0.0) * s["trace"] if nesterov else s["trace"]
        return p - learning_rate * update

    return step, {"trace": zeros()}


def optax_adagrad(learning_rate, initial_accumulator_value, eps):
    def step(p, g, s, t):
        s["sum_of_squares"] = g**2 + s["sum_of_squares"]
        inv = np.where(s["sum_of_squares"] > 0, 1 / np.sqrt(s["sum_of_squares"] + eps), 0.0)
        return p - learning_rate * inv * g

    return step, {"sum_of_squares": zeros() + initial_accumulator_value}


def optax_rmsprop(
    learning_rate, decay, eps, initial_scale, eps_in_sqrt, centered, momentum, nesterov,
    bias_correction,
):  # fmt: skip
    def step(p, g, s, t):
        s["nu"] = decay * s["nu"] + (1 - decay) * g**2
        var = s["nu"]
        if centered:
            s["mu"] = decay * s["mu"] + (1 - decay) * g
            var = s["nu"] - s["mu"] ** 2
        u = g / np.sqrt(var + eps) if eps_in_sqrt else g / (np.sqrt(var) + eps)
        if momentum:
            s["trace"] = u + momentum * s["trace"]
            u = s["trace"]
        return p - learning_rate * u

    return step, {"nu": zeros() + initial_scale, "mu": zeros(), "trace": zeros()}


def optax_adam(learning_rate, b1, b2, eps, eps_root, weight_decay=None):
    def step(p, g, s, t):
        s["mu"] = b1 * s["mu"] + (1 - b1) * g
        s["nu"] = b2 * s["nu"] + (1 - b2) * g**2
        mu_hat = s["mu"] / (1 - b1**t)
        nu_hat = s["nu"] / (1 - b2**t)
        u = mu_hat / (np.sqrt(nu_hat + eps_root) + eps)
        if weight_decay is not None:
            u = u + weight_decay * p
        return p - learning_rate * u

    return step, {"mu": zeros(), "nu": zeros()}


def optax_adamw(**kwargs):
    return optax_adam(**kwargs)


def torch_reference(name):
    cls = {
        "momentum": torch.optim.SGD,
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }[name]

    def make(**kwargs):
        holder = {}

        def step(x, g, s, t):
            if "opt" not in holder:
                holder["p"] = torch.tensor(x, requires_grad=True)
                holder["opt"] = cls([holder["p"]], **kwargs)
            holder["p"].grad = torch.tensor(g)
            holder["opt"].step()
            return holder["p"].detach().numpy().copy()

        return step, {}

    return make


TORCH_ROWS = ("momentum", "adagrad", "rmsprop", "adam", "adamw")
REFERENCES = {
    ("d2l", "momentum"): d2l_momentum,
    ("d2l", "adagrad"): d2l_adagrad,
    ("d2l", "rmsprop"): d2l_rmsprop,
    ("d2l", "adam"): d2l_adam,
    ("dls", "momentum"): dls_momentum,
    ("dls", "rmsprop"): dls_rmsprop,
    ("dls", "adam"): dls_adam,
    ("cs231n", "momentum"): cs231n_momentum,
    ("cs231n", "nesterov"): cs231n_nesterov,
    ("cs231n", "adagrad"): cs231n_adagrad,
    ("cs231n", "rmsprop"): cs231n_rmsprop,
    ("cs231n", "adam"): cs231n_adam,
    ("keras", "momentum"): keras_momentum,
    ("keras", "adagrad"): keras_adagrad,
    ("keras", "rmsprop"): keras_rmsprop,
    ("keras", "adam"): keras_adam,
    ("optax", "momentum"): optax_momentum,
    ("optax", "adagrad"): optax_adagrad,
    ("optax", "rmsprop"): optax_rmsprop,
    ("optax", "adam"): optax_adam,
    ("optax", "adamw"): optax_adamw,
    **{("torch", name): torch_reference(name) for name in TORCH_ROWS},
}

# non-default settings per row, so each mapping is exercised beyond the defaults
VARIANTS = {
    ("d2l", "momentum"): [{"eta": 0.02, "beta": 0.9}],
    ("d2l", "adagrad"): [{}, {"eta": 0.5, "eps": 1e-2}],
    ("d2l", "rmsprop"): [{}, {"eta": 0.03, "gamma": 0.5, "eps": 1e-3}],
    ("d2l", "adam"): [{}, {"eta": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}],
    ("dls", "momentum"): [{}, {"alpha": 0.05, "beta": 0.5}],
    ("dls", "rmsprop"): [{}, {"alpha": 0.02, "beta2": 0.9, "epsilon": 1e-3}],
    ("dls", "adam"): [{}, {"alpha": 0.05, "beta1": 0.8, "beta2": 0.99}],
    ("cs231n", "momentum"): [{}, {"learning_rate": 0.05, "mu": 0.5}],
    ("cs231n", "nesterov"): [{}, {"learning_rate": 0.05, "mu": 0.5}],
    ("cs231n", "adagrad"): [{"learning_rate": 0.3, "eps": 1e-4}],
    ("cs231n", "rmsprop"): [{}, {"decay_rate": 0.9, "eps": 1e-4}],
    ("cs231n", "adam"): [{"learning_rate": 0.05}],
    ("torch", "momentum"): [
        {"lr": 0.02},
        {"lr": 0.02, "momentum": 0.9},
        {"lr": 0.02, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1},
    ],
    ("torch", "adagrad"): [{"lr": 0.3, "lr_decay": 0.01, "initial_accumulator_value": 0.5}],
    ("torch", "rmsprop"): [{"lr": 0.01, "momentum": 0.5, "centered": True}],
    ("torch", "adam"): [{"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}],
    ("torch", "adamw"): [{"lr": 0.05, "weight_decay": 0.5}],
    ("keras", "momentum"): [{}, {"learning_rate": 0.02, "momentum": 0.5, "nesterov": True}],
    ("keras", "adagrad"): [{"learning_rate": 0.3}, {"learning_rate": 0.3, "epsilon": 1e-2}],
    ("keras", "rmsprop"): [
        {"learning_rate": 0.01},
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "epsilon": 1e-3},
    ],
    ("keras", "adam"): [],  # not exact: tested separately below
    ("optax", "momentum"): [{}, {"nesterov": True, "momentum": 0.5}],
    ("optax", "adagrad"): [{"learning_rate": 0.3}],
    ("optax", "rmsprop"): [
        {},
        {"eps_in_sqrt": False, "centered": True, "momentum": 0.5, "eps": 1e-4},
    ],
    ("optax", "adam"): [{"learning_rate": 0.05}, {"eps": 0.0, "eps_root": 1e-3}],
    ("optax", "adamw"): [{"learning_rate": 0.05, "weight_decay": 0.3}],
}

EXACT_CASES = [
    pytest.param(key, kwargs, id=f"{key[0]}-{key[1]}-{i}")
    for key, variants in VARIANTS.items()
    for i, kwargs in enumerate(variants)
]


def test_every_row_has_a_reference_and_cases():
    keys = {(row.source, row.optimizer) for row in CONVENTIONS}
    assert keys == set(REFERENCES) == set(VARIANTS)
    for row in CONVENTIONS:
        if row.exact:
            assert VARIANTS[(row.source, row.optimizer)], row


@pytest.mark.parametrize("key,kwargs", EXACT_CASES)
def test_exact_mapping_reproduces_the_source(key, kwargs):
    row = lookup(*key)
    assert row.exact
    step, state = REFERENCES[key](**{**row.defaults, **kwargs})
    expected = run_reference(step, state)
    actual = run_rule(from_convention(*key, **kwargs))
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------- the subtle rows


def test_keras_adam_equals_adam_with_a_step_dependent_eps():
    """Keras's epsilon-hat form is exactly Adam with eps_t = epsilon / sqrt(1 - beta_2^t)."""
    kwargs = dict(learning_rate=0.05, beta_1=0.9, beta_2=0.999, epsilon=1e-3, amsgrad=False)
    step, state = keras_adam(**kwargs)
    expected = run_reference(step, state)
    x, rule_state, out = X0.copy(), Adam().init(X0), []
    for t in range(STEPS):
        eps_t = kwargs["epsilon"] / np.sqrt(1 - kwargs["beta_2"] ** (t + 1))
        rule = Adam(lr=0.05, betas=(0.9, 0.999), eps=eps_t)
        x, rule_state = rule.update(x, grad_at(x, t), rule_state)
        out.append(x)
    np.testing.assert_allclose(np.array(out), expected, rtol=1e-9)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_keras_adam_mapping_is_close_for_ordinary_gradients(amsgrad):
    step, state = keras_adam(0.05, 0.9, 0.999, 1e-7, amsgrad)
    expected = run_reference(step, state)
    actual = run_rule(from_convention("keras", "adam", learning_rate=0.05, amsgrad=amsgrad))
    # |g| ~ 1 while the two epsilons differ by ~3e-6 at most: iterates agree to ~1e-6
    assert np.max(np.abs(actual - expected)) < 1e-5
    assert np.max(np.abs(actual - expected)) > 0  # but not exactly


def test_keras_adam_mapping_is_not_exact_for_tiny_gradients():
    """The 'not exact' flag is true: with gradients near epsilon the two forms part ways."""
    scale = 1e-7  # gradients of the size of epsilon
    step, state = keras_adam(0.05, 0.9, 0.999, 1e-7, False)
    expected = run_reference(step, state, scale=scale)
    actual = run_rule(from_convention("keras", "adam", learning_rate=0.05), scale=scale)
    rel = np.max(np.abs(actual[:5] - expected[:5]) / np.abs(expected[:5] - X0))
    assert rel > 0.1


def test_dls_momentum_is_not_torch_dampening_and_the_gap_is_beta_to_the_t_g1():
    """Mapping DLS's v = beta v + (1-beta) g to dampening=beta misses torch's first step."""
    beta, alpha = 0.9, 0.01
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((40, 3))
    rule = from_convention("torch", "momentum", lr=alpha, momentum=beta, dampening=beta)
    w, state = np.zeros(3), rule.init(np.zeros(3))
    v_dls = np.zeros(3)
    for t, g in enumerate(grads, start=1):
        w, state = rule.update(w, g, state)
        v_dls = beta * v_dls + (1 - beta) * g
        np.testing.assert_allclose(state["momentum_buffer"] - v_dls, beta**t * grads[0])


def test_optax_options_without_equivalent_raise():
    with pytest.raises(ValueError, match="both eps and eps_root"):
        from_convention("optax", "adam", eps=1e-8, eps_root=1e-8)
    with pytest.raises(ValueError, match="nesterov"):
        from_convention("optax", "rmsprop", nesterov=True)
    with pytest.raises(ValueError, match="initial_scale"):
        from_convention("optax", "rmsprop", initial_scale=1.0)


def test_unknown_source_optimizer_or_argument():
    with pytest.raises(KeyError, match="no convention"):
        from_convention("caffe", "adam")
    with pytest.raises(TypeError, match="has no argument"):
        from_convention("d2l", "rmsprop", rho=0.9)


def test_table_renders_every_row():
    text = table()
    lines = text.splitlines()
    assert len(lines) == 2 + len(CONVENTIONS)
    assert lines[1].startswith("|---|")
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[:1] + lines[2:])
    for row in CONVENTIONS:
        assert any(f"| {row.source} | {row.optimizer} |" in line for line in lines)
    assert len(table("keras").splitlines()) == 2 + 4
    assert set(conventions.SOURCES) == {row.source for row in CONVENTIONS}


def test_a_row_builds_the_call_its_mapping_writes_and_refuses_one_that_does_not_fit():
    from d2l_opt.conventions import Convention

    row = Convention("x", "adam", "", {"a": 0.1, "b": 0.5}, "Adam(lr=a * (1 - b), betas=(b, b))")
    rule = row.rule(a=0.2)
    assert rule.lr == pytest.approx(0.1) and rule.betas == (0.5, 0.5)
    with pytest.raises(ValueError, match=r"uses \['a'\], the source has \['a', 'b'\]"):
        Convention("x", "sgd", "", {"a": 0.1, "b": 0.5}, "SGD(lr=a)")
