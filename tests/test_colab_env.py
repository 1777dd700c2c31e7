"""The book in a Colab-like environment: Colab's preinstalled versions, the package from a wheel.

The environment (``tools/envs.py``, pinned by ``constraints/colab.txt``: ipywidgets 7.7.1,
numpy 2.0.2, matplotlib 3.10, ipykernel 6.17.1, ...) is built by ``make test`` and cached
outside the clone. Here a wheel is built from this tree and installed into it, not editable:

* the install, done as a notebook's first cell would, must change no package already there;
* every chapter and exercise notebook runs from a temporary folder outside the repository with
  the network off, and passes only with no error output anywhere;
* the widget tests run there too, under ipywidgets 7.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_runner import run_notebooks
from test_notebooks_execute import assert_ran_cleanly, notebooks, selected_params

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import envs  # noqa: E402

# The widget tests that must pass under both ipywidgets majors.
WIDGET_TESTS = ["tests/test_widgets.py", "tests/test_widget_display.py"]


def installed(python: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {item["name"].lower().replace("_", "-"): item["version"] for item in json.loads(out)}


def pinned(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


class ColabEnv:
    def __init__(self, python: Path, wheel: Path, dry_run: dict, before: dict, after: dict):
        self.python, self.wheel, self.dry_run = python, wheel, dry_run
        self.before, self.after = before, after


def built_python(name: str, description: str) -> Path:
    """The Python of the environment ``name`` of tools/envs.py; the test is skipped where it is
    not built, and fails in CI (``make test`` builds it first: missing is a failure there)."""
    if not envs.is_built(name):
        missing = f"{description} is not built: python tools/envs.py build {name}"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return envs.env_python(name)


@pytest.fixture(scope="session")
def colab(tmp_path_factory) -> ColabEnv:
    python = built_python("colab", "the Colab-like environment")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    # a fresh runtime: the package is not there yet
    subprocess.run([*pip, "uninstall", "--yes", "--quiet", "d2l-opt"], check=True)
    before = installed(python)
    wheel = envs.build_wheel(python, tmp_path_factory.mktemp("wheel"))
    # the first cell's `%pip install "d2l-opt @ git+<repository>"`, with this tree's wheel for
    # the repository, as a dry run; offline (--no-index): what Colab has must be enough
    report = tmp_path_factory.mktemp("dry-run") / "report.json"
    done = subprocess.run(
        [*pip, "install", "--quiet", "--dry-run", "--no-index", "--report", str(report)]
        + [f"d2l-opt @ {wheel.as_uri()}"],
        capture_output=True,
        text=True,
    )
    # with no index, pip fails where a requirement is not met by what is installed
    dry_run = json.loads(report.read_text()) if done.returncode == 0 else {"error": done.stderr}
    subprocess.run([*pip, "install", "--quiet", "--no-index", "--no-deps", str(wheel)], check=True)
    return ColabEnv(python, wheel, dry_run, before, installed(python))


def test_the_environment_has_colabs_versions(colab):
    pins = pinned(REPO / "constraints" / "colab.txt")
    assert pins["ipywidgets"] == "7.7.1"
    have = {name: colab.before.get(name, "missing") for name in pins}
    # ==2.13.0 is met by the local CPU build 2.13.0+cpu (PEP 440 ignores the local label)
    wrong = {name: got for name, got in have.items() if got.split("+")[0] != pins[name]}
    assert not wrong, f"installed versions differ from constraints/colab.txt: {wrong}"


def test_installing_the_package_changes_nothing_colab_has(colab):
    assert "error" not in colab.dry_run, (
        "the install cell needs packages or versions this Colab-like environment lacks:\n"
        + colab.dry_run.get("error", "")
    )
    would_install = [item["metadata"]["name"] for item in colab.dry_run["install"]]
    assert would_install == ["d2l-opt"], f"the install would also change {would_install}"
    changed = {name: v for name, v in colab.after.items() if colab.before.get(name) != v}
    assert list(changed) == ["d2l-opt"]
    assert all(colab.after[name] == version for name, version in colab.before.items())


def test_the_package_is_the_wheel_not_the_checkout(colab, tmp_path):
    out = subprocess.run(
        [
            str(colab.python),
            "-c",
            "import d2l_opt, ipywidgets as w; print(d2l_opt.__file__, w.__version__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(out[0]).is_relative_to(envs.env_dir("colab")) and "site-packages" in out[0]
    assert out[1] == "7.7.1"


@pytest.fixture(scope="module")
def colab_runs(colab, request, tmp_path_factory) -> dict[Path, dict]:
    """The selected notebooks, run side by side (one per CPU), each in a folder of its own."""
    paths = selected_params(request, "test_notebook_runs_with_colabs_versions")
    workdir = tmp_path_factory.mktemp("colab-runs")
    return run_notebooks(colab.python, [REPO / p for p in paths], workdir)


@pytest.mark.slow
# The Korean notebooks too: Korean readers open them in Colab (their code is the English code).
@pytest.mark.parametrize("path", notebooks() + notebooks("ko/*.ipynb"))
def test_notebook_runs_with_colabs_versions(colab_runs, path):
    assert_ran_cleanly(path, colab_runs[REPO / path])


@pytest.mark.slow
def test_widget_tests_pass_under_ipywidgets_7(colab, tmp_path):
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    done = subprocess.run(
        [str(colab.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        + ["--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml")]
        + [str(REPO / test) for test in WIDGET_TESTS],
        cwd=tmp_path,  # not the checkout: d2l_opt must come from the installed wheel
        env=env,
        capture_output=True,
        text=True,
    )
    print(done.stdout[-2000:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert re.search(r"\d+ passed", done.stdout) and "skipped" not in done.stdout


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def test_no_floor_is_above_what_colab_preinstalls():
    pins = pinned(REPO / "constraints" / "colab.txt")
    assert pins["torch"] == "2.13.0"  # the local CPU build, never a looser spec
    for spec in envs.declared_dependencies():
        name, floor = re.fullmatch(r"([A-Za-z0-9_.\-]+)>=(\S+)", spec).groups()
        assert name.lower() in pins, f"{name}: constraints/colab.txt does not say Colab's version"
        assert release(floor) <= release(pins[name.lower()]), (
            f"{spec} is above Colab's {pins[name.lower()]}"
        )
