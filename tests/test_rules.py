"""The update rules on numpy arrays: purity, dtypes, shapes, eps placement, vectorization."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from d2l_opt import inplace, rules
from d2l_opt.rules import SGD, Adagrad, Adam, AdamW, RMSprop

ALL_VARIANTS = [
    SGD(lr=0.1),
    SGD(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01, maximize=True),
    SGD(lr=0.1, momentum=0.9, nesterov=True),
    Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.2, weight_decay=0.01),
    Adagrad(lr=0.1, eps_inside_sqrt=True, maximize=True),
    RMSprop(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
    RMSprop(lr=0.01, eps_inside_sqrt=True, maximize=True),
    Adam(lr=0.01, amsgrad=True, weight_decay=0.01),
    Adam(lr=0.01, eps_inside_sqrt=True, maximize=True),
    AdamW(lr=0.01, amsgrad=True),
]


def advance(rule, param, steps=3, seed=0):
    rng = np.random.default_rng(seed)
    state = rule.init(param)
    for _ in range(steps):
        grad = rng.standard_normal(np.shape(param)).astype(param.dtype)
        param, state = rule.update(param, grad, state)
    return param, state


@pytest.mark.parametrize("rule", ALL_VARIANTS, ids=repr)
def test_update_is_pure_numpy(rule):
    rng = np.random.default_rng(0)
    param, state = advance(rule, rng.standard_normal((3, 4)))
    grad = rng.standard_normal((3, 4))
    copies = (param.copy(), grad.copy(), {k: np.copy(v) for k, v in state.items()})
    new_param, new_state = rule.update(param, grad, state)
    np.testing.assert_array_equal(param, copies[0])
    np.testing.assert_array_equal(grad, copies[1])
    for key, value in copies[2].items():
        np.testing.assert_array_equal(state[key], value)
    assert new_state["step"] == state["step"] + 1
    assert not np.shares_memory(new_param, param)
    for key in rule.state_keys:
        assert not np.shares_memory(new_state[key], grad), key
        assert not np.shares_memory(new_state[key], state[key]), key


@pytest.mark.parametrize("rule", ALL_VARIANTS, ids=repr)
def test_update_is_pure_torch_and_matches_numpy(rule):
    rng = np.random.default_rng(1)
    param_np, state_np = advance(rule, rng.standard_normal(6))
    grad_np = rng.standard_normal(6)
    param = torch.tensor(param_np)
    grad = torch.tensor(grad_np)
    state = {k: (torch.tensor(v) if k != "step" else v) for k, v in state_np.items()}
    before = (param.clone(), grad.clone(), {k: v.clone() for k, v in state.items() if k != "step"})
    new_param, new_state = rule.update(param, grad, state)
    assert torch.equal(param, before[0]) and torch.equal(grad, before[1])
    for key, value in before[2].items():
        assert torch.equal(state[key], value)
    assert isinstance(new_param, torch.Tensor)
    expected, expected_state = rule.update(param_np, grad_np, state_np)
    np.testing.assert_allclose(new_param.numpy(), expected, rtol=1e-13)
    for key in rule.state_keys:
        np.testing.assert_allclose(new_state[key].numpy(), expected_state[key], rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
@pytest.mark.parametrize("rule", ALL_VARIANTS, ids=repr)
def test_dtype_and_shape_are_kept(rule, shape, dtype):
    param = np.asarray(np.random.default_rng(2).standard_normal(shape), dtype=dtype)
    new_param, state = advance(rule, param)
    assert np.shape(new_param) == shape and new_param.dtype == dtype
    for key in rule.state_keys:
        assert np.shape(state[key]) == shape and state[key].dtype == dtype, key


# ------------------------------------------------------------------- closed forms, step 1


G = np.array([0.5, -2.0, 3.0])
W = np.array([1.0, 1.0, -1.0])
EPS = 0.3  # large on purpose: the two eps placements then differ visibly


@pytest.mark.parametrize("inside", [False, True])
def test_adagrad_first_step_closed_form(inside):
    rule = Adagrad(lr=0.2, eps=EPS, eps_inside_sqrt=inside, initial_accumulator_value=0.5)
    s = 0.5 + G**2
    denom = np.sqrt(s + EPS) if inside else np.sqrt(s) + EPS
    np.testing.assert_allclose(rule.update(W, G, rule.init(W))[0], W - 0.2 * G / denom)


@pytest.mark.parametrize("inside", [False, True])
def test_rmsprop_first_step_closed_form(inside):
    rule = RMSprop(lr=0.2, alpha=0.9, eps=EPS, eps_inside_sqrt=inside)
    s = 0.1 * G**2
    denom = np.sqrt(s + EPS) if inside else np.sqrt(s) + EPS
    np.testing.assert_allclose(rule.update(W, G, rule.init(W))[0], W - 0.2 * G / denom)


@pytest.mark.parametrize("inside", [False, True])
def test_adam_first_step_closed_form(inside):
    # after bias correction m_hat = g and v_hat = g^2 whatever the betas
    rule = Adam(lr=0.2, betas=(0.7, 0.95), eps=EPS, eps_inside_sqrt=inside)
    denom = np.sqrt(G**2 + EPS) if inside else np.abs(G) + EPS
    np.testing.assert_allclose(rule.update(W, G, rule.init(W))[0], W - 0.2 * G / denom)


def test_adam_eps_inside_sqrt_many_steps_against_textbook_loop():
    """d2l-style Adam with eps inside the root, written out plainly, 200 steps."""
    rng = np.random.default_rng(3)
    lr, b1, b2, eps = 0.05, 0.8, 0.99, 1e-3
    rule = Adam(lr=lr, betas=(b1, b2), eps=eps, eps_inside_sqrt=True)
    w_ref = w = rng.standard_normal(4)
    m = v = np.zeros(4)
    state = rule.init(w)
    for t in range(1, 201):
        g = 2 * w_ref + rng.standard_normal(4)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        w_ref = w_ref - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps)
        w, state = rule.update(w, g, state)
    np.testing.assert_allclose(w, w_ref, rtol=1e-10)


def test_sgd_first_step_ignores_dampening_like_torch():
    rule = SGD(lr=0.1, momentum=0.9, dampening=0.5)
    w1, state = rule.update(W, G, rule.init(W))
    np.testing.assert_allclose(state["momentum_buffer"], G)  # v_1 = g_1, not (1 - 0.5) g_1
    w2, state = rule.update(w1, G, state)
    np.testing.assert_allclose(state["momentum_buffer"], 0.9 * G + 0.5 * G)
    np.testing.assert_allclose(w2, W - 0.1 * G - 0.1 * 1.4 * G)


def test_adamw_is_adam_with_decoupled_decay_and_torch_defaults():
    assert AdamW().weight_decay == 1e-2 and AdamW().decoupled_weight_decay
    a = AdamW(lr=0.01, weight_decay=0.2)
    b = Adam(lr=0.01, weight_decay=0.2, decoupled_weight_decay=True)
    np.testing.assert_array_equal(advance(a, W.copy())[0], advance(b, W.copy())[0])
    # L2 (coupled) decay is a different algorithm
    c = Adam(lr=0.01, weight_decay=0.2)
    assert not np.allclose(advance(a, W.copy())[0], advance(c, W.copy())[0])


# --------------------------------------------------------------------- vectorized settings


def test_array_hyperparameters_match_separate_torch_runs():
    lrs = np.array([0.001, 0.01, 0.1])
    beta1s = np.array([0.0, 0.9])
    lr = lrs[:, None, None]
    beta1 = beta1s[None, :, None]
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal(2)
    grads = rng.standard_normal((30, 2))
    rule = Adam(lr=lr, betas=(beta1, 0.99))
    x = np.broadcast_to(x0, (3, 2, 2)).copy()
    state = rule.init(x)
    for g in grads:
        x, state = rule.update(x, np.broadcast_to(g + x, x.shape).copy(), state)
    for i, lr_i in enumerate(lrs):
        for j, b1 in enumerate(beta1s):
            p = torch.tensor(x0, requires_grad=True)
            opt = torch.optim.Adam([p], lr=float(lr_i), betas=(float(b1), 0.99))
            for g in grads:
                p.grad = torch.tensor(g) + p.detach()
                opt.step()
            np.testing.assert_allclose(x[i, j], p.detach().numpy(), rtol=1e-12)


def test_hyperparameter_array_that_grows_the_param_is_refused():
    rule = SGD(lr=np.array([[0.1], [0.2]]))
    with pytest.raises(ValueError, match="broadcast the parameter"):
        rule.update(np.zeros(2), np.ones(2), rule.init(np.zeros(2)))


def test_float32_params_with_float64_array_hyperparameters_stay_float32():
    rule = RMSprop(lr=np.array([[0.1], [0.01]]))
    x = np.ones((2, 2), dtype=np.float32)
    new, state = rule.update(x, x, rule.init(x))
    assert new.dtype == np.float32 and state["square_avg"].dtype == np.float32


# ------------------------------------------------------------------------ step_inplace


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_step_inplace_matches_torch_adam_on_big_arrays(dtype, rtol, backend):
    n = 100_003  # not a multiple of the block size
    rng = np.random.default_rng(5)
    w = rng.standard_normal(n).astype(dtype)
    p = torch.tensor(w.copy(), requires_grad=True)
    rule = Adam(lr=0.01, amsgrad=True, weight_decay=0.01)
    opt = torch.optim.Adam([p], lr=0.01, amsgrad=True, weight_decay=0.01)
    state = rule.init(w)
    for _ in range(3):
        g = rng.standard_normal(n).astype(dtype)
        assert inplace.step_inplace(rule, w, g, state, block=4096, backend=backend) is True
        p.grad = torch.tensor(g)
        opt.step()
    assert w.dtype == dtype and state["step"] == 3
    np.testing.assert_allclose(w, p.detach().numpy(), rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(state["exp_avg_sq"], opt.state[p]["exp_avg_sq"].numpy(), rtol=rtol)


def test_step_inplace_threads_do_not_change_the_result():
    rng = np.random.default_rng(6)
    w0, g = rng.standard_normal((2, 50_001))
    results = []
    for threads in (1, 3):
        w, rule = w0.copy(), RMSprop(lr=0.01, momentum=0.9, centered=True)
        state = rule.init(w)
        for _ in range(2):
            inplace.step_inplace(rule, w, g, state, block=1000, threads=threads, backend="numpy")
        results.append((w, state))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    for key in ("square_avg", "grad_avg", "momentum_buffer"):
        np.testing.assert_array_equal(results[0][1][key], results[1][1][key])
    # and both equal the plain, whole-array update
    w, rule = w0.copy(), RMSprop(lr=0.01, momentum=0.9, centered=True)
    state = rule.init(w)
    for _ in range(2):
        w, state = rule.update(w, g, state)
    np.testing.assert_allclose(results[0][0], w, rtol=1e-14)


@pytest.mark.parametrize("rule", ALL_VARIANTS, ids=repr)
def test_step_inplace_backends_agree_with_update_for_every_rule(rule):
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal(20_001)
    grads = rng.standard_normal((3, 20_001))
    expected, state = w0.copy(), rule.init(w0)
    for g in grads:
        expected, state = rule.update(expected, g, state)
    for backend in ("numpy", "torch"):
        w, st = w0.copy(), rule.init(w0)
        for g in grads:
            inplace.step_inplace(rule, w, g, st, block=5000, backend=backend)
        np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-14, err_msg=backend)
        for key in rule.state_keys:
            np.testing.assert_allclose(st[key], state[key], rtol=1e-12, atol=1e-14)


def test_step_inplace_non_contiguous_falls_back():
    rule = SGD(lr=0.5, momentum=0.5)
    base = np.ones((4, 6))
    w = base[:, ::2]  # a strided view
    state = rule.init(w)
    state["momentum_buffer"] = np.zeros((4, 6))[:, ::2]
    inplace.step_inplace(rule, w, np.ones((4, 3)), state)
    np.testing.assert_allclose(base[:, ::2], 0.5)
    np.testing.assert_allclose(base[:, 1::2], 1.0)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_step_inplace_nonfinite_raise_and_skip_leave_everything_untouched(backend):
    rule = Adam(lr=0.1)
    w = np.ones(70_000)
    state = rule.init(w)
    inplace.step_inplace(rule, w, np.ones_like(w), state, backend=backend)
    snapshot = (w.copy(), {k: np.copy(v) for k, v in state.items()})
    g = np.ones_like(w)
    g[-1] = np.nan  # in the last block: a block-wise update would already have written
    with pytest.raises(rules.NonFiniteGradientError):
        inplace.step_inplace(rule, w, g, state, backend=backend)
    with pytest.warns(RuntimeWarning, match="skipped"):
        assert inplace.step_inplace(rule, w, g, state, nonfinite="skip", backend=backend) is False
    np.testing.assert_array_equal(w, snapshot[0])
    for key, value in snapshot[1].items():
        np.testing.assert_array_equal(state[key], value)


def test_step_inplace_refuses_array_hyperparameters_and_tensors():
    with pytest.raises(ValueError, match="scalar hyper-parameters"):
        inplace.step_inplace(SGD(lr=np.ones((2, 1))), np.ones(2), np.ones(2), {"step": 0})
    with pytest.raises(TypeError, match="numpy arrays"):
        inplace.step_inplace(SGD(lr=0.1), torch.ones(2), torch.ones(2), {"step": 0})


def test_apply_raise_and_skip():
    rule = RMSprop(lr=0.1)
    w = np.zeros(3)
    state = rule.init(w)
    bad = np.array([0.0, -np.inf, 1.0])
    with pytest.raises(rules.NonFiniteGradientError):
        rules.apply(rule, w, bad, state)
    with pytest.warns(RuntimeWarning):
        out, out_state = rules.apply(rule, w, bad, state, nonfinite="skip")
    assert out is w and out_state is state
    new, _ = rules.apply(rule, w, np.ones(3), state)
    assert np.all(new < 0)


def test_importing_the_rules_does_not_import_torch():
    code = (
        "import sys, numpy as np, d2l_opt\n"
        "from d2l_opt import rules, ewma, problems, trajectory, conventions\n"
        "r = d2l_opt.Adam(lr=0.1); r.update(np.ones(2), np.ones(2), r.init(np.ones(2)))\n"
        "d2l_opt.run(r, d2l_opt.ISOTROPIC, [1.0, 1.0], 3)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
