"""The RMSProp exercise's references, common mistakes and public checks (d2l's form: ε inside
the square root)."""

from __future__ import annotations

import functools

import numpy as np

from d2l_opt.problems import PROBLEMS
from d2l_opt.rules import RMSprop
from d2l_opt.trajectory import run

from .. import mistakes as M
from ..spec import Fail, as_array, as_choice, as_int, expect_close
from ._common import check_path, choice, expect_number, need

TRAJECTORY_MISTAKES = [
    "eps_outside",
    "g_not_squared",
    "wrong_sign",
    "state_not_updated",
    "one_minus_swapped",
    "sqrt_missing",
]
SCHEDULE_MISTAKES = ["off_by_one_steps", *TRAJECTORY_MISTAKES]
#: (problem, x0, lr, gamma, eps, steps) of the public example
PUBLIC_TRAJECTORY = ("d2l", [-5.0, -2.0], 0.4, 0.9, 1e-2, 3)
#: the answers to the multiple-choice questions
CHOICES = {"answer_q1": "b", "answer_q2": "c", "answer_q4": "b"}


def reference_trajectory(problem, x0, lr, gamma, eps, steps, gammas=None) -> np.ndarray:
    """:class:`d2l_opt.rules.RMSprop` with ε inside; the teaching version where the rules do
    not go (γ = 1, or one γ per step in ``gammas``)."""
    x0 = np.asarray(x0, dtype=float)
    if gammas is None and gamma < 1:
        rule = RMSprop(lr=lr, alpha=gamma, eps=eps, eps_inside_sqrt=True)
        return run(rule, PROBLEMS[problem], x0, steps)
    return M.rmsprop_trajectory(PROBLEMS[problem].grad, x0, lr, gamma, eps, steps, gammas=gammas)


def expect_trajectory(
    answer, problem, x0, lr, gamma, eps, steps, *, gammas=None, what="rmsprop_trajectory", hint=None
):
    names = SCHEDULE_MISTAKES if gammas is not None else TRAJECTORY_MISTAKES
    mistakes = M.variants(
        M.rmsprop_trajectory,
        names,
        PROBLEMS[problem].grad,
        np.asarray(x0, dtype=float),
        lr,
        gamma,
        eps,
        steps,
        gammas=gammas,
    )
    expect_close(
        answer,
        reference_trajectory(problem, x0, lr, gamma, eps, steps, gammas),
        what=what,
        mistakes=mistakes,
        hint=hint,
    )


def expect_multiplier(answer, eps, *, what="gamma_one_multiplier", hint=None):
    """With γ = 1 the state stays 0: every step is g / √ε."""
    mistakes = {"inverse_eps": 1 / eps, "sqrt_eps": np.sqrt(eps)}
    expect_number(answer, 1 / np.sqrt(eps), what=what, hint=hint, mistakes=mistakes)


def finite_difference(f, x, h=1e-6) -> np.ndarray:
    x = np.asarray(x, float)
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


def expect_rotated_grad(answer, x, *, what="rotated_grad", hint=None):
    """The gradient of the rotated problem, against central finite differences of its value."""
    x = np.asarray(x, float)
    fd = finite_difference(lambda z: float(PROBLEMS["d2l_rotated"].value(z)), x)
    x1, x2 = x
    wrong_sign = 0.2 * (x1 + x2) + 4 * (x1 - x2)
    mistakes = {
        "axis_gradient": PROBLEMS["d2l"].grad(x),
        "half_gradient": fd / 2,
        "rotated_sign": np.array([wrong_sign, wrong_sign]),
    }
    expect_close(answer, fd, what=what, rtol=1e-5, atol=1e-6, mistakes=mistakes, hint=hint)


def reference_steps(problem, x0, lr, gamma, eps, tol, max_steps) -> int:
    """The first t with f(x_t) < tol on the reference path (t = 0 is x0)."""
    path = reference_trajectory(problem, x0, lr, gamma, eps, max_steps)
    return M.first_below(PROBLEMS[problem].value(path), tol)


def expect_steps(answer, *case, what="steps_to_tolerance", hint=None):
    want = reference_steps(*case)
    got = as_int(answer, what=what)
    if abs(got - want) == 1:
        raise Fail(f"{what} is off by one", mistake="off_by_one_steps", hint=hint)
    if got != want:
        raise Fail(f"{what} is {got}, expected {want}", hint=hint)


def expect_choice(answer, name):
    """The grader's check of a multiple-choice answer (the public check only checks the form)."""
    if as_choice(answer, "abcd", what=name) != CHOICES[name]:
        raise Fail(f"{name} is not the statement that holds")


def q1(ns: dict) -> int:
    check_path(
        ns,
        "rmsprop_trajectory",
        expect_trajectory,
        PUBLIC_TRAJECTORY,
        what="rmsprop_trajectory(grad, (-5, -2), lr=0.4, gamma=0.9, eps=1e-2, steps=3)",
        hint="rmsprop_q1",
    )
    expect_multiplier(
        need(ns, "gamma_one_multiplier")(1e-6),
        1e-6,
        what="gamma_one_multiplier(1e-6)",
        hint="rmsprop_q1_multiplier",
    )
    choice(ns, "answer_q1", "abcd")
    return 3


def q2(ns: dict) -> int:
    expect_rotated_grad(
        need(ns, "rotated_grad")(np.array([1.0, 2.0])),
        [1.0, 2.0],
        what="rotated_grad((1, 2))",
        hint="rmsprop_q2_grad",
    )
    steps = need(ns, "steps_to_tolerance")
    d2l = PROBLEMS["d2l"]
    got = steps(
        d2l.grad, lambda z: float(d2l.value(z)), np.array([-5.0, -2.0]), 0.1, 0.9, 1e-6, 1e-1, 200
    )
    expect_steps(
        got,
        "d2l",
        [-5.0, -2.0],
        0.1,
        0.9,
        1e-6,
        1e-1,
        200,
        what="steps_to_tolerance on f = 0.1 x1² + 2 x2² (lr 0.1, γ 0.9, tol 0.1)",
        hint="rmsprop_q2_steps",
    )
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
    expect_close(
        w.detach().numpy(),
        want,
        what="one step of make_rmsprop([w], 0.01)",
        rtol=1e-5,
        hint="rmsprop_q3",
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
    answer = f(PROBLEMS["d2l"].grad, np.array([-5.0, -2.0]), 0.4, lambda t: gammas[t - 1], 1e-6, 4)
    expect_trajectory(
        answer,
        "d2l",
        [-5.0, -2.0],
        0.4,
        None,
        1e-6,
        4,
        gammas=gammas,
        what="rmsprop_scheduled with γ = 0, 0.5, 0.7, 0.9 for steps 1 to 4",
        hint="rmsprop_q4",
    )
    choice(ns, "answer_q4", "abcd")
    return 3


#: The public check of each question (each returns how many checks it ran).
CHECKS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}

QUESTIONS = {
    "q1": {"names": ["rmsprop_trajectory", "gamma_one_multiplier"], "allow": ["numpy"]},
    "q2": {"names": ["rotated_grad", "steps_to_tolerance"], "allow": ["numpy"]},
    "q3": {"names": ["make_rmsprop", "best_lr"], "allow": ["numpy", "torch", "d2l_opt.optim"]},
    "q4": {"names": ["rmsprop_scheduled", "gamma_schedule"], "allow": ["numpy"]},
}
