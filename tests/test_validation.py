"""Bad input gets a clear error in torch's style, for scalar and array hyper-parameters."""

from __future__ import annotations

import re

import numpy as np
import pytest

from d2l_opt import ewma
from d2l_opt.rules import SGD, Adagrad, Adam, AdamW, RMSprop

BAD = [
    (SGD, {"lr": -0.1}, "Invalid learning rate: -0.1"),
    (SGD, {"lr": float("nan")}, "Invalid learning rate: nan"),
    (SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    (SGD, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (SGD, {"momentum": 0.0, "nesterov": True}, "Nesterov momentum requires"),
    (SGD, {"momentum": 0.9, "dampening": 0.1, "nesterov": True}, "Nesterov momentum requires"),
    (Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    (Adagrad, {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value value"),
    (Adagrad, {"eps": 0.0}, "Invalid epsilon value: 0.0"),
    (RMSprop, {"alpha": 1.0}, "Invalid alpha value: 1.0"),
    (RMSprop, {"alpha": -0.01}, "Invalid alpha value: -0.01"),
    (RMSprop, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    (RMSprop, {"momentum": -0.9}, "Invalid momentum value: -0.9"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    (Adam, {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    (Adam, {"betas": (-0.1, 0.9)}, "Invalid beta parameter at index 0: -0.1"),
    (Adam, {"betas": (0.9,)}, "betas must be a pair"),
    (Adam, {"eps": 0.0}, "Invalid epsilon value: 0.0"),
    (AdamW, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
    (AdamW, {"lr": np.array([[0.1], [-0.1]])}, "Invalid learning rate"),
    (Adam, {"betas": (np.array([[0.5], [1.0]]), 0.9)}, "Invalid beta parameter at index 0"),
]


@pytest.mark.parametrize("cls,kwargs,message", BAD, ids=lambda x: str(x)[:40])
def test_bad_hyperparameters_raise(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(**kwargs)


def test_good_edge_values_are_accepted():
    SGD(lr=0.0)
    RMSprop(alpha=0.0)
    Adam(betas=(0.0, 0.0))
    Adam(lr=np.array([[0.0], [1.0]]), betas=(np.array([[0.0], [0.99]]), 0.999))


@pytest.mark.parametrize(
    "rule", [SGD(lr=0.1, momentum=0.5), Adagrad(), RMSprop(centered=True), Adam(amsgrad=True)]
)
def test_mismatched_shapes_raise(rule):
    param = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"Gradient shape \(3, 2\) does not match"):
        rule.update(param, np.zeros((3, 2)), rule.init(param))
    state = rule.init(np.zeros(6))
    state["step"] = 1
    with pytest.raises(ValueError, match=r"State '\w+' has shape \(6,\)"):
        rule.update(param, np.zeros((2, 3)), state)


@pytest.mark.parametrize("beta", [1.0, -0.1, 2.0, float("nan"), [0.5, 1.0]])
def test_ewma_helpers_validate_beta(beta):
    for fn in (ewma.effective_window, ewma.half_life, lambda b: ewma.bias_correction(b, 3)):
        with pytest.raises(ValueError, match="beta must lie in"):
            fn(beta)
    with pytest.raises(ValueError, match="beta must lie in"):
        ewma.ewma(np.ones(3), beta)


def test_ewma_helpers_validate_steps_and_series():
    with pytest.raises(ValueError, match="non-negative integer"):
        ewma.bias_correction(0.9, -1)
    with pytest.raises(ValueError, match="non-negative integer"):
        ewma.ewma_weights(0.9, 2.5)
    with pytest.raises(ValueError, match="leading time axis"):
        ewma.ewma(np.float64(3.0), 0.5)
