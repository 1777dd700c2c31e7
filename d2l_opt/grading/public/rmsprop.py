"""Public checks of the RMSProp exercise (d2l's form: ε inside the square root)."""

from __future__ import annotations

import functools

import numpy as np

from d2l_opt.problems import D2L_QUADRATIC, D2L_ROTATED
from d2l_opt.rules import RMSprop
from d2l_opt.trajectory import run

from .. import mistakes as M
from ..spec import Fail, as_array, as_int
from ._common import choice, expect, need

X0 = np.array([-5.0, -2.0])
ALL = ["eps_outside", "g_not_squared", "wrong_sign", "state_not_updated", "one_minus_swapped",
       "sqrt_missing"]  # fmt: skip


def q1(ns: dict) -> int:
    f = need(ns, "rmsprop_trajectory")
    expect(
        f(D2L_QUADRATIC.grad, X0.copy(), 0.4, 0.9, 1e-2, 3),
        run(RMSprop(lr=0.4, alpha=0.9, eps=1e-2, eps_inside_sqrt=True), D2L_QUADRATIC, X0, 3),
        what="rmsprop_trajectory(grad, (-5, -2), lr=0.4, gamma=0.9, eps=1e-2, steps=3)",
        mistakes=M.variants(M.rmsprop_trajectory, ALL, D2L_QUADRATIC.grad, X0, 0.4, 0.9, 1e-2, 3),
        hint="s ← γ s + (1 − γ) g², x ← x − η g / √(s + ε), s starts at 0; row 0 is x0.",
    )
    m = need(ns, "gamma_one_multiplier")
    expect(m(1e-6), 1e3, what="gamma_one_multiplier(1e-6)",
           hint="with γ = 1 the state s never leaves 0: what is g / √(0 + ε)?")  # fmt: skip
    choice(ns, "answer_q1", "abcd")
    return 3


def q2(ns: dict) -> int:
    g = need(ns, "rotated_grad")
    x = np.array([1.0, 2.0])
    expect(
        g(x.copy()),
        D2L_ROTATED.grad(x),
        what="rotated_grad((1, 2))",
        hint="differentiate 0.1(x1 + x2)² + 2(x1 − x2)² with respect to x1 and x2",
    )
    steps = need(ns, "steps_to_tolerance")
    got = steps(D2L_QUADRATIC.grad, lambda z: float(D2L_QUADRATIC.value(z)), X0.copy(), 0.1,
                0.9, 1e-6, 1e-1, 200)  # fmt: skip
    traj = run(RMSprop(lr=0.1, alpha=0.9, eps=1e-6, eps_inside_sqrt=True), D2L_QUADRATIC, X0, 200)
    want = M.first_below(D2L_QUADRATIC.value(traj), 1e-1)
    if as_int(got, what="steps_to_tolerance(...)") != want:
        fail = Fail("steps_to_tolerance on f = 0.1 x1² + 2 x2² (lr 0.1, γ 0.9, tol 0.1) is "
                    f"{got}, expected {want}")  # fmt: skip
        fail.hint = "t counts steps: t = 0 is x0 itself; return the first t with f(x_t) < tol"
        raise fail
    for key in ("steps_axis", "steps_rotated"):
        as_int(need(ns, key), what=f"`{key}`")
    choice(ns, "answer_q2", "abcd")
    return 4


def q3(ns: dict) -> int:
    import torch

    factory = need(ns, "make_rmsprop")
    w = torch.nn.Parameter(torch.ones(3))
    opt = factory([w], 0.01)
    w.grad = torch.tensor([1.0, -2.0, 0.5])
    opt.step()
    rule = RMSprop(lr=0.01)
    want, _ = rule.update(np.ones(3), np.array([1.0, -2.0, 0.5]), rule.init(np.ones(3)))
    expect(
        w.detach().numpy(),
        want,
        what="one step of make_rmsprop([w], 0.01)",
        rtol=1e-5,
        hint="return torch.optim.RMSprop(params, lr=lr) (or d2l_opt.optim.RMSprop)",
    )
    lr = need(ns, "best_lr")
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not 1e-6 <= lr <= 1.0:
        raise Fail("`best_lr` should be a learning rate between 1e-6 and 1")
    return 2


@functools.lru_cache(maxsize=1)
def _fashion_test_set(images: int):
    from d2l_opt.data import load_fashion_mnist

    _, (x_test, y_test) = load_fashion_mnist()
    return x_test[:images], y_test[:images]


def fashion_test_accuracy(weights, images: int = 5000) -> float:
    """Accuracy on the first ``images`` test images of ``mlp(FASHION_HIDDEN, seed=0)`` with
    ``weights`` (the arrays a child returned, checked here); the test set is read once per
    grading process. Raises :class:`Fail` for weights of the wrong shape or not finite."""
    import torch

    from d2l_opt.train import evaluate, mlp

    from ..helpers import FASHION_HIDDEN

    model = mlp(FASHION_HIDDEN, seed=0)
    state = model.state_dict()
    if not isinstance(weights, list) or len(weights) != len(state):
        raise Fail("the trained network has the wrong number of weight tensors")
    new_state = {}
    for (key, ref), got in zip(state.items(), weights, strict=True):
        w = as_array(got, shape=tuple(ref.shape), what="a weight tensor", finite=True)
        new_state[key] = torch.as_tensor(w, dtype=ref.dtype)
    model.load_state_dict(new_state)
    accuracy, _ = evaluate(model, *_fashion_test_set(images))
    return float(accuracy)


def q4(ns: dict) -> int:
    sched = need(ns, "gamma_schedule")
    values = np.array([float(sched(t)) for t in range(1, 201)])
    if not ((values >= 0) & (values < 1)).all():
        raise Fail("every γ_t must lie in [0, 1)")
    gammas = [0.0, 0.5, 0.7, 0.9]
    f = need(ns, "rmsprop_scheduled")
    table = gammas.copy()
    expect(
        f(D2L_QUADRATIC.grad, X0.copy(), 0.4, lambda t: table[t - 1], 1e-6, 4),
        M.rmsprop_trajectory(D2L_QUADRATIC.grad, X0, 0.4, None, 1e-6, 4, gammas=gammas),
        what="rmsprop_scheduled with γ = 0, 0.5, 0.7, 0.9 for steps 1 to 4",
        mistakes=M.variants(
            M.rmsprop_trajectory,
            ["off_by_one_steps", "eps_outside"],
            D2L_QUADRATIC.grad,
            X0,
            0.4,
            None,
            1e-6,
            4,
            gammas=gammas,
        ),
        hint="step t (counting from 1) uses γ = schedule(t)",
    )
    choice(ns, "answer_q4", "abcd")
    return 3


CHECKS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}

#: Per question: the names the student defines and what an answer may use
#: (:mod:`d2l_opt.grading.allow`); the master builds its questions from these.
QUESTIONS = {
    "q1": {"names": ["rmsprop_trajectory", "gamma_one_multiplier"], "allow": ["numpy"]},
    "q2": {"names": ["rotated_grad", "steps_to_tolerance"], "allow": ["numpy"]},
    "q3": {"names": ["make_rmsprop", "best_lr"], "allow": ["numpy", "torch", "d2l_opt.optim"]},
    "q4": {"names": ["rmsprop_scheduled", "gamma_schedule"], "allow": ["numpy"]},
}
