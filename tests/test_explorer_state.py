"""The optimizer state the explorer draws at step k is d2l_opt's (JS under node, no browser).

``AdaptiveSteps.runWithState`` keeps the state after every update (velocity, accumulators,
Adam's moments) and ``stateSummary`` turns it into what a reader sees: the velocity, the
accumulator, Adam's bias-corrected moments and the per-coordinate effective learning rate.
The oracle is :mod:`d2l_opt.rules` stepped one update at a time, with the effective learning
rates written out from the update rules' formulas here.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from explorer_reference import BASE, expected_state
from test_widgets_js import run_node

from d2l_opt import widgets
from d2l_opt.widgets import contract

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

TOL = 1e-9
STEPS = 60
OPTIMIZERS = contract.OPTIMIZERS

HARNESS = r"""
const AS = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((job) => {
    const s = job.settings;
    const problem = AS.makeProblem(AS.rotatedSpec(job.problem, s.theta));
    const run = AS.runWithState(AS.optimizerSpec(job.name, s), problem, s.x0, s.steps);
    return run.states.map((state, k) => ({
      state: state, summary: AS.stateSummary(run.rule, state), point: run.points[k],
    }));
  });
  process.stdout.write(JSON.stringify(out));
});
"""

SETTINGS = [
    {
        "problem": "anisotropic",
        "theta": 0.0,
        "x0": [-1.0, 1.0],
        "steps": STEPS,
        "lr": 0.05,
        **contract.RULE_SETTINGS,  # the explorer's own defaults
    },
    {
        "problem": "rosenbrock",
        "theta": 0.5,
        "x0": [-1.5, 2.0],
        "steps": STEPS,
        "lr": 0.0005,
        "momentum": 0.5,
        "alpha": 0.99,
        "beta1": 0.7,
        "beta2": 0.95,
        "eps": 1e-3,
        "eps_inside_sqrt": True,
    },
]


def effective_lr(name: str, s: dict, state: dict) -> np.ndarray | None:
    """The factor of the gradient (Adam: of m-hat) in update k, from the rules' formulas."""
    k = state["step"]

    def root(v):
        return np.sqrt(v + s["eps"]) if s["eps_inside_sqrt"] else np.sqrt(v) + s["eps"]

    if name == "Adagrad":
        return s["lr"] / root(state["sum"])
    if name == "RMSProp":
        return s["lr"] / root(state["square_avg"])
    if name == "Adam":
        return s["lr"] / root(state["exp_avg_sq"] / (1 - s["beta2"] ** k))
    return None


@pytest.fixture(scope="module")
def js_states():
    keys = [(i, name) for i in range(len(SETTINGS)) for name in OPTIMIZERS]
    jobs = [
        {
            "settings": SETTINGS[i],
            "name": name,
            "problem": widgets.problem_spec(BASE[SETTINGS[i]["problem"]]),
        }
        for i, name in keys
    ]
    return dict(zip(keys, run_node(HARNESS, jobs), strict=True))


def close(got, want, label):
    got = np.array([np.nan if v is None else v for v in got], float)
    want = np.asarray(want, float)
    assert (np.isfinite(got) == np.isfinite(want)).all(), f"{label}: {got} != {want}"
    both = np.isfinite(want)
    scaled = np.abs(got[both] - want[both]) / np.maximum(1.0, np.abs(want[both]))
    assert scaled.max(initial=0.0) <= TOL, f"{label}: {got} != {want}"


@pytest.mark.parametrize("setting", range(len(SETTINGS)))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_at_every_step_is_d2l_opts(js_states, setting, name):
    s = SETTINGS[setting]
    steps = js_states[(setting, name)]
    assert len(steps) == STEPS + 1
    for k in (0, 1, 2, 7, STEPS):
        x, state, _ = expected_state(s, name, k)
        got = steps[k]
        close(got["point"], x, f"{name} x_{k}")
        assert got["state"]["step"] == k
        for key, value in state.items():
            if key != "step":
                close(got["state"][key], value, f"{name} {key} at {k}")
        summary = got["summary"]
        if k == 0:
            assert set(summary) == {"step"}, "no state is shown before the first update"
            continue
        if name in ("Momentum", "Nesterov"):
            close(summary["velocity"], state["momentum_buffer"], f"{name} velocity at {k}")
        want_eff = effective_lr(name, s, state)
        if want_eff is None:
            assert "effective_lr" not in summary
        else:
            close(summary["effective_lr"], want_eff, f"{name} effective lr at {k}")
        if name == "Adam":
            close(summary["m_hat"], state["exp_avg"] / (1 - s["beta1"] ** k), "m-hat")
            close(summary["v_hat"], state["exp_avg_sq"] / (1 - s["beta2"] ** k), "v-hat")
