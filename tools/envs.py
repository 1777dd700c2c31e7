"""Build and cache the extra test environments, outside the clone (CI starts from a fresh one).

Two environments, each a virtual environment of this Python:

``colab``
    Colab's preinstalled versions (``constraints/colab.txt``: ipywidgets 7.7.1, numpy 2.0.2,
    ipykernel 6.17.1, ...) plus pytest. ``tests/test_colab_env.py`` installs a freshly built
    d2l-opt wheel into it and executes every notebook there.
``lowest``
    The package's own dependencies at their floors (``constraints/lowest-direct.txt``, written
    by ``uv pip compile --resolution lowest-direct``) plus the test tools.
    ``tests/test_lowest_floors.py`` runs the package tests and a chapter there.

Each lives in ``$ADAPTIVE_STEPS_ENVS`` (default
``${XDG_CACHE_HOME:-~/.cache}/adaptive-steps/envs``) under ``<name>-<hash>``, the hash covering
everything that decides its contents (the pins, the package's declared dependencies, the
install commands below, the Python version), so a change rebuilds it and an unchanged one is
reused. Building needs the package registry; using a built one does not.

    python tools/envs.py build colab lowest   # build what is missing (make test does this)
    python tools/envs.py path colab           # print the path of a built environment
    python tools/envs.py lock                 # rewrite constraints/lowest-direct.txt (uv)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLAB_PINS = REPO / "constraints" / "colab.txt"
LOWEST_LOCK = REPO / "constraints" / "lowest-direct.txt"
PYPROJECT = REPO / "pyproject.toml"
COMPLETE = ".complete"
# Unused environments are removed after this long (other checkouts may share the cache).
KEEP_UNUSED_S = 14 * 24 * 3600

# What the tests run with, besides the environment's own pins. Setuptools builds the wheel
# offline inside the environment (no build isolation, so nothing downloads at test time).
TEST_TOOLS = ["pytest>=7.4", "pytest-timeout>=2.1", "hypothesis>=6.80", "setuptools>=68", "wheel"]
LOWEST_TEST_TOOLS = [*TEST_TOOLS, "nbclient>=0.8", "ipykernel>=6.0", "pyyaml"]
TORCH = "torch==2.13.0"  # the local CPU wheel, as in constraints.txt

RECIPES = {
    "colab": {
        "inputs": [COLAB_PINS],
        "install": [["-r", str(COLAB_PINS)], ["-c", str(COLAB_PINS), *TEST_TOOLS]],
    },
    "lowest": {
        "inputs": [LOWEST_LOCK],
        "install": [["-c", str(LOWEST_LOCK), "-r", str(LOWEST_LOCK), TORCH, *LOWEST_TEST_TOOLS]],
    },
}


def cache_root() -> Path:
    if os.environ.get("ADAPTIVE_STEPS_ENVS"):
        return Path(os.environ["ADAPTIVE_STEPS_ENVS"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adaptive-steps" / "envs"


def declared_dependencies() -> list[str]:
    """The [project] dependencies of pyproject.toml, as written."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    return list(tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"])


def env_hash(name: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{name}\n{sys.version}\n{sys.platform}\n".encode())
    digest.update(repr(RECIPES[name]["install"]).replace(str(REPO), "").encode())
    digest.update("\n".join(declared_dependencies()).encode())
    for path in RECIPES[name]["inputs"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def env_dir(name: str) -> Path:
    return cache_root() / f"{name}-{env_hash(name)}"


def env_python(name: str) -> Path:
    return env_dir(name) / "bin" / "python"


def is_built(name: str) -> bool:
    return (env_dir(name) / COMPLETE).exists()


def _run(args: list[str], **kwargs) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, **kwargs)


@contextlib.contextmanager
def _locked(path: Path):
    """One builder at a time per environment (parallel CI jobs may share the cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(name: str) -> Path:
    """Build the environment unless a complete one with the same hash exists; return its path."""
    target = env_dir(name)
    with _locked(target.with_name(target.name + ".lock")):
        if (target / COMPLETE).exists():
            (target / COMPLETE).touch()
            return target
        if target.exists():  # an interrupted build
            shutil.rmtree(target)
        start = time.perf_counter()
        _run([sys.executable, "-m", "venv", str(target)])
        pip = [str(target / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        for args in RECIPES[name]["install"]:
            _run([*pip, "install", "--quiet", *args])
        _run([*pip, "check"])
        (target / COMPLETE).write_text(f"built in {time.perf_counter() - start:.0f} s\n")
        print(f"{name}: built {target} in {time.perf_counter() - start:.0f} s", flush=True)
    prune(name, keep=target)
    return target


def prune(name: str, keep: Path) -> None:
    """Remove this environment's stale builds (other hashes) that nobody used for a while."""
    now = time.time()
    for candidate in cache_root().glob(f"{name}-*"):
        if candidate == keep or candidate.suffix == ".lock" or not candidate.is_dir():
            continue
        marker = candidate / COMPLETE
        last_used = marker.stat().st_mtime if marker.exists() else candidate.stat().st_mtime
        if now - last_used > KEEP_UNUSED_S:
            shutil.rmtree(candidate, ignore_errors=True)


def build_wheel(python: Path, out_dir: Path) -> Path:
    """Build the d2l-opt wheel from the tracked files of this working tree, offline.

    The tree is copied first so that the build leaves nothing (build/, *.egg-info) in the
    checkout; ``python`` must have setuptools (both environments here do).
    """
    files = subprocess.run(
        ["git", "ls-files", "pyproject.toml", "README.md", "d2l_opt"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as source:
        for relative in files:
            destination = Path(source) / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, destination)
        _run(
            [str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
            + ["--no-index", "-w", str(out_dir), source]
        )
    (wheel,) = out_dir.glob("d2l_opt-*.whl")
    return wheel


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].strip()


def lock() -> None:
    """Rewrite constraints/lowest-direct.txt: each direct dependency at its floor (needs uv).

    torch is left out of the resolution: the registry's torch pulls CUDA packages, and every
    environment here installs the local CPU wheel (constraints.txt) instead.
    """
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is missing: `make env-test` installs it (the test extra)")
    direct = [spec for spec in declared_dependencies() if _requirement_name(spec) != "torch"]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.in"
        requirements.write_text("\n".join(direct) + "\n")
        output = Path(tmp) / "lock.txt"
        _run(
            [uv, "pip", "compile", "--quiet", "--resolution", "lowest-direct", "--only-binary"]
            + [":all:", "--python-version", version, "--no-header", "--no-annotate"]
            + ["-o", str(output), str(requirements)]
        )
        pins = output.read_text()
    header = (
        "# The package's direct dependencies at their floors (pyproject.toml), transitive ones\n"
        "# at the newest release that fits: `uv pip compile --resolution lowest-direct\n"
        f"# --only-binary :all: --python-version {version}` over [project] dependencies without\n"
        "# torch (each environment installs the local CPU torch, constraints.txt).\n"
        "# Regenerate with `python tools/envs.py lock` after changing a floor.\n"
    )
    LOWEST_LOCK.write_text(header + pins)
    print(f"wrote {LOWEST_LOCK.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("build", "path"):
        sub = commands.add_parser(command)
        sub.add_argument("names", nargs="+", choices=sorted(RECIPES))
    commands.add_parser("lock")
    args = parser.parse_args(argv)
    if args.command == "lock":
        lock()
        return 0
    for name in args.names:
        if args.command == "build":
            start = time.perf_counter()
            path = build(name)
            print(f"{name}: {path} ready ({time.perf_counter() - start:.1f} s)", flush=True)
        elif not is_built(name):
            print(f"{name} is not built: python tools/envs.py build {name}", file=sys.stderr)
            return 1
        else:
            print(env_dir(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
