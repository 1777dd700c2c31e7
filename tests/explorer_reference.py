"""The expected trajectories of the trajectory explorer, built without d2l_opt.widgets.

Both the live-widget tests and the static (JavaScript) figure tests compare what a figure drew
with d2l_opt.trajectory.run on rules and problems spelled out here, so a mistake in the widgets'
own mapping from names and settings to rules cannot hide itself.
"""

from __future__ import annotations

import numpy as np

from d2l_opt import problems, rules, trajectory

BASE = {
    "isotropic": problems.ISOTROPIC,
    "anisotropic": problems.ANISOTROPIC,
    "d2l": problems.D2L_QUADRATIC,
    "rosenbrock": problems.ROSENBROCK,
}


def reference_rule(name: str, s: dict):
    """The rule for an explorer optimizer name and its settings."""
    if name == "SGD" or (name == "Nesterov" and s["momentum"] == 0):
        return rules.SGD(lr=s["lr"])
    if name == "Momentum":
        return rules.SGD(lr=s["lr"], momentum=s["momentum"])
    if name == "Nesterov":
        return rules.SGD(lr=s["lr"], momentum=s["momentum"], nesterov=True)
    if name == "Adagrad":
        return rules.Adagrad(lr=s["lr"], eps=s["eps"], eps_inside_sqrt=s["eps_inside_sqrt"])
    if name == "RMSProp":
        return rules.RMSprop(
            lr=s["lr"], alpha=s["alpha"], eps=s["eps"], eps_inside_sqrt=s["eps_inside_sqrt"]
        )
    assert name == "Adam", name
    return rules.Adam(
        lr=s["lr"],
        betas=(s["beta1"], s["beta2"]),
        eps=s["eps"],
        eps_inside_sqrt=s["eps_inside_sqrt"],
    )


def reference_problem(name: str, theta: float):
    base = BASE[name]
    return problems.rotated(base, theta) if theta else base


def expected_trajectory(s: dict, name: str) -> np.ndarray:
    """d2l_opt's trajectory for an explorer's settings (widget settings or data-settings)."""
    x0 = np.array(s["x0"], dtype=np.float64)
    problem = reference_problem(s["problem"], s["theta"])
    return trajectory.run(reference_rule(name, s), problem, x0, s["steps"])


def expected_state(s: dict, name: str, k: int):
    """After k updates of an explorer optimizer: the iterate x_k, the rule's state and the
    gradient at x_k (d2l_opt.rules, one update at a time)."""
    rule = reference_rule(name, s)
    problem = reference_problem(s["problem"], s["theta"])
    x = np.array(s["x0"], dtype=np.float64)
    state = rule.init(x)
    for _ in range(k):
        x, state = rule.update(x, problem.grad(x), state)
    return x, state, problem.grad(x)
