"""torch.optim surface of d2l_opt.optim: state dicts, closures, param groups, nonfinite."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch

import d2l_opt.optim as ours
from d2l_opt.rules import NonFiniteGradientError

CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


def make_params(seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randn(4, 3, generator=gen, dtype=dtype).requires_grad_(),
        torch.randn(5, generator=gen, dtype=dtype).requires_grad_(),
    ]


def loss_fn(params, t):
    """A smooth loss whose gradient changes with the parameters and the step."""
    a, b = params
    return ((a - 0.1 * t) ** 2).sum() + (torch.sin(b) * (1 + 0.01 * t)).sum() + (a.sum() * b[0])


def train(opt, params, steps, start=0):
    for t in range(start, start + steps):
        opt.zero_grad()
        loss_fn(params, t).backward()
        opt.step()


@pytest.mark.parametrize("name,kwargs", CASES)
def test_torch_state_dict_loads_into_ours_and_continues_like_torch(name, kwargs):
    ref_params = make_params()
    ref = getattr(torch.optim, name)(ref_params, foreach=False, **kwargs)
    train(ref, ref_params, 10)
    snapshot = copy.deepcopy(ref.state_dict())
    start = [p.detach().clone() for p in ref_params]
    train(ref, ref_params, 10, start=10)  # torch continues

    params = [p.clone().requires_grad_() for p in start]
    opt = getattr(ours, name)(params, **kwargs)
    opt.load_state_dict(snapshot)
    train(opt, params, 10, start=10)  # ours continues from torch's state
    for p, q in zip(params, ref_params, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)
    # the state layout is torch's: same keys, step stored as a tensor where torch has one
    for p, q in zip(params, ref_params, strict=True):
        assert set(opt.state[p]) == set(ref.state[q])


@pytest.mark.parametrize("name,kwargs", CASES)
def test_our_state_dict_loads_into_torch(name, kwargs):
    params = make_params()
    opt = getattr(ours, name)(params, **kwargs)
    train(opt, params, 10)
    snapshot = copy.deepcopy(opt.state_dict())
    start = [p.detach().clone() for p in params]
    train(opt, params, 10, start=10)

    ref_params = [p.clone().requires_grad_() for p in start]
    ref = getattr(torch.optim, name)(ref_params, foreach=False, **kwargs)
    ref.load_state_dict(snapshot)
    train(ref, ref_params, 10, start=10)
    for p, q in zip(params, ref_params, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_state_dict_round_trip(name, kwargs):
    params = make_params()
    opt = getattr(ours, name)(params, eps_inside_sqrt=True, **kwargs) if name != "SGD" else None
    if opt is None:
        opt = ours.SGD(params, **kwargs)
    train(opt, params, 5)
    snapshot = copy.deepcopy(opt.state_dict())
    start = [p.detach().clone() for p in params]
    train(opt, params, 5, start=5)

    params2 = [p.clone().requires_grad_() for p in start]
    opt2 = type(opt)(params2, lr=123.0)  # hyper-parameters come back from the state dict
    opt2.load_state_dict(snapshot)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    if name != "SGD":
        assert opt2.param_groups[0]["eps_inside_sqrt"] is True
    train(opt2, params2, 5, start=5)
    for p, q in zip(params, params2, strict=True):
        assert torch.equal(p, q)


def test_loading_a_torch_state_dict_fills_our_extra_group_keys():
    params = make_params()
    ref = torch.optim.Adam(params, lr=0.01)
    train(ref, params, 2)
    opt = ours.Adam(params, lr=0.01, nonfinite="skip", eps_inside_sqrt=True)
    opt.load_state_dict(ref.state_dict())
    group = opt.param_groups[0]
    assert group["eps_inside_sqrt"] is False and group["nonfinite"] == "raise"  # defaults
    train(opt, params, 2)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_closure_and_param_groups_match_torch(name, kwargs):
    """Two groups with different hyper-parameters, stepped through a closure."""

    def run(cls, extra):
        params = make_params(seed=1)
        groups = [
            {"params": [params[0]]},
            {"params": [params[1]], "lr": kwargs["lr"] * 3, "weight_decay": 0.05},
        ]
        opt = cls(groups, **kwargs, **extra)
        losses = []
        for t in range(15):

            def closure(t=t):
                opt.zero_grad()
                loss = loss_fn(params, t)
                loss.backward()
                return loss

            losses.append(float(opt.step(closure).detach()))
        return params, losses

    ref_params, ref_losses = run(getattr(torch.optim, name), {"foreach": False})
    params, losses = run(getattr(ours, name), {})
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-12)
    for p, q in zip(params, ref_params, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)


def test_zero_grad_and_params_without_grad():
    a, b = make_params()
    opt = ours.Adam([a, b], lr=0.1)
    (a**2).sum().backward()  # b gets no gradient
    b_before = b.detach().clone()
    opt.step()
    assert torch.equal(b, b_before) and b not in opt.state
    opt.zero_grad()
    assert a.grad is None


def test_lr_scheduler_changes_are_used():
    (p,) = make_params()[:1]
    opt = ours.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    p.grad = torch.ones_like(p)
    before = p.detach().clone()
    opt.step()
    sched.step()
    opt.step()  # lr now 0.5
    np.testing.assert_allclose((before - p).detach().numpy(), 1.5)


def test_maximize_ascends():
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = ours.Adam([p], lr=0.1, maximize=True)
    for _ in range(5):
        opt.zero_grad()
        (-((p - 1.0) ** 2).sum()).backward()  # concave, maximum at 1
        opt.step()
    assert torch.all(p > 0.3)


# ------------------------------------------------------------------------------ nonfinite


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_nonfinite_raise_names_parameter_and_modifies_nothing(name, kwargs, bad):
    params = make_params()
    opt = getattr(ours, name)(params, **kwargs)
    train(opt, params, 3)
    before_p = [p.detach().clone() for p in params]
    before_state = copy.deepcopy(opt.state_dict())
    opt.zero_grad()
    loss_fn(params, 3).backward()
    params[1].grad[2] = bad
    with pytest.raises(NonFiniteGradientError, match=r"param group 0, index 1, shape \(5,\)"):
        opt.step()
    for p, q in zip(params, before_p, strict=True):
        assert torch.equal(p, q)
    after_state = opt.state_dict()
    for key, st in before_state["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                assert torch.equal(after_state["state"][key][k], v), k


def test_huge_but_finite_gradients_are_not_mistaken_for_nonfinite():
    p = torch.zeros(3, requires_grad=True)  # float32: the squared norm of 1e30 overflows
    opt = ours.SGD([p], lr=1e-30)
    p.grad = torch.tensor([1e30, -1e30, 3e38])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [-1.0, 1.0, -3e8], rtol=1e-6)


def test_nonfinite_error_uses_parameter_names_when_given():
    a, b = make_params()
    opt = ours.SGD([("layer.weight", a), ("layer.bias", b)], lr=0.1)
    a.grad = torch.zeros_like(a)
    b.grad = torch.full_like(b, float("nan"))
    with pytest.raises(NonFiniteGradientError, match="'layer.bias'"):
        opt.step()


@pytest.mark.parametrize("name,kwargs", CASES)
def test_nonfinite_skip_skips_whole_step(name, kwargs):
    params = make_params()
    opt = getattr(ours, name)(params, nonfinite="skip", **kwargs)
    train(opt, params, 3)
    before_p = [p.detach().clone() for p in params]
    before_state = copy.deepcopy(opt.state_dict())
    opt.zero_grad()
    loss_fn(params, 3).backward()
    params[0].grad[1, 1] = float("nan")  # one bad entry: nothing at all is updated
    with pytest.warns(RuntimeWarning, match="step skipped"):
        opt.step()
    assert opt.skipped_steps == 1
    for p, q in zip(params, before_p, strict=True):
        assert torch.equal(p, q)
    for key, st in before_state["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                assert torch.equal(opt.state_dict()["state"][key][k], v)
    # and the next finite step proceeds normally
    opt.zero_grad()
    loss_fn(params, 4).backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
    assert not torch.equal(params[0], before_p[0])


def test_nonfinite_raise_wins_over_skip_across_groups():
    a, b = make_params()
    opt = ours.Adam([{"params": [a], "nonfinite": "skip"}, {"params": [b]}], lr=0.1)
    a.grad = torch.zeros_like(a)
    b.grad = torch.full_like(b, float("inf"))
    with pytest.raises(NonFiniteGradientError, match="param group 1"):
        opt.step()


def test_invalid_nonfinite_mode_and_unsupported_flags():
    params = make_params()
    with pytest.raises(ValueError, match="nonfinite must be"):
        ours.Adam(params, nonfinite="ignore")
    with pytest.raises(ValueError, match="differentiable"):
        ours.Adam(params, differentiable=True)
    with pytest.raises(ValueError, match="fused"):
        ours.Adam(params, fused=True)
    with pytest.raises(RuntimeError, match="sparse"):
        p = torch.zeros(3, requires_grad=True)
        opt = ours.SGD([p], lr=0.1)
        p.grad = torch.zeros(3).to_sparse()
        opt.step()


@pytest.mark.parametrize(
    "cls,kwargs,message",
    [
        (ours.SGD, {"lr": -0.1}, "Invalid learning rate: -0.1"),
        (ours.SGD, {"lr": 0.1, "momentum": -1}, "Invalid momentum value"),
        (ours.SGD, {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires"),
        (ours.Adagrad, {"eps": 0.0}, "Invalid epsilon value: 0.0"),
        (ours.Adagrad, {"lr_decay": -1.0}, "Invalid lr_decay value"),
        (ours.RMSprop, {"alpha": 1.0}, "Invalid alpha value: 1.0"),
        (ours.RMSprop, {"weight_decay": -0.1}, "Invalid weight_decay value"),
        (ours.Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
        (ours.Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
        (ours.AdamW, {"eps": -1e-8}, "Invalid epsilon value"),
    ],
)
def test_constructor_validation_uses_torch_messages(cls, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        cls(make_params(), **kwargs)


def test_add_param_group_validates():
    a, b = make_params()
    opt = ours.Adam([a], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        opt.add_param_group({"params": [b], "lr": -1.0})
    assert len(opt.param_groups) == 1


OUR_ARGUMENTS = {"eps_inside_sqrt", "nonfinite"}


@pytest.mark.parametrize("name", [n for n, _ in CASES])
def test_constructor_signature_is_torchs_plus_our_two_arguments(name):
    import inspect

    def shape(cls):
        return [
            (p.name, p.kind, p.default)
            for p in inspect.signature(cls).parameters.values()
            if p.name not in OUR_ARGUMENTS
        ]

    assert shape(getattr(ours, name)) == shape(getattr(torch.optim, name))
    extra = set(inspect.signature(getattr(ours, name)).parameters) - set(
        inspect.signature(getattr(torch.optim, name)).parameters
    )
    assert extra == (OUR_ARGUMENTS - {"eps_inside_sqrt"} if name == "SGD" else OUR_ARGUMENTS)
    # the same arguments, given by position and by name, make the same defaults as torch's
    w = torch.nn.Parameter(torch.ones(2))
    theirs = getattr(torch.optim, name)([w]).defaults
    mine = getattr(ours, name)([w]).defaults
    assert {k: v for k, v in mine.items() if k not in OUR_ARGUMENTS} == theirs


def test_constructor_refuses_unknown_repeated_and_surplus_arguments():
    w = torch.nn.Parameter(torch.ones(2))
    with pytest.raises(TypeError, match=r"Adam\(\) got an unexpected keyword argument 'betas1'"):
        ours.Adam([w], betas1=0.9)
    with pytest.raises(TypeError, match="multiple values for argument 'lr'"):
        ours.SGD([w], 0.1, lr=0.2)
    with pytest.raises(TypeError, match="too many positional arguments"):
        ours.RMSprop([w], 0.1, 0.9, 1e-8, 0, 0, False, False, None, False, False, "extra")
    with pytest.raises(TypeError, match="unexpected keyword argument 'decoupled_weight_decay'"):
        ours.AdamW([w], decoupled_weight_decay=False)  # torch's AdamW has no such argument
