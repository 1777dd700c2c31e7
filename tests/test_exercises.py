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


# ----------------------------------------- one source: the masters hold no references of their own

PUBLIC_MODULES = ["ewma", "momentum", "adagrad", "rmsprop", "adam"]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_masters_hold_no_reference_implementation_or_mistake_list(name):
    """A master's hidden tests import their references, mistake lists and public inputs from
    d2l_opt.grading.public.<exercise>: no rule, trajectory or mistake module of their own, no
    mistake names, no helper functions besides the tests themselves."""
    import ast

    master = nbformat.read(REPO / "exercises" / "master" / f"{name}.ipynb", as_version=4)
    source = "\n\n".join(c.source for c in master.cells if HIDDEN_TAG in tags(c))
    tree = ast.parse(source)
    allowed = {"numpy", "d2l_opt.grading.spec", "d2l_opt.grading.public"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {a.name for a in node.names} <= allowed, ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            assert node.module in allowed, ast.unparse(node)
            if node.module == "d2l_opt.grading.public":
                assert [a.name for a in node.names] == [name]
        elif isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(d) for d in node.decorator_list]
            assert any(".test(" in d for d in decorators), f"{name}: def {node.name} in the master"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value not in M.DESCRIPTIONS, f"{name}: mistake {node.value!r} listed"


# --------------------------- every mistake differs from the rule; every correct branch is the rule


def torch_path(optimizer_class, x0, grad, steps, **settings):
    """An independent oracle: torch.optim's optimizer on the same gradients."""
    import torch

    w = torch.tensor(np.array(x0, dtype=float), requires_grad=True)
    optimizer = optimizer_class([w], **settings)
    out = [w.detach().numpy().copy()]
    for _ in range(steps):
        w.grad = torch.tensor(np.asarray(grad(w.detach().numpy()), dtype=float))
        optimizer.step()
        out.append(w.detach().numpy().copy())
    return np.array(out)


def test_correct_branches_equal_rules_and_torch():
    import torch

    g = D2L_ROTATED.grad
    adagrad = torch_path(torch.optim.Adagrad, X0, g, 9, lr=0.3, eps=1e-3)
    np.testing.assert_allclose(M.adagrad_trajectory(g, X0, 0.3, 1e-3, 9), adagrad)
    heavy_ball = torch_path(torch.optim.SGD, X0, g, 9, lr=0.05, momentum=0.7)
    np.testing.assert_allclose(M.heavy_ball_trajectory(g, X0, 0.05, 0.7, 9), heavy_ball)
    grads = np.random.default_rng(4).normal(size=(7, 3))
    np.testing.assert_allclose(M.adagrad_effective_rates(grads, 0.5, 1e-3),
                               0.5 / (np.sqrt(np.cumsum(grads**2, axis=0)) + 1e-3))  # fmt: skip
    # Adam and AMSGrad: iterate the teaching step from zero moments against torch.optim.Adam
    for amsgrad in (False, True):
        p, m, v, vmax = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3), np.zeros(3)
        w = torch.tensor(p.copy(), requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.05, betas=(0.8, 0.9), eps=1e-6, amsgrad=amsgrad)
        for t in range(1, 6):
            grad = grads[t]
            if amsgrad:
                p, m, v, vmax = M.amsgrad_step(p, grad, m, v, vmax, t, 0.05, 0.8, 0.9, 1e-6)
            else:
                p, m, v = M.adam_step(p, grad, m, v, t, 0.05, 0.8, 0.9, 1e-6)
            w.grad = torch.tensor(grad)
            opt.step()
            np.testing.assert_allclose(p, w.detach().numpy(), rtol=1e-10)
    kappa = 50.0
    assert M.optimal_momentum(kappa) == pytest.approx(((kappa**0.5 - 1) / (kappa**0.5 + 1)) ** 2)
    xs = np.random.default_rng(5).normal(size=9)
    closed = []  # the EWMA's weights (1 - β) β^(t-k), normalised by 1 - β^t
    for t in range(1, 10):
        w = np.array([(1 - 0.6) * 0.6 ** (t - k) for k in range(1, t + 1)])
        closed.append(w @ xs[:t] / (1 - 0.6**t))
    np.testing.assert_allclose(M.ewma_bias_corrected(xs, 0.6), closed)
    assert M.half_life(0.8) == pytest.approx(np.log(0.5) / np.log(0.8))


def mistake_cases():
    from d2l_opt.grading.public import adagrad, adam, momentum, rmsprop
    from d2l_opt.grading.public import ewma as ewma_p

    g = D2L_ROTATED.grad
    grads = np.random.default_rng(6).normal(size=(6, 2))
    step = (X0, np.array([0.5, -2.0]), np.array([0.1, 0.2]), np.array([0.3, 0.1]), 3, 0.1, 0.9,
            0.99, 1e-3)  # fmt: skip
    ams = (*step[:4], np.array([0.4, 0.05]), *step[4:])
    gammas = [0.1, 0.5, 0.7, 0.9, 0.95]
    return [
        (M.adagrad_trajectory, (g, X0, 0.3, 1e-3, 6), {}, adagrad.TRAJECTORY_MISTAKES),
        (M.adagrad_effective_rates, (grads, 0.5, 1e-3), {}, adagrad.RATE_MISTAKES),
        (M.heavy_ball_trajectory, (g, X0, 0.05, 0.7, 6), {}, momentum.TRAJECTORY_MISTAKES),
        (M.optimal_momentum, (50.0,), {}, momentum.MOMENTUM_MISTAKES),
        (M.rmsprop_trajectory, (g, X0, 0.05, 0.8, 1e-4, 6), {}, rmsprop.TRAJECTORY_MISTAKES),
        (M.rmsprop_trajectory, (g, X0, 0.05, None, 1e-4, 5), {"gammas": gammas},
         rmsprop.SCHEDULE_MISTAKES),
        (M.adam_step, step, {}, adam.STEP_MISTAKES),
        (M.amsgrad_step, ams, {}, adam.AMSGRAD_MISTAKES),
        (M.ewma_bias_corrected, (np.random.default_rng(8).normal(size=8), 0.7), {},
         ewma_p.BIAS_MISTAKES),
        (M.half_life, (0.9,), {}, ewma_p.HALF_LIFE_MISTAKES),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(10))
def test_every_listed_mistake_differs_from_the_right_answer(case):
    func, args, kwargs, names = mistake_cases()[case]
    right = np.asarray(np.stack(func(*args, **kwargs)) if isinstance(func(*args, **kwargs), tuple)
                       else func(*args, **kwargs), dtype=float)  # fmt: skip
    assert names
    for name in names:
        assert name in M.DESCRIPTIONS, name
        wrong = func(*args, mistake=name, **kwargs)
        wrong = np.asarray(np.stack(wrong) if isinstance(wrong, tuple) else wrong, dtype=float)
        assert not np.allclose(wrong, right, rtol=1e-7, atol=0, equal_nan=True), (func, name)


@pytest.mark.parametrize(
    ("exercise", "name", "shown"),
    [
        ("adagrad", "adagrad", "adagrad(grad, (-5, -2), lr=0.4, eps=0.1, steps=4)"),
        ("momentum", "heavy_ball", "heavy_ball(grad, (-5, -2), lr=0.1, beta=0.5, steps=4)"),
    ],
)
def test_a_wrong_public_path_is_named_by_the_call_the_student_sees(exercise, name, shown):
    import importlib

    from d2l_opt.grading.spec import Fail

    module = importlib.import_module(f"d2l_opt.grading.public.{exercise}")

    def standing_still(grad, x0, *settings):
        return np.repeat(np.asarray(x0, float)[None], settings[-1] + 1, axis=0)

    with pytest.raises(Fail) as failure:
        module.CHECKS["q1"]({name: standing_still})
    assert str(failure.value).startswith(shown + " ")
