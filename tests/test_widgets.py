"""The live (ipywidgets + matplotlib) views: drive the controls, compare the drawn data.

The reference is built here from the rule classes and problems directly (not through the
widgets' own helpers) and run with :func:`d2l_opt.trajectory.run`; a few steps are also checked
against closed forms.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from explorer_reference import expected_trajectory, reference_problem

from d2l_opt import ewma, problems, rules, trajectory, widgets

ALL = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam")


def expected(explorer, name):
    return expected_trajectory(explorer.settings, name)


def assert_lines_match(explorer):
    s = explorer.settings
    problem = reference_problem(s["problem"], s["theta"])
    f0 = float(problem.value(np.array(s["x0"])))
    for name in ALL:
        line, loss = explorer.lines[name], explorer.loss_lines[name]
        if name not in s["optimizers"]:
            assert not line.get_visible() and not loss.get_visible()
            assert name not in explorer.trajectories
            continue
        want = expected(explorer, name)
        x, y = line.get_data()
        assert line.get_visible() and loss.get_visible()
        np.testing.assert_array_equal(np.stack([x, y], -1), want)
        np.testing.assert_array_equal(explorer.trajectories[name], want)
        with np.errstate(all="ignore"):
            rel = np.maximum(problem.value(want) / f0, 1e-11)
        np.testing.assert_array_equal(loss.get_xdata(), np.arange(s["steps"] + 1))
        np.testing.assert_allclose(loss.get_ydata(), rel, rtol=1e-12)


@pytest.fixture
def explorer():
    return widgets.trajectory_explorer("anisotropic", ALL, steps=40)


def test_initial_lines_are_d2l_opt_trajectories(explorer):
    assert explorer.settings["optimizers"] == list(ALL)
    assert_lines_match(explorer)


@pytest.mark.parametrize("problem", ["isotropic", "anisotropic", "d2l", "rosenbrock"])
def test_moving_every_slider_redraws_the_matching_trajectories(explorer, problem):
    explorer.controls["problem"].value = problem
    moves = {
        "lr": 0.02 if problem == "rosenbrock" else 0.05,
        "momentum": 0.8,
        "alpha": 0.95,
        "beta1": 0.85,
        "beta2": 0.99,
        "eps": 1e-4,
        "eps_inside_sqrt": True,
        "steps": 60,
        "x0_1": 0.5,
        "x0_2": -0.5,
        "theta": 30.0,
    }
    for key, value in moves.items():
        before = explorer.redraw_count
        explorer.controls[key].value = value
        assert explorer.redraw_count == before + 1, f"{key} did not redraw"
        assert_lines_match(explorer)
    s = explorer.settings
    assert s["theta"] == math.radians(30.0) and s["x0"] == (0.5, -0.5)
    assert s["lr"] == moves["lr"] and s["eps_inside_sqrt"] is True


def test_closed_forms_sgd_and_heavy_ball(explorer):
    explorer.set(problem="isotropic", lr=0.05, steps=30, x0_1=1.5, x0_2=-1.0, momentum=0.5)
    t = np.arange(31)
    # SGD on x1^2 + x2^2: x_t = (1 - 2 lr)^t x_0
    x, y = explorer.lines["SGD"].get_data()
    np.testing.assert_allclose(x, 1.5 * 0.9**t, rtol=1e-12)
    np.testing.assert_allclose(y, -1.0 * 0.9**t, rtol=1e-12)
    # heavy ball, curvature lam = 2: w1 = (1 - lr lam) w0, then
    # w_{t+1} = (1 + b - lr lam) w_t - b w_{t-1}
    w = [1.5, 1.5 * (1 - 0.1)]
    for _ in range(29):
        w.append((1 + 0.5 - 0.1) * w[-1] - 0.5 * w[-2])
    np.testing.assert_allclose(explorer.lines["Momentum"].get_xdata(), w, rtol=1e-12)
    # anisotropic x1^2 + 8 x2^2: the steep coordinate shrinks by (1 - 16 lr) per step
    explorer.set(problem="anisotropic", lr=0.1)
    np.testing.assert_allclose(explorer.lines["SGD"].get_ydata(), -1.0 * (-0.6) ** t, rtol=1e-12)


def test_choosing_optimizers_shows_only_those(explorer):
    explorer.controls["optimizers"].value = ("Adam", "SGD")
    assert sorted(explorer.trajectories) == ["Adam", "SGD"]
    assert explorer.shown() == ["SGD", "Adam"]
    assert_lines_match(explorer)
    legend = [text.get_text() for text in explorer.figure.legends[0].get_texts()]
    assert legend == ["SGD", "Adam"]


def test_optimizer_checkboxes_follow_and_drive_the_selection(explorer):
    boxes = explorer.widget and explorer.optimizer_checkboxes
    count = explorer.redraw_count
    boxes["Adam"].value = False
    boxes["SGD"].value = False
    assert explorer.shown() == ["Momentum", "Nesterov", "Adagrad", "RMSProp"]
    assert explorer.redraw_count == count + 2
    explorer.controls["optimizers"].value = ("Adam",)
    assert [name for name, box in boxes.items() if box.value] == ["Adam"]
    assert explorer.redraw_count == count + 3 and explorer.shown() == ["Adam"]
    assert_lines_match(explorer)


def test_names_are_case_insensitive_and_checked():
    ex = widgets.trajectory_explorer("D2L", ["adam", "rmsprop", "NESTEROV"], steps=5)
    assert ex.shown() == ["Nesterov", "RMSProp", "Adam"]
    with pytest.raises(ValueError, match="unknown optimizer"):
        widgets.trajectory_explorer(optimizers=("LBFGS",))
    with pytest.raises(ValueError, match="unknown problem"):
        widgets.trajectory_explorer("himmelblau")
    with pytest.raises(ValueError, match="Invalid learning rate"):
        widgets.trajectory_explorer(lr=-1.0)


def test_nesterov_without_momentum_is_plain_sgd(explorer):
    explorer.set(momentum=0.0)
    np.testing.assert_array_equal(explorer.trajectories["Nesterov"], explorer.trajectories["SGD"])
    np.testing.assert_array_equal(explorer.trajectories["Momentum"], explorer.trajectories["SGD"])


def test_values_outside_the_slider_ranges_are_kept_exactly():
    ex = widgets.trajectory_explorer(
        "d2l", ["SGD"], lr=5.0, eps=1e-12, x0=(-9.0, 7.5), steps=250, theta=math.pi / 3
    )
    s = ex.settings
    assert (s["lr"], s["eps"], s["x0"], s["steps"]) == (5.0, 1e-12, (-9.0, 7.5), 250)
    assert s["theta"] == math.pi / 3  # the degree slider does not round the angle
    assert ex.controls["lr"].value == 5.0 and ex.controls["steps"].value == 250
    assert ex.controls["x0_1"].min <= -9.0
    assert_lines_match(ex)


def test_problem_change_clamps_the_start_to_the_new_range(explorer):
    explorer.set(problem="d2l", x0_1=-5.0, x0_2=-2.0)
    assert explorer.settings["x0"] == (-5.0, -2.0)
    explorer.controls["problem"].value = "rosenbrock"
    assert explorer.settings["x0"] == (-2.0, -1.0)
    assert explorer.controls["x0_1"].value == -2.0 and explorer.controls["x0_2"].min == -1.0
    assert_lines_match(explorer)


def test_divergence_is_drawn_not_raised(explorer):
    explorer.set(problem="anisotropic", lr=3.0, steps=200)  # |1 - 16 lr|^200 overflows
    traj = explorer.trajectories["SGD"]
    assert not np.isfinite(traj[-1]).all() and np.isfinite(traj[0]).all()
    assert_lines_match(explorer)
    explorer.png()


def test_slider_moves_reuse_the_background_and_update_the_image(explorer):
    widget = explorer.widget
    assert widget.children[-1] is explorer.image
    first = bytes(explorer.image.value)
    assert first.startswith(b"\x89PNG")
    full = explorer.full_redraw_count
    for lr in (0.03, 0.04, 0.05):
        explorer.controls["lr"].value = lr
    assert explorer.full_redraw_count == full, "an lr change must not re-render the axes"
    assert bytes(explorer.image.value) != first
    explorer.controls["steps"].value = 80  # new x-axis: the background is rendered again
    assert explorer.full_redraw_count == full + 1


def test_a_slider_recomputes_only_the_optimizers_that_read_it(explorer):
    before = dict(explorer.trajectories)
    explorer.controls["beta1"].value = 0.5
    changed = [n for n in ALL if explorer.trajectories[n] is not before[n]]
    assert changed == ["Adam"]
    explorer.controls["momentum"].value = 0.6
    assert [n for n in ALL if explorer.trajectories[n] is not before[n]] == [
        "Momentum",
        "Nesterov",
        "Adam",
    ]
    assert_lines_match(explorer)
    explorer.controls["lr"].value = 0.07  # everything reads the learning rate
    assert all(explorer.trajectories[n] is not before[n] for n in ALL)
    assert_lines_match(explorer)


def test_rendered_pixels_follow_the_data(explorer):
    """The blitted image equals a full render of the same artists."""
    from PIL import Image

    explorer.controls["lr"].value = 0.03
    blitted = np.asarray(Image.open(_png_io(explorer.png())).convert("RGB")).astype(int)
    explorer._background = None  # force a full render of the same state
    explorer.redraw()
    full = np.asarray(Image.open(_png_io(explorer.png())).convert("RGB")).astype(int)
    assert np.abs(blitted - full).max() <= 8


def _png_io(data):
    import io

    return io.BytesIO(data)


def test_mimebundle_carries_the_live_and_the_static_view(explorer):
    bundle = explorer._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id
    page = bundle["text/html"]
    assert page.count("if (!window.AdaptiveSteps)") == 1
    assert page.count('window.AdaptiveSteps.mount("') == 1
    assert "TrajectoryExplorer(" in bundle["text/plain"]
    # self-contained: no external script, stylesheet or URL other than the SVG namespace
    assert not re.search(r"<script[^>]+src=|<link|@import", page)
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "</script" not in page.split("<script>", 1)[1].rsplit("</script>", 1)[0]


def test_each_static_view_has_its_own_id():
    figures = [
        widgets.trajectory_explorer(steps=3),
        widgets.trajectory_explorer(steps=3),
        widgets.ewma_explorer(),
        widgets.momentum_eigen_view(),
    ]
    pages = [f.to_html() for f in figures] + [figures[0].to_html()]
    ids = [re.search(r'<div id="([^"]+)"', page).group(1) for page in pages]
    assert len(set(ids)) == len(ids)
    assert figures[2].to_html().startswith('<div id="as-fig-')
    assert not hasattr(figures[2], "static_html"), "one name for the static view: to_html"
    document = widgets.standalone_page(*figures)
    assert (
        document.startswith("<!DOCTYPE html>")
        and document.count('window.AdaptiveSteps.mount("') == 4
    )


def test_static_config_is_what_the_figure_computes_with(explorer):
    explorer.set(lr=0.07, theta=-20.0)
    config = explorer.static_config()
    assert config["settings"]["lr"] == 0.07
    assert config["settings"]["theta"] == math.radians(-20.0)
    assert config["problems"]["d2l"]["spec"] == {
        "type": "quadratic",
        "a": 0.1,
        "b": 2.0,
        "theta": 0.0,
    }
    keys = [spec["key"] for spec in config["controls"]]
    assert keys == list(explorer.controls)


def test_specs_for_the_js_module():
    spec = widgets.rule_spec(rules.Adam(lr=0.1, amsgrad=True))
    assert spec["type"] == "adam" and spec["betas"] == [0.9, 0.999] and spec["amsgrad"] is True
    assert widgets.rule_spec(rules.AdamW())["type"] == "adamw"
    rot = problems.rotated(problems.ROSENBROCK, 0.25)
    assert widgets.problem_spec(rot) == {
        "type": "rotated",
        "theta": 0.25,
        "problem": {"type": "rosenbrock", "a": 1.0, "b": 100.0},
    }
    with pytest.raises(ValueError, match="scalar"):
        widgets.rule_spec(rules.SGD(lr=np.array([[0.1], [0.2]])))


# --- EWMA explorer -----------------------------------------------------------------------------


def test_ewma_explorer_draws_d2l_opt_averages_and_weights():
    ex = widgets.ewma_explorer(beta=0.9, bias_correction=True, steps=40, seed=3)
    for beta, corrected, steps in [
        (0.9, True, 40),
        (0.5, True, 40),
        (0.5, False, 40),
        (0.95, False, 120),
        (0.0, True, 7),
    ]:
        ex.set(beta=beta, bias_correction=corrected, steps=steps)
        series = ex.full_series[:steps]
        want = ewma.ewma(series, beta, bias_correction=corrected)
        t, y = ex.average_line.get_data()
        np.testing.assert_array_equal(t, np.arange(1, steps + 1))
        np.testing.assert_array_equal(y, want)
        weights = ewma.ewma_weights(beta, steps)
        if corrected:
            weights = weights / (1 - beta**steps)
            assert math.isclose(weights.sum(), 1.0, rel_tol=1e-12)
        segments = ex.stems.get_segments()
        np.testing.assert_allclose([seg[1, 1] for seg in segments], weights, rtol=1e-15)
        np.testing.assert_array_equal(ex.points.get_ydata(), series)
    assert ex.controls["beta"].value == 0.0


def test_ewma_series_is_fixed_by_the_seed():
    a, b, c = (widgets.ewma_explorer(seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.full_series, b.full_series)
    assert not np.array_equal(a.full_series, c.full_series)
    with pytest.raises(ValueError):
        widgets.ewma_explorer(beta=1.0)


# --- momentum eigen-view -----------------------------------------------------------------------


def companion_rate(lr, beta, lam):
    matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(matrix)).max()


def test_eigen_view_draws_the_momentum_run_its_roots_and_rate():
    view = widgets.momentum_eigen_view(lr=0.1, momentum=0.9)
    problem = problems.Quadratic(1.0, 8.0)  # eigenvalues 2 and 16
    t = np.arange(101)
    for lr, beta in [(0.1, 0.9), (0.05, 0.5), (0.136, 0.23), (0.2, 0.2), (0.05, 0.0)]:
        view.set(lr=lr, momentum=beta)
        rule = rules.SGD(lr=lr, momentum=beta) if beta else rules.SGD(lr=lr)
        want = trajectory.run(rule, problem, [1.0, 1.0], 100)
        np.testing.assert_array_equal(view.trajectory, want)
        for i, lam in enumerate((2.0, 16.0)):
            line = view.lines[f"x{i + 1}"]
            np.testing.assert_array_equal(line.get_xdata(), t)
            np.testing.assert_array_equal(line.get_ydata(), want[:, i])
            # the roots drawn are those of z^2 - (1 + beta - lr lam) z + beta
            roots = np.roots([1.0, -(1 + beta - lr * lam), beta])
            drawn = np.array(view.root_marks[i].get_xdata()) + 1j * np.array(
                view.root_marks[i].get_ydata()
            )
            np.testing.assert_allclose(np.sort_complex(drawn), np.sort_complex(roots), atol=1e-9)
            own = companion_rate(lr, beta, lam)
            upper = view.envelopes[i].get_ydata()[:101]
            np.testing.assert_allclose(upper, own**t, rtol=1e-9, atol=1e-300)
        assert math.isclose(
            view.rate, max(companion_rate(lr, beta, lam) for lam in (2, 16)), rel_tol=1e-9
        )
        assert tuple(view.point.get_data()) == ([lr], [beta])
    assert view.full_redraw_count == 1, "moving (lr, beta) must not re-render the rate map"
    # the rate predicts the loss: after 100 steps it is about rho^200 (within a few decades)
    view.set(lr=0.02, momentum=0.5)
    final = problem.value(view.trajectory[-1]) / 9.0
    assert 1e-30 < final < 1e-3
    assert abs(math.log10(final) - 200 * math.log10(view.rate)) < 2


def test_eigen_view_checks_its_eigenvalues():
    with pytest.raises(ValueError, match="positive"):
        widgets.momentum_eigen_view(eigenvalues=(0.0, 1.0))
    view = widgets.momentum_eigen_view(eigenvalues=(0.2, 4.0), lr=0.9)
    assert view.controls["lr"].value == 0.9 and view.lr_range[1] >= 0.9


# --- the module documents itself -----------------------------------------------------------------


WIDGET_MODULES = ("contract", "controls", "live", "trajectory", "ewma", "eigen", "page", "messages")


def test_doctests_pass_and_every_public_name_has_an_example():
    import doctest
    import importlib
    import inspect

    attempted = 0
    for name in ("", *(f".{m}" for m in WIDGET_MODULES)):
        module = importlib.import_module(f"d2l_opt.widgets{name}")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 10
    for name in widgets.__all__:
        obj = getattr(widgets, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert ">>>" in (inspect.getdoc(obj) or ""), f"{name} has no runnable example"


def test_every_widget_module_does_one_job_in_at_most_600_lines():
    from pathlib import Path

    folder = Path(widgets.__file__).parent
    for path in folder.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, path.name


# --- settings: misspelt names raise instead of being ignored --------------------------------------


def test_unknown_settings_raise_a_clear_error():
    with pytest.raises(TypeError, match="unknown setting 'betta1'"):
        widgets.optimizer_rule("Adam", lr=0.1, betta1=0.5)
    with pytest.raises(TypeError, match="betta1"):
        widgets.trajectory_explorer("isotropic", ["Adam"], betta1=0.5)
    with pytest.raises(TypeError, match="bias_corection"):
        widgets.ewma_explorer(bias_corection=False)
    with pytest.raises(TypeError, match="momentun"):
        widgets.momentum_eigen_view(momentun=0.5)
    with pytest.raises(ValueError, match="language"):
        widgets.ewma_explorer(lang="fr")


def test_the_functions_take_the_classes_settings_and_defaults():
    import inspect

    for function, cls in [
        (widgets.trajectory_explorer, widgets.TrajectoryExplorer),
        (widgets.ewma_explorer, widgets.EwmaExplorer),
        (widgets.momentum_eigen_view, widgets.MomentumEigenView),
    ]:
        made = function()
        assert type(made) is cls
        defaults = {
            k: p.default
            for k, p in inspect.signature(cls).parameters.items()
            if p.default is not inspect.Parameter.empty and k not in ("lang", "x0", "seed")
        }
        for key, value in defaults.items():
            if key in made.settings and key not in ("problem", "optimizers", "theta"):
                assert made.settings[key] == value, (cls.__name__, key)


# --- languages ---------------------------------------------------------------------------------


def test_every_figure_message_has_every_language():
    from d2l_opt import i18n
    from d2l_opt.widgets import messages

    assert i18n.missing_translations(messages.MESSAGES) == []
    hangul = re.compile("[\uac00-\ud7a3]")
    for key, texts in messages.MESSAGES.items():
        if hangul.search(texts["ko"]) is None:
            continue
        assert texts["ko"] != texts["en"], key


def test_a_korean_figure_shows_korean_labels_and_the_same_numbers():
    import warnings

    from d2l_opt.widgets import live

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        en = widgets.trajectory_explorer("d2l", ["SGD", "Adam"], steps=20, lang="en")
        ko = widgets.trajectory_explorer("d2l", ["SGD", "Adam"], steps=20, lang="ko")
        ewma_ko = widgets.ewma_explorer(lang="ko", beta=0.5)
        eigen_ko = widgets.momentum_eigen_view(lang="ko", lr=0.3)
        ko.set(theta=30.0)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    # the controls (drawn by the browser) speak Korean
    assert en.controls["lr"].description == "\u03b7 (learning rate)"
    assert ko.controls["lr"].description == "\u03b7 (학습률)"
    assert ko.controls["steps"].description == "스텝 수"
    assert dict(ko.controls["problem"].options)["로젠브록"] == "rosenbrock"
    assert ewma_ko.controls["bias_correction"].description == "편향 보정"
    assert "자바스크립트" in eigen_ko.to_html()
    labels = {spec["key"]: spec["label"] for spec in ko.static_config()["controls"]}
    assert labels["x0_1"] == "시작점 w\u2081"
    assert ko.static_config()["lang"] == "ko" and en.static_config()["lang"] == "en"
    # what matplotlib draws is Korean only where a Hangul font is installed
    plot_lang = "ko" if live.hangul_font() else "en"
    assert ko.plot_lang == ewma_ko.plot_lang == eigen_ko.plot_lang == plot_lang
    korean = plot_lang == "ko"
    assert ko.loss_ax.get_title().startswith("상대 손실" if korean else "relative loss")
    assert ("개 항을 기억" if korean else "terms remembered") in ewma_ko.caption.get_text()
    assert eigen_ko.caption.get_text().endswith("(발산)" if korean else "(diverges)")
    assert "0.50" in ewma_ko.caption.get_text()
    # the numbers are the same in every language
    for name in ("SGD", "Adam"):
        np.testing.assert_array_equal(ko.trajectories[name], expected_trajectory(ko.settings, name))
    same = widgets.trajectory_explorer("d2l", ["SGD", "Adam"], steps=20, lang="ko")
    np.testing.assert_array_equal(en.trajectories["Adam"], same.trajectories["Adam"])


def test_the_default_language_comes_from_d2l_opt_i18n():
    from d2l_opt import i18n

    try:
        i18n.set_language("ko")
        assert widgets.ewma_explorer().lang == "ko"
        assert widgets.ewma_explorer(lang="en").lang == "en"
    finally:
        i18n.set_language(None)
    assert widgets.ewma_explorer().lang == i18n.get_language()


def test_the_static_view_names_its_language_only_when_one_was_chosen(monkeypatch):
    # The Korean book reuses the English build's figures: a figure that defaulted to English
    # must leave the language to the page (<html lang>), one given a language must say it.
    from d2l_opt import i18n

    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert "lang" not in widgets.ewma_explorer().static_config()
    assert widgets.ewma_explorer(lang="en").static_config()["lang"] == "en"
    try:
        i18n.set_language("ko")
        assert widgets.momentum_eigen_view().static_config()["lang"] == "ko"
    finally:
        i18n.set_language(None)
