"""d2l_opt.plotting: torch paths against closed forms, figures against the data they were given,
and no figure outside the module drawing a problem's contours by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import d2l_opt.optim  # noqa: E402
from d2l_opt import plotting  # noqa: E402
from d2l_opt.plotting import plot_paths, run_torch  # noqa: E402
from d2l_opt.problems import (  # noqa: E402
    D2L_QUADRATIC,
    D2L_ROTATED,
    ROSENBROCK,
    Quadratic,
    Rosenbrock,
    Rotated,
)

ROOT = Path(__file__).resolve().parents[1]
# 0.1(w1 + w2)^2 + 2(w1 - w2)^2 = w^T A w, written out from the formula (not from problems.py)
A_ROTATED = np.array([[2.1, -1.9], [-1.9, 2.1]])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- run_torch ------------------------------------------------------------------------------


@pytest.mark.parametrize("gradient", ["analytic", "autograd"])
@pytest.mark.parametrize("optimizer", [torch.optim.SGD, d2l_opt.optim.SGD])
def test_plain_sgd_path_is_the_closed_form_iterate(optimizer, gradient):
    # f = w^T A w, grad 2 A w: w_t = (I - 2 lr A)^t w0
    w0, lr, steps = np.array([-5.0, -2.0]), 0.05, 25
    path = run_torch(optimizer, D2L_ROTATED, w0, steps, gradient=gradient, lr=lr)
    step = np.eye(2) - 2 * lr * A_ROTATED
    expected = np.stack([np.linalg.matrix_power(step, t) @ w0 for t in range(steps + 1)])
    assert path.shape == (steps + 1, 2) and path.dtype == np.float64
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-14)


def test_adams_first_step_is_a_sign_step_of_length_lr():
    # m_1 / sqrt(s_1) = g / |g| after bias correction: each coordinate moves by lr (minus eps)
    w0 = np.array([-1.5, 2.0])
    path = run_torch(torch.optim.Adam, ROSENBROCK, w0, 1, lr=0.01, eps=0.0)
    np.testing.assert_allclose(path[1], w0 - 0.01 * np.sign(ROSENBROCK.grad(w0)), rtol=1e-15)


def test_a_factory_works_like_a_class_and_options_reach_it():
    by_class = run_torch(torch.optim.SGD, D2L_QUADRATIC, [1.0, 1.0], 5, lr=0.1, momentum=0.9)
    factory = lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(run_torch(factory, D2L_QUADRATIC, [1.0, 1.0], 5), by_class)
    plain = run_torch(torch.optim.SGD, D2L_QUADRATIC, [1.0, 1.0], 5, lr=0.1)
    assert not np.allclose(plain, by_class)  # momentum was passed on


def test_a_batch_of_starts_moves_each_start_as_alone():
    starts = np.array([[1.0, 1.0], [-1.5, 2.0], [0.3, -0.7]])
    batch = run_torch(torch.optim.RMSprop, ROSENBROCK, starts, 30, lr=0.01)
    assert batch.shape == (31, 3, 2)
    for i, start in enumerate(starts):
        alone = run_torch(torch.optim.RMSprop, ROSENBROCK, start, 30, lr=0.01)
        np.testing.assert_allclose(batch[:, i], alone, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "problem",
    [D2L_ROTATED, Quadratic(0.5, 3.0, theta=0.3), Rosenbrock(2.0, 10.0), Rotated(ROSENBROCK, 0.7)],
    ids=["d2l_rotated", "quadratic", "rosenbrock", "rotated_rosenbrock"],
)
def test_torch_value_and_its_autograd_match_the_analytic_problem(problem):
    points = np.random.default_rng(0).uniform(-2, 2, size=(7, 2))
    w = torch.tensor(points, requires_grad=True)
    total = plotting.torch_value(problem, w)
    total.backward()
    np.testing.assert_allclose(total.item(), problem.value(points).sum(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), problem.grad(points), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: run_torch("adam", D2L_QUADRATIC, [1, 1], 3), TypeError, "optimizer class"),
        (lambda: run_torch(lambda p: None, D2L_QUADRATIC, [1, 1], 3), TypeError, "Optimizer"),
        (
            lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, 1], -1, lr=0.1),
            ValueError,
            "steps",
        ),
        (
            lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, 1], 2.5, lr=0.1),
            ValueError,
            "steps",
        ),
        (
            lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, 1], True, lr=0.1),
            ValueError,
            "steps",
        ),
        (lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, 2, 3], 2, lr=0.1), ValueError, "w0"),
        (
            lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, np.nan], 2, lr=0.1),
            ValueError,
            "w0",
        ),
        (
            lambda: run_torch(
                torch.optim.SGD, D2L_QUADRATIC, [1, 1], 2, gradient="numeric", lr=0.1
            ),
            ValueError,
            "gradient",
        ),
        (lambda: run_torch(torch.optim.SGD, D2L_QUADRATIC, [1, 1], 2, lrr=0.1), TypeError, "lrr"),
    ],
    ids=[
        "not-callable",
        "not-optimizer",
        "negative",
        "float",
        "bool",
        "shape",
        "nan",
        "mode",
        "typo",
    ],
)
def test_run_torch_rejects_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_autograd_on_an_unknown_problem_says_what_to_do():
    class Bowl:
        def grad(self, w):
            return 2 * np.asarray(w)

    with pytest.raises(TypeError, match="gradient='analytic'"):
        run_torch(torch.optim.SGD, Bowl(), [1.0, 1.0], 1, gradient="autograd", lr=0.1)
    path = run_torch(torch.optim.SGD, Bowl(), [1.0, 1.0], 1, lr=0.25)  # analytic: fine
    np.testing.assert_allclose(path[1], [0.5, 0.5])


# --- figures --------------------------------------------------------------------------------


def _marks(ax, marker):
    """The single-point marks (no line) drawn with ``marker``."""
    lines = ax.get_lines()
    return [m for m in lines if m.get_marker() == marker and m.get_linestyle() == "None"]


def test_plot_paths_draws_the_given_paths_start_and_optimum():
    paths = {
        "SGD": np.array([[-5.0, -2.0], [-4.0, 1.0], [-3.0, -0.5]]),
        "Adam": np.array([[-5.0, -2.0], [-4.5, -1.5], [-4.0, -1.0]]),
        "other": np.array([[1.0, 2.0], [0.5, 1.0]]),
    }
    fig, ax = plt.subplots()
    lines = plot_paths(ax, ROSENBROCK, paths, ((-6, 2), (-3, 3)), levels=[1, 10, 100])
    for name, path in paths.items():
        np.testing.assert_array_equal(lines[name].get_xydata(), path)
        assert lines[name].get_label() == name
    assert lines["SGD"].get_color() == plotting.COLORS["SGD"]
    assert lines["Adam"].get_color() == plotting.COLORS["Adam"]
    assert lines["other"].get_color() == "C2"  # not an optimizer's name: the colour cycle
    starts = _marks(ax, plotting.START_STYLE["marker"])
    assert sorted(m.get_xydata()[0].tolist() for m in starts) == [[-5.0, -2.0], [1.0, 2.0]]
    (optimum,) = _marks(ax, plotting.OPTIMUM_STYLE["marker"])
    np.testing.assert_array_equal(optimum.get_xydata(), [ROSENBROCK.minimizer])
    assert (ax.get_xlabel(), ax.get_ylabel()) == plotting.AXIS_LABELS
    assert ax.get_xlim() == (-6.0, 2.0) and ax.get_ylim() == (-3.0, 3.0)


def test_plot_paths_options_colours_markers_and_labels():
    path = np.array([[1.0, 1.0], [0.2, -0.4], [0.0, 0.1]])
    fig, ax = plt.subplots()
    (line,) = plot_paths(
        ax, D2L_QUADRATIC, [path], ((-2, 2), (-2, 2)), colors=["C3"], markers=False,
        start=False, labels=False, aspect="auto",
    ).values()  # fmt: skip
    assert line.get_color() == "C3" and line.get_marker() == "None"
    assert not _marks(ax, plotting.START_STYLE["marker"])
    assert ax.get_xlabel() == "" and ax.get_aspect() == "auto"
    with pytest.raises(ValueError, match="2 colours for 1 paths"):
        plot_paths(ax, D2L_QUADRATIC, [path], ((-2, 2), (-2, 2)), colors=["C1", "C2"])
    with pytest.raises(ValueError, match="at least one path"):
        plot_paths(ax, D2L_QUADRATIC, {}, ((-2, 2), (-2, 2)))
    with pytest.raises(ValueError, match="shape"):
        plot_paths(ax, D2L_QUADRATIC, [path[:, 0]], ((-2, 2), (-2, 2)))


def test_a_path_leaving_the_window_stays_visible():
    fig, ax = plt.subplots()
    escape = np.array([[-1.5, 2.0], [4.8, 2.0]])  # like RMSProp's first step on Rosenbrock
    plot_paths(ax, ROSENBROCK, [escape], ((-2.2, 2.4), (-1.0, 5.4)), aspect="auto")
    assert ax.get_xlim()[1] >= 4.8 and ax.get_xlim()[0] <= -2.2


@pytest.mark.parametrize("window", [((1, -1), (0, 1)), ((0, 1),), "square", ((0, 1), (0, "a"))])
def test_a_bad_window_is_refused(window):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="window"):
        plotting.draw_contours(ax, D2L_QUADRATIC, window)


def test_contour_lines_lie_on_their_levels():
    fig, ax = plt.subplots()
    levels = [0.5, 2.0, 8.0]
    contours = plotting.draw_contours(ax, D2L_ROTATED, ((-3, 3), (-3, 3)), levels=levels)
    for level, segments in zip(levels, contours.allsegs, strict=True):
        points = np.concatenate(segments)
        assert len(points) > 20
        np.testing.assert_allclose(D2L_ROTATED.value(points), level, rtol=2e-3)


def test_a_count_of_levels_spans_valley_floor_to_walls():
    fig, ax = plt.subplots()
    contours = plotting.draw_contours(ax, ROSENBROCK, ((-2, 2), (-1, 3)), levels=6)
    levels = np.asarray(contours.levels)
    assert len(levels) == 6 and (np.diff(levels) > 0).all()
    ratios = np.diff(levels[1:]) / np.diff(levels[:-1])
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric above the floor


def test_marks_use_one_style():
    fig, ax = plt.subplots()
    start, end, optimum = (
        plotting.mark_start(ax, [1, 2]),
        plotting.mark_end(ax, [3, 4]),
        plotting.mark_optimum(ax, [0, 0]),
    )
    assert [m.get_marker() for m in (start, end, optimum)] == ["o", "s", "*"]
    assert start.get_markerfacecolor() == "white"
    np.testing.assert_array_equal(end.get_xydata(), [[3.0, 4.0]])


# --- no chapter draws contours by hand ------------------------------------------------------

# A grid of a problem's values and its level sets belong to d2l_opt.plotting.
HAND_DRAWN = re.compile(r"\b(meshgrid|contourf?|tricontourf?|contour_generator)\s*\(")
# Places where such a call is something else, with the reason.
NOT_A_FIGURE_OF_A_PROBLEM = {
    # the rate map's grid of (eta * lambda, beta) settings, not a problem's surface
    ("chapters/momentum.ipynb", "743875df"),
}
# The widgets trace contour lines as data for their JavaScript view (d2l_opt/widgets.py or the
# d2l_opt/widgets/ package); that is the widgets' own job, not a figure drawn by hand.
WIDGETS = "d2l_opt/widgets"


def hand_drawn_contours() -> list[str]:
    found = []
    for notebook in sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("exercises/**/*.ipynb")]):
        where = notebook.relative_to(ROOT).as_posix()
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and (where, cell.get("id")) not in (
                NOT_A_FIGURE_OF_A_PROBLEM
            ):
                found += [
                    f"{where} cell {cell.get('id')}: {m[0]}" for m in HAND_DRAWN.finditer(source)
                ]
    for module in sorted(ROOT.glob("d2l_opt/**/*.py")):
        where = module.relative_to(ROOT).as_posix()
        if where == "d2l_opt/plotting.py" or where.startswith(WIDGETS):
            continue
        found += [f"{where}: {m[0]}" for m in HAND_DRAWN.finditer(module.read_text())]
    return found


def test_no_chapter_draws_contours_by_hand():
    assert hand_drawn_contours() == []


def test_the_scan_recognises_hand_drawn_contours():
    sample = "w1, w2 = np.meshgrid(x, y)\nax.contour(w1, w2, z)\nax.contourf (w1, w2, z)\n"
    assert [m[1] for m in HAND_DRAWN.finditer(sample)] == ["meshgrid", "contour", "contourf"]
    assert not HAND_DRAWN.search("plotting.draw_contours(ax, p, w)\n_contour_lines(spec)")


def test_the_exceptions_still_exist():
    for where, cell_id in NOT_A_FIGURE_OF_A_PROBLEM:
        cells = json.loads((ROOT / where).read_text())["cells"]
        (cell,) = [c for c in cells if c.get("id") == cell_id]
        assert HAND_DRAWN.search("".join(cell["source"])), (where, cell_id)
