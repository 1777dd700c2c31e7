"""The grading child: runs a submission's cells and the grader's calls, writes plain data.

The job's and the result's formats are :mod:`d2l_opt.grading.wire`'s. Started by
:mod:`d2l_opt.grading.sandbox` as ``python -I -m d2l_opt.grading.child OUT [UID]``
inside the sandbox. It reads one job (JSON) from standard input::

    {"cells": ["source", ...], "calls": [{"id": ..., "target": ..., "args": [...],
     "kwargs": {...}}, ...], "limits": {...}}

and writes ``OUT/result.json``: ``{"cells": [{"index": i, "error": "..."}...],
"answers": {id: value-or-{"__error__": ...}}}``.

Nothing this process writes is trusted: the student's code runs in it and can change any of
it. The parent only reads the answers as data and checks them itself.
"""

from __future__ import annotations

import os
import sys

# Captured before any student code runs (they may still be patched; the parent trusts nothing).
_write = os.write
_open = os.open
_replace = os.replace
_exit = os._exit


def _drop_privileges(uid: int) -> None:
    """As root inside the sandbox: become ``uid`` so that RLIMIT_NPROC applies."""
    if os.getuid() == 0 and uid > 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() == 0:  # pragma: no cover - setuid failed silently
            raise SystemExit("could not drop privileges")


def _set_limits(limits: dict) -> None:
    import resource

    table = {
        "cpu_seconds": resource.RLIMIT_CPU,
        "memory_bytes": resource.RLIMIT_AS,
        "processes": resource.RLIMIT_NPROC,
        "file_bytes": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in table.items():
        value = limits.get(key)
        if value:
            value = int(value)
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):
                resource.setrlimit(which, (min(value, soft), hard))


def transform_magics(source: str) -> str:
    """Replace IPython magics and shell escapes by ``pass`` so that plain Python runs the cell.

    ``%pip install ...`` (the install cell), ``!ls``, ``%matplotlib inline`` become ``pass``;
    a cell magic (``%%time``) line is dropped. Indentation is kept, so a magic inside an ``if``
    still parses.
    """
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        lines = lines[1:]
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:300]


def _run_call(call: dict, namespace: dict):
    target = call["target"]
    if target.startswith("$value:"):
        name = target.split(":", 1)[1]
        if name not in namespace:
            raise NameError(f"name '{name}' is not defined")
        return namespace[name]
    if target.startswith("$helper:"):
        from d2l_opt.grading import helpers

        func = getattr(helpers, target.split(":", 1)[1])
    else:
        if target not in namespace:
            raise NameError(f"name '{target}' is not defined")
        func = namespace[target]
    from d2l_opt.grading.wire import resolve

    args = [resolve(a, namespace) for a in call.get("args", [])]
    kwargs = {k: resolve(v, namespace) for k, v in call.get("kwargs", {}).items()}
    return func(*args, **kwargs)


def main(argv: list[str]) -> None:
    out_dir = argv[1]
    uid = int(argv[2]) if len(argv) > 2 else 0
    _drop_privileges(uid)
    import json

    job = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    _set_limits(job.get("limits", {}))

    from d2l_opt.grading.wire import ERROR_KEY, WireError, encode

    dumps = json.dumps
    result: dict = {"cells": [], "answers": {}}

    def save() -> None:
        # one small file, replaced atomically; a crash between calls keeps the earlier answers
        text = dumps(result, allow_nan=False).encode()
        tmp = os.path.join(out_dir, "result.json.part")
        fd = _open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(text)
            while view:
                view = view[_write(fd, view) :]
        finally:
            os.close(fd)
        _replace(tmp, os.path.join(out_dir, "result.json"))

    # The student's cells run in a fresh __main__ module, as in a notebook kernel; this
    # module's own globals stay reachable through main.__globals__.
    import types

    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    namespace = module.__dict__
    for index, source in enumerate(job["cells"]):
        try:
            code = compile(transform_magics(source), f"<cell {index}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            result["cells"].append({"index": index, "error": _describe(exc)})
    save()
    for call in job["calls"]:
        try:
            value = encode(_run_call(call, namespace))
        except WireError as exc:
            value = {ERROR_KEY: f"WireError: {exc}"}
        except BaseException as exc:  # noqa: BLE001
            value = {ERROR_KEY: _describe(exc)}
        result["answers"][call["id"]] = value
        try:
            save()
        except BaseException as exc:  # noqa: BLE001 - e.g. a value too large for the file limit
            result["answers"][call["id"]] = {ERROR_KEY: _describe(exc)}
            save()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001, S110 - the student may have replaced the stream
            pass
    _exit(0)


if __name__ == "__main__":
    main(sys.argv)
