"""Run untrusted notebook code in a separate, limited process.

One call of :func:`run_child` starts a fresh Python process (:mod:`d2l_opt.grading.child`) that
executes the given cells and calls, then reads back the answers as plain data. The process runs

* under **bubblewrap** when ``bwrap`` is installed (Linux): a read-only view of ``/``, a tmpfs
  over every masked folder (the repository, the master material, the submissions and results
  folders, root's home), read-only binds of what Python needs inside them again (the
  interpreter, the virtual environment, the data folder), a ``d2l_opt`` folder holding only the
  modules the question may see and empty folders for the libraries it may not use
  (:mod:`d2l_opt.grading.allow`), a private
  ``/tmp`` holding only a copy of the submission, new network (loopback only), PID, IPC and UTS
  namespaces, ``--die-with-parent`` and ``--new-session``. Run as root, the child gives up root
  for an unprivileged uid before any student code runs, so that the process limit holds;
* otherwise as a **plain subprocess** (macOS, Colab, a container without user namespaces, or
  ``mode="subprocess"``) in a temporary working folder, with the same resource limits but *no*
  file-system or network isolation. Run as root, this child too gives up root for an
  unprivileged uid before any student code runs, so that files readable by root only (the
  masters in a Gradescope container) stay unreadable.

In both cases the child sets hard resource limits on itself before it runs any student code
(CPU seconds, address space, processes, file size, open files) and the parent enforces a
wall-clock limit by killing the child's whole process group (and, under bubblewrap, its PID
namespace).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import allow as allow_rules
from . import wire

__all__ = ["ChildOutcome", "Limits", "bwrap_path", "default_mode", "run_child", "default_masked"]

UNPRIVILEGED_UID = 65534  # "nobody"
SANDBOX_TMP = "/tmp"
SANDBOX_WORK = "/tmp/submission"
SANDBOX_OUT = "/tmp/.grader-out"
#: Set in every grading child: the public checks stay silent there (the grader checks).
CHILD_ENV = "D2L_OPT_GRADING_CHILD"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one child. ``None`` leaves a limit unset."""

    wall_seconds: float = 20.0
    cpu_seconds: int | None = 30
    memory_bytes: int | None = 4 << 30
    processes: int | None = 256
    file_bytes: int | None = 64 << 20
    open_files: int | None = 256

    def scaled(self, **changes: Any) -> Limits:
        return replace(self, **changes)

    def for_child(self) -> dict:
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "processes": self.processes,
            "file_bytes": self.file_bytes,
            "open_files": self.open_files,
        }


@dataclass
class ChildOutcome:
    """What came back from one child. ``problem`` is None when the child finished normally."""

    answers: dict[str, Any] = field(default_factory=dict)
    cell_errors: list[dict] = field(default_factory=list)
    problem: str | None = None
    returncode: int | None = None
    seconds: float = 0.0
    mode: str = "subprocess"
    stderr_tail: str = ""


def bwrap_path() -> str | None:
    """The ``bwrap`` executable, if installed and able to create a sandbox here."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    if _bwrap_works(path):
        return path
    return None


_BWRAP_OK: dict[str, bool] = {}


def _bwrap_works(path: str) -> bool:
    if path not in _BWRAP_OK:
        try:
            probe = subprocess.run(
                [
                    path,
                    "--ro-bind",
                    "/",
                    "/",
                    "--unshare-net",
                    "--unshare-pid",
                    "--dev",
                    "/dev",
                    "--proc",
                    "/proc",
                    "--",
                    "true",
                ],  # fmt: skip
                capture_output=True,
                timeout=20,
            )
            _BWRAP_OK[path] = probe.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _BWRAP_OK[path] = False
    return _BWRAP_OK[path]


def default_mode() -> str:
    """``"bwrap"`` where bubblewrap works, else ``"subprocess"``."""
    return "bwrap" if bwrap_path() else "subprocess"


def drops_privileges() -> bool:
    """Whether a plain-subprocess child started as root can run as :data:`UNPRIVILEGED_UID`:
    it can when every folder on the way to the interpreter, its libraries and ``d2l_opt`` is
    open to others (a Python installed under root's home is not; the child then stays root and
    the report says so). Under bubblewrap the child always drops root."""
    if os.geteuid() != 0:
        return False
    paths = [
        Path(sys.executable).resolve(),
        Path(sys.base_prefix),
        Path(sys.prefix),
        _package_dir(),
    ]
    for path in paths:
        for folder in [path, *path.parents] if path.is_dir() else path.parents:
            try:
                if not folder.stat().st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1]  # .../d2l_opt


def default_masked() -> list[Path]:
    """Folders always masked from the child: the source checkout that holds ``d2l_opt`` (when
    it is one) and, when grading as root, root's home."""
    masked = []
    root = _package_dir().parent
    if (root / "pyproject.toml").exists() or (root / ".git").exists():
        masked.append(root)
    if os.geteuid() == 0:
        masked.append(Path.home())
    return masked


def _needed_paths(data_dir: Path | None) -> list[Path]:
    """What the child must see even inside masked folders (``d2l_opt`` comes apart)."""
    paths = [Path(sys.prefix), Path(sys.base_prefix)]
    paths += [Path(p) for p in sys.path if p and Path(p).is_dir() and "site-packages" in p]
    exe = Path(sys.executable)
    paths.append(exe.parent)
    try:
        paths.append(exe.resolve().parent.parent)
    except OSError:
        pass
    if data_dir is not None:
        paths.append(data_dir)
    return paths


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


BLOCKER = (
    "raise ModuleNotFoundError(f'{__name__} is not available to this question (the question '\n"
    "                          'does not allow it)', name=__name__)\n"
)


def _library_dir(name: str) -> Path | None:
    """The folder a top-level package imports from, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _view_args(allow: list[str] | None, blocker: Path) -> list[str]:
    """bwrap arguments that narrow ``d2l_opt`` to the allowed modules and empty the folders of
    libraries the question does not allow (each keeps an ``__init__`` that refuses import)."""
    root = _package_dir()
    cmd = ["--perms", "0755", "--size", str(1 << 20), "--tmpfs", str(root)]
    visible = allow_rules.visible_modules(root, allow)
    folders = sorted({p.parent for p in visible.values()} - {root}, key=lambda p: len(p.parts))
    for folder in folders:
        cmd += ["--perms", "0755", "--dir", str(folder)]
    for path in visible.values():
        cmd += ["--ro-bind", str(path), str(path)]
        texts = path.with_suffix(".json")  # a module's message catalogue travels with it
        if texts.is_file():
            cmd += ["--ro-bind", str(texts), str(texts)]
    if allow is not None:
        for name in allow_rules.RESTRICTED_LIBRARIES:
            folder = _library_dir(name) if name not in allow else None
            if folder is not None:
                cmd += ["--perms", "0755", "--size", str(1 << 20), "--tmpfs", str(folder)]
                cmd += ["--ro-bind", str(blocker), str(folder / "__init__.py")]
    return cmd


def _bwrap_command(
    bwrap: str,
    work: Path,
    out: Path,
    masked_dirs: list[Path],
    data_dir: Path | None,
    env: dict[str, str],
    drop_uid: int,
    view: list[str] = (),
) -> list[str]:
    hide = sorted({p.resolve() for p in masked_dirs if p.exists()}, key=lambda p: len(p.parts))
    hide = [p if p.is_dir() else p.parent for p in hide]
    hide = [p for p in hide if p != Path("/")]
    cmd = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    cmd += ["--perms", "1777", "--size", str(256 << 20), "--tmpfs", SANDBOX_TMP]
    cmd += ["--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/dev/shm"]
    for folder in hide:
        cmd += ["--size", str(1 << 20), "--tmpfs", str(folder)]
    rebind = set()
    for path in _needed_paths(data_dir):
        for candidate in (path, path.resolve()):
            if candidate.exists() and any(_inside(candidate, h) for h in hide):
                rebind.add(candidate)
    # bind outer folders first; a folder inside another rebound one is already visible
    for path in sorted(rebind, key=lambda p: len(p.parts)):
        if any(_inside(path, other) and path != other for other in rebind):
            continue
        top = max((h for h in hide if _inside(path, h)), key=lambda h: len(h.parts))
        # folders that bwrap creates on the tmpfs default to 0700: make them traversable
        for depth in range(len(top.parts) + 1, len(path.parts)):
            cmd += ["--perms", "0755", "--dir", str(Path(*path.parts[:depth]))]
        cmd += ["--ro-bind", str(path), str(path)]
    cmd += list(view)
    cmd += ["--bind", str(work), SANDBOX_WORK, "--bind", str(out), SANDBOX_OUT]
    cmd += ["--chdir", SANDBOX_WORK]
    cmd += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    cmd += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    if drop_uid:
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return cmd


def _child_env(data_dir: Path | None, home: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "TQDM_DISABLE": "1",
        "D2L_OPT_DOWNLOAD": "0",
        "D2L_OPT_CACHE": os.path.join(home, ".cache"),
        CHILD_ENV: "1",
    }
    if data_dir is not None:
        env["D2L_OPT_DATA"] = str(data_dir)
    return env


def run_child(
    cells: list[str],
    calls: list[dict],
    *,
    submission: Path | None = None,
    limits: Limits | None = None,
    masked_dirs: list[Path] | None = None,
    data_dir: Path | None = None,
    mode: str | None = None,
    allow: list[str] | None = None,
    shared: dict[str, Path] | None = None,
) -> ChildOutcome:
    """Run ``cells`` then ``calls`` in a fresh sandboxed child; return its answers as data.

    ``submission`` (a file) is copied into the child's empty working folder, where the
    student's code may read or change the copy; the original is never opened by the child.
    ``masked_dirs`` are covered by empty tmpfs mounts (bubblewrap only); the defaults of
    :func:`default_masked` are always added. ``data_dir`` is bound read-only and named by
    ``D2L_OPT_DATA``. ``allow`` (a question's list, see :mod:`d2l_opt.grading.allow`) narrows
    what the child can import under bubblewrap; ``None`` leaves the whole package visible.
    ``shared`` maps environment variables to read-only files the grader prepared for the
    child's helpers (bound into the sandbox at the same path).
    As root, the child runs as an unprivileged uid in both modes.
    """
    limits = limits or Limits()
    mode = mode or default_mode()
    bwrap = bwrap_path() if mode == "bwrap" else None
    if mode == "bwrap" and bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is not available; use mode='subprocess'")
    base = Path(tempfile.mkdtemp(prefix="d2l-grade-"))
    work, out = base / "submission", base / "out"
    work.mkdir()
    out.mkdir()
    drop_uid = UNPRIVILEGED_UID if (bwrap or drops_privileges()) and os.geteuid() == 0 else 0
    try:
        if submission is not None:
            shutil.copyfile(submission, work / Path(submission).name)
        if drop_uid:
            for path in (base, work, out, *work.iterdir()):
                os.chown(path, drop_uid, drop_uid)
        job = json.dumps({"cells": cells, "calls": calls, "limits": limits.for_child()})
        stderr_path = out / "stderr.txt"
        if bwrap:
            env = _child_env(data_dir, SANDBOX_WORK)
            env.update({key: str(path) for key, path in (shared or {}).items()})
            hide = list(masked_dirs or []) + default_masked()
            blocker = base / "blocked.py"
            blocker.write_text(BLOCKER)
            view = _view_args(allow, blocker)
            for path in (shared or {}).values():
                # a folder bwrap creates on the /tmp tmpfs would be 0700: open it first
                view += ["--perms", "0755", "--dir", str(path.parent)]
                view += ["--ro-bind", str(path), str(path)]
            cmd = _bwrap_command(bwrap, work, out, hide, data_dir, env, drop_uid, view)
            cmd += [sys.executable, "-I", "-m", "d2l_opt.grading.child", SANDBOX_OUT]
            cmd += [str(drop_uid)]
            cwd, popen_env = str(work), {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        else:
            env = _child_env(data_dir, str(work))
            env.update({key: str(path) for key, path in (shared or {}).items()})
            # -I keeps the current folder off sys.path; the package must be importable as
            # installed, so add its parent explicitly when it is a source checkout
            env["PYTHONPATH"] = str(_package_dir().parent)
            cmd = [sys.executable, "-m", "d2l_opt.grading.child", str(out), str(drop_uid)]
            cwd, popen_env = str(work), env
        return _run(cmd, cwd, popen_env, job, out, stderr_path, limits, "bwrap" if bwrap else
                    "subprocess")  # fmt: skip
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run(cmd, cwd, env, job, out: Path, stderr_path: Path, limits: Limits, mode: str):
    start = time.perf_counter()
    outcome = ChildOutcome(mode=mode)
    with open(out / "stdout.txt", "wb") as stdout, open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            close_fds=True,
        )
        timed_out = False
        try:
            proc.communicate(job.encode(), timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        except BrokenPipeError:
            pass
        finally:
            _kill_group(proc)
            proc.wait()
    outcome.seconds = time.perf_counter() - start
    outcome.returncode = proc.returncode
    outcome.stderr_tail = _tail(stderr_path)
    _read_result(out / "result.json", limits, outcome)
    if timed_out:
        outcome.problem = f"time limit exceeded ({limits.wall_seconds:g} s wall clock)"
    elif proc.returncode != 0:
        outcome.problem = _describe_exit(proc.returncode, outcome.stderr_tail)
    return outcome


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(path: Path, size: int = 2000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _describe_exit(code: int, stderr: str) -> str:
    if code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        reasons = {
            signal.SIGXCPU: "CPU time limit exceeded",
            signal.SIGXFSZ: "file size limit exceeded (too much output?)",
            signal.SIGKILL: "killed (memory or time limit)",
            signal.SIGSEGV: "crashed (segmentation fault)",
        }
        return f"the process was stopped by {name}: {reasons.get(sig, 'signal')}"
    if "MemoryError" in stderr:
        return f"the process ran out of memory (exit status {code})"
    return f"the process ended early (exit status {code}) before all answers were collected"


def _read_result(path: Path, limits: Limits, outcome: ChildOutcome) -> None:
    if not path.exists():
        outcome.problem = "the process ended before any answer was collected"
        return
    cap = limits.file_bytes or (64 << 20)
    try:
        if path.stat().st_size > cap:
            raise wire.WireError("result file too large")
        data = wire.loads(path.read_bytes())
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            raise wire.WireError("result is not a {cells, answers} object")
        cells = data.get("cells", [])
        if not isinstance(cells, list):
            raise wire.WireError("cells is not a list")
        outcome.cell_errors = [
            {"index": int(c["index"]), "error": str(c["error"])[:300]}
            for c in cells
            if isinstance(c, dict) and isinstance(c.get("index"), int)
        ][:50]
        outcome.answers = data["answers"]
    except (wire.WireError, OSError, KeyError, TypeError, ValueError) as exc:
        outcome.answers = {}
        outcome.problem = f"the answers could not be read back ({exc})"
