"""The static figures' JavaScript computes what d2l_opt computes (run under node).

``d2l_opt/static/adaptive_steps.js`` re-implements the update rules, problems and trajectory
runner so that the book's figures stay interactive without a kernel. Here it runs every
optimizer (with its variants) on every problem for 200 steps and must agree with
:func:`d2l_opt.trajectory.run` to 1e-9 (relative, or absolute below 1); settings that diverge
must diverge in both, compared where both are finite.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest
from explorer_reference import BASE, expected_trajectory

from d2l_opt import ewma, problems, rules, trajectory, widgets

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

STEPS = 200
TOL = 1e-9

PROBLEMS = {
    "isotropic": problems.ISOTROPIC,
    "anisotropic": problems.ANISOTROPIC,
    "d2l": problems.D2L_QUADRATIC,
    "d2l turned pi/4": problems.rotated(problems.D2L_QUADRATIC, math.pi / 4),
    "d2l_rotated": problems.D2L_ROTATED,
    "rosenbrock": problems.ROSENBROCK,
}
STARTS = {"rosenbrock": (-1.2, 1.0)}

RULES = {
    "SGD": rules.SGD(lr=0.05),
    "Momentum": rules.SGD(lr=0.05, momentum=0.9),
    "Nesterov": rules.SGD(lr=0.05, momentum=0.9, nesterov=True),
    "SGD dampening+wd": rules.SGD(lr=0.03, momentum=0.8, dampening=0.3, weight_decay=0.1),
    "SGD maximize": rules.SGD(lr=0.01, maximize=True),
    "Adagrad": rules.Adagrad(lr=0.3),
    "Adagrad eps inside, decay": rules.Adagrad(
        lr=0.3, lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-6, eps_inside_sqrt=True
    ),
    "RMSProp": rules.RMSprop(lr=0.01, alpha=0.9, eps=1e-6),
    "RMSProp d2l": rules.RMSprop(lr=0.01, alpha=0.9, eps=1e-6, eps_inside_sqrt=True),
    "RMSProp centered+momentum": rules.RMSprop(lr=0.005, alpha=0.95, momentum=0.5, centered=True),
    "RMSProp wd": rules.RMSprop(lr=0.01, weight_decay=0.05),
    "Adam": rules.Adam(lr=0.05),
    "Adam eps inside": rules.Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-4, eps_inside_sqrt=True),
    "AMSGrad": rules.Adam(lr=0.05, amsgrad=True),
    "Adam L2": rules.Adam(lr=0.05, weight_decay=0.1),
    "AdamW": rules.AdamW(lr=0.05, weight_decay=0.1),
    "Adam large lr": rules.Adam(lr=0.5, betas=(0.5, 0.9)),
    "SGD diverging": rules.SGD(lr=3.0),  # |1 - 16 lr|^t overflows on x1^2 + 8 x2^2
}

HARNESS = r"""
const AS = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const jobs = JSON.parse(input);
  const out = jobs.map((job) => {
    if (job.op === "run") return AS.run(job.rule, job.problem, job.x0, job.steps);
    if (job.op === "explorer") {
      const problem = AS.makeProblem(AS.rotatedSpec(job.problem, job.settings.theta));
      return AS.run(AS.optimizerSpec(job.name, job.settings), problem, job.settings.x0,
                    job.settings.steps);
    }
    if (job.op === "ewma") return AS.ewma(job.series, job.beta, job.bias_correction);
    if (job.op === "weights") return AS.ewmaWeights(job.beta, job.t, job.bias_correction);
    if (job.op === "rate") return job.points.map((p) => AS.momentumRate(p[0], p[1], job.lams));
    if (job.op === "roots") return job.points.map((p) => AS.heavyBallRoots(p[0], p[1], p[2]));
    if (job.op === "value") return job.points.map((p) => AS.makeProblem(job.problem).value(p));
    throw new Error("unknown op " + job.op);
  });
  // JSON turns NaN and Infinity into null
  process.stdout.write(JSON.stringify(out));
});
"""


def run_js(jobs: list[dict]) -> list:
    return run_node(HARNESS, jobs)


def run_node(harness: str, jobs: list[dict]) -> list:
    """Run ``harness`` under Node.js with the JS module's path as argument and ``jobs`` as JSON
    on stdin; its JSON output."""
    script = str(widgets.STATIC_DIR / "adaptive_steps.js")
    result = subprocess.run(
        [NODE, "-e", harness, script],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def as_array(rows) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


def deviation(py: np.ndarray, js: np.ndarray) -> tuple[float, float]:
    """Max abs and max scaled deviation |js - py| / max(1, |py|) where both are finite."""
    both = np.isfinite(py) & np.isfinite(js)
    if not both.any():
        return 0.0, 0.0
    diff = np.abs(js - py)[both]
    return float(diff.max()), float((diff / np.maximum(1.0, np.abs(py[both]))).max())


def check(py: np.ndarray, js: np.ndarray, label: str) -> tuple[float, float]:
    assert js.shape == py.shape, label
    finite_py, finite_js = np.isfinite(py), np.isfinite(js)
    assert (finite_py == finite_js).all(), f"{label}: one diverges, the other does not"
    abs_dev, scaled = deviation(py, js)
    assert scaled <= TOL, f"{label}: JS and d2l_opt differ by {scaled:.3g} (scaled)"
    return abs_dev, scaled


def grid_jobs():
    """Every rule on every problem: the (rule, problem) names and the JS harness's jobs."""
    cases = [(r, p) for r in RULES for p in PROBLEMS]
    jobs = [
        {
            "op": "run",
            "rule": widgets.rule_spec(RULES[r]),
            "problem": widgets.problem_spec(PROBLEMS[p]),
            "x0": list(STARTS.get(p, (-1.0, 1.0))),
            "steps": STEPS,
        }
        for r, p in cases
    ]
    return cases, jobs


@pytest.fixture(scope="module")
def grid_results():
    cases, jobs = grid_jobs()
    return dict(zip(cases, run_js(jobs), strict=True))


@pytest.mark.parametrize("rule_name", list(RULES))
@pytest.mark.parametrize("problem_name", list(PROBLEMS))
def test_js_trajectories_match_d2l_opt(grid_results, rule_name, problem_name):
    rule, problem = RULES[rule_name], PROBLEMS[problem_name]
    py = trajectory.run(rule, problem, np.array(STARTS.get(problem_name, (-1.0, 1.0))), STEPS)
    js = as_array(grid_results[(rule_name, problem_name)])
    check(py, js, f"{rule_name} on {problem_name}")


def test_the_grid_covers_convergence_and_divergence(grid_results):
    finals = {key: as_array(rows)[-1] for key, rows in grid_results.items()}
    assert sum(np.isfinite(v).all() for v in finals.values()) > 80
    assert not np.isfinite(finals[("SGD diverging", "anisotropic")]).all()
    assert np.abs(finals[("Adam", "isotropic")]).max() < 0.1


def test_js_builds_the_explorer_optimizers_like_the_reference():
    """optimizerSpec (JS) gives the runs of the rules spelled out in explorer_reference.

    (The settings avoid RMSProp at alpha = 0 with a tiny eps on a turned problem: once
    |g| ~ eps, that map multiplies the last-bit difference of numpy's fused matrix product by
    about 1e9 per step, in Python against Python just as in JS against Python.)
    """
    keys = ("lr", "momentum", "alpha", "beta1", "beta2", "eps", "eps_inside_sqrt", "x0", "theta")
    rows = [
        (0.05, 0.9, 0.9, 0.9, 0.999, 1e-6, False, [-1.0, 1.0], 0.0),
        (0.02, 0.5, 0.99, 0.8, 0.99, 1e-3, True, [0.7, -1.3], math.radians(35.0)),
        (0.1, 0.0, 0.5, 0.0, 0.5, 1e-4, False, [1.5, 0.5], math.radians(-60.0)),
    ]
    settings_list = [dict(zip(keys, row, strict=True), steps=STEPS) for row in rows]
    jobs, expected = [], []
    for s in settings_list:
        for problem, base_problem in BASE.items():
            base = widgets.problem_spec(base_problem)
            for name in ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"):
                jobs.append({"op": "explorer", "name": name, "settings": s, "problem": base})
                label = f"{name} {problem} {s['lr']}"
                expected.append((label, expected_trajectory({**s, "problem": problem}, name)))
    for (label, py), js_rows in zip(expected, run_js(jobs), strict=True):
        check(py, as_array(js_rows), label)


def test_js_ewma_matches_d2l_opt():
    series = widgets.ewma_explorer(seed=5).full_series
    jobs, expected = [], []
    for beta in (0.0, 0.5, 0.9, 0.99):
        for corrected in (False, True):
            jobs.append(
                {
                    "op": "ewma",
                    "series": series.tolist(),
                    "beta": beta,
                    "bias_correction": corrected,
                }
            )
            expected.append(ewma.ewma(series, beta, bias_correction=corrected))
            jobs.append({"op": "weights", "beta": beta, "t": 50, "bias_correction": corrected})
            weights = ewma.ewma_weights(beta, 50)
            expected.append(weights / ewma.bias_correction(beta, 50) if corrected else weights)
    for want, got in zip(expected, run_js(jobs), strict=True):
        np.testing.assert_allclose(np.array(got, dtype=float), want, rtol=1e-13, atol=1e-15)


def companion_radius(lr, beta, lam):
    """Largest |eigenvalue| of the heavy-ball recurrence's companion matrix (numpy)."""
    matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(matrix)).max()


def test_js_momentum_rates_roots_and_values_match_independent_oracles():
    rng = np.random.default_rng(0)
    points = np.stack([rng.uniform(0, 0.3, 400), rng.uniform(0, 0.999, 400)], -1)
    lams = [2.0, 16.0]
    triples = np.stack(
        [rng.uniform(0, 0.5, 300), rng.uniform(0, 0.999, 300), rng.uniform(0.1, 20, 300)], -1
    )
    triples[:3] = [[0.1, 0.25, 2.0], [0.125, 0.0, 16.0], [0.05, 0.9, 2.0]]  # real, 0, complex
    pts = rng.normal(size=(50, 2)) * 2
    jobs = [
        {"op": "rate", "points": points.tolist(), "lams": lams},
        {"op": "roots", "points": triples.tolist()},
    ]
    for p in PROBLEMS.values():
        jobs.append({"op": "value", "problem": widgets.problem_spec(p), "points": pts.tolist()})
    got = run_js(jobs)
    want = [max(companion_radius(lr, beta, lam) for lam in lams) for lr, beta in points]
    np.testing.assert_allclose(got[0], want, rtol=1e-9, atol=1e-12)
    for (lr, beta, lam), js_roots in zip(triples, got[1], strict=True):
        js = np.sort_complex(np.array([complex(re, im) for re, im in js_roots]))
        want_roots = np.roots([1.0, -(1 + beta - lr * lam), beta]).astype(complex)
        np.testing.assert_allclose(js, np.sort_complex(want_roots), atol=1e-6)
        # Vieta: the product of the roots is beta, their sum the trace 1 + beta - lr lam
        assert abs(np.prod(js) - beta) < 1e-12 and abs(js.sum() - (1 + beta - lr * lam)) < 1e-12
    for p, values in zip(PROBLEMS.values(), got[2:], strict=True):
        np.testing.assert_allclose(values, p.value(pts), rtol=1e-12, atol=1e-14)


def test_js_rejects_bad_input():
    script = str(widgets.STATIC_DIR / "adaptive_steps.js")
    code = (
        "const AS = require(process.argv[1]);"
        "for (const bad of [() => AS.makeRule({type: 'lbfgs'}),"
        "  () => AS.makeRule({type: 'sgd', nesterov: true}),"
        "  () => AS.makeProblem({type: 'himmelblau'})]) {"
        "  let threw = false; try { bad(); } catch (e) { threw = true; }"
        "  if (!threw) process.exit(3); }"
    )
    assert subprocess.run([NODE, "-e", code, script], check=False).returncode == 0


if __name__ == "__main__":  # print the deviations over the whole grid (for reports)
    cases, jobs = grid_jobs()
    worst_small = worst_scaled = 0.0
    for (r, p), rows in zip(cases, run_js(jobs), strict=True):
        py = trajectory.run(RULES[r], PROBLEMS[p], np.array(STARTS.get(p, (-1.0, 1.0))), STEPS)
        js = as_array(rows)
        both = np.isfinite(py) & np.isfinite(js)
        small = both & (np.abs(py) <= 1)
        abs_small = float(np.abs(js - py)[small].max(initial=0.0))
        scaled = deviation(py, js)[1]
        worst_small, worst_scaled = max(worst_small, abs_small), max(worst_scaled, scaled)
        print(
            f"{r:28s} {p:16s} |x|<=1: max abs {abs_small:.1e}; max |js-py|/max(1,|py|) {scaled:.1e}"
        )
    print(
        f"{len(cases)} runs of {STEPS} steps: max abs deviation where |x| <= 1: "
        f"{worst_small:.2e}; max |js - py| / max(1, |py|): {worst_scaled:.2e}"
    )
