"""Exercise notebooks: public checks in a plain Jupyter kernel, and the teaching versions of
the rules (used for hints and diagnostics) against d2l_opt's rules."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from d2l_opt import ewma
from d2l_opt.grading import mistakes as M
from d2l_opt.grading.notebook import HIDDEN_TAG, SKIP_TAG, tags
from d2l_opt.problems import ANISOTROPIC, D2L_ROTATED
from d2l_opt.rules import SGD, Adagrad, Adam, RMSprop
from d2l_opt.trajectory import run

REPO = Path(__file__).resolve().parents[1]
X0 = np.array([1.5, -0.7])


def run_in_kernel(nb, tmp_path: Path) -> list[str]:
    """Execute ``nb`` in a fresh python3 kernel; return the text printed by each code cell."""
    nb.cells = [c for c in nb.cells if SKIP_TAG not in tags(c) and HIDDEN_TAG not in tags(c)]
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
    client.execute()
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
            texts.append("".join(o.get("text", "") for o in cell.outputs))
    return texts


def test_public_checks_in_a_plain_kernel(tmp_path):
    """Solved: every check says passed. Wrong (ε inside): failed, the mistake and a hint.
    Untouched student notebook: failed, not implemented."""
    solved = nbformat.read(REPO / "exercises" / "master" / "adagrad.ipynb", as_version=4)
    wrong = nbformat.read(REPO / "exercises" / "master" / "adagrad.ipynb", as_version=4)
    for cell in wrong.cells:
        cell.source = cell.source.replace("(np.sqrt(s) + eps)", "np.sqrt(s + eps)")
    blank = nbformat.read(REPO / "exercises" / "adagrad.ipynb", as_version=4)
    out = "\n".join(run_in_kernel(solved, tmp_path))
    assert out.count("✅") == 2 and "❌" not in out
    out = "\n".join(run_in_kernel(wrong, tmp_path))
    assert "❌ q1: failed" in out and "ε inside the square root" in out and "Hint:" in out
    out = "\n".join(run_in_kernel(blank, tmp_path))
    assert out.count("❌") == 2 and "not implemented yet" in out


def grad_of(problem):
    return problem.grad


@pytest.mark.parametrize("problem", [ANISOTROPIC, D2L_ROTATED])
def test_teaching_versions_match_d2l_opt_rules(problem):
    g = grad_of(problem)
    np.testing.assert_allclose(
        M.rmsprop_trajectory(g, X0, 0.05, 0.8, 1e-4, 9),
        run(RMSprop(lr=0.05, alpha=0.8, eps=1e-4, eps_inside_sqrt=True), problem, X0, 9),
    )
    np.testing.assert_allclose(
        M.adagrad_trajectory(g, X0, 0.3, 1e-3, 9), run(Adagrad(lr=0.3, eps=1e-3), problem, X0, 9)
    )
    np.testing.assert_allclose(
        M.heavy_ball_trajectory(g, X0, 0.05, 0.7, 9),
        run(SGD(lr=0.05, momentum=0.7), problem, X0, 9),
    )


def test_teaching_adam_and_ewma_match():
    rng = np.random.default_rng(0)
    p, g, m, v = rng.normal(size=(4, 3))
    v = np.abs(v)
    for t in (1, 4):
        rule = Adam(lr=0.01, betas=(0.8, 0.95), eps=1e-6)
        new, st = rule.update(p, g, {"step": t - 1, "exp_avg": m, "exp_avg_sq": v})
        ours = M.adam_step(p, g, m, v, t, 0.01, 0.8, 0.95, 1e-6)
        np.testing.assert_allclose(np.stack(ours), np.stack([new, st["exp_avg"], st["exp_avg_sq"]]))
    xs = rng.normal(size=15)
    np.testing.assert_allclose(M.ewma_bias_corrected(xs, 0.7), ewma.ewma(xs, 0.7, True))
    assert M.half_life(0.9) == pytest.approx(ewma.half_life(0.9))


def test_each_mistake_differs_from_the_rule():
    g = D2L_ROTATED.grad
    ref = M.rmsprop_trajectory(g, X0, 0.05, 0.8, 1e-4, 6)
    for mistake in ["eps_outside", "g_not_squared", "wrong_sign", "state_not_updated",
                    "one_minus_swapped", "sqrt_missing"]:  # fmt: skip
        assert not np.allclose(M.rmsprop_trajectory(g, X0, 0.05, 0.8, 1e-4, 6, mistake), ref)
    args = (X0, np.array([0.5, -2.0]), np.array([0.1, 0.2]), np.array([0.3, 0.1]), 3, 0.1, 0.9,
            0.99, 1e-3)  # fmt: skip
    ref = np.stack(M.adam_step(*args))
    for mistake in ["no_bias_correction", "off_by_one_t", "one_minus_swapped", "g_not_squared",
                    "eps_inside", "wrong_sign", "state_not_updated"]:  # fmt: skip
        assert not np.allclose(
            np.stack(M.adam_step(*args, mistake=mistake)), ref, rtol=1e-7, atol=0
        ), mistake
