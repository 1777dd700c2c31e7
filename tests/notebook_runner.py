"""Execute one notebook as a reader would: a copy in a folder of its own, the network off.

Run as a script by any environment's Python (the test suite's own, the Colab-like one, the one
at the declared floors): ``python notebook_runner.py NOTEBOOK --workdir DIR --report JSON``.
The kernel is that Python's ``python3`` kernel. The report lists every ``error`` output: an
exception inside a display hook becomes an error output without failing the cell, so the
outputs are checked, not only whether execution stopped.

The network: :func:`run_notebook` starts the script in a new network namespace
(``unshare -n``, as root) with only a loopback interface, which the kernel's own sockets need.
Where that is not possible it starts it with a ``sitecustomize`` that refuses every connection
to a non-loopback address (the kernel inherits it). The report says which was used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# A limit per cell, generous for the 2-core CI machine; it is not a timing assertion.
CELL_TIMEOUT_S = 300
_HERE = Path(__file__).resolve().parent

_SOCKET_GUARD = '''\
"""Refuse connections to anything but loopback and local sockets (notebook tests)."""
import ipaddress
import socket

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = host == "localhost"
        if not local:
            raise OSError(101, f"network is off in this test (connect to {host})")


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
'''


def _network_namespace_works() -> bool:
    if shutil.which("unshare") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return probe.returncode == 0


def run_notebook(
    python: str | Path,
    notebook: Path,
    workdir: Path,
    env: dict | None = None,
    namespace: bool | None = None,
):
    """Copy ``notebook`` into ``workdir``, execute it with ``python``; return the report dict.

    ``namespace``: use a network namespace (True), the socket guard (False), or whichever
    works here (None).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / notebook.name
    shutil.copy(notebook, copy)
    report = workdir / "report.json"
    env = dict(os.environ if env is None else env)
    env["PYTHONNOUSERSITE"] = "1"
    command = [str(python), str(_HERE / "notebook_runner.py"), str(copy), "--report", str(report)]
    if namespace is None:
        namespace = _network_namespace_works()
    if namespace:
        command = ["unshare", "-n", *command, "--loopback-up"]
        network = "unshare -n (own network namespace, loopback only)"
    else:
        guard = workdir / "socket-guard"
        guard.mkdir(exist_ok=True)
        (guard / "sitecustomize.py").write_text(_SOCKET_GUARD)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), env.get("PYTHONPATH")]))
        network = "sitecustomize refusing non-loopback connections"
    # cwd outside the repository: nothing may resolve relative to the checkout
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    if not report.exists():
        raise RuntimeError(
            f"{notebook.name}: the runner failed (exit {done.returncode})\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    result = json.loads(report.read_text())
    result["network"] = network
    return result


def run_notebooks(
    python: str | Path,
    notebooks: list[Path],
    workdir: Path,
    jobs: int | None = None,
    env: dict | None = None,
) -> dict[Path, dict]:
    """:func:`run_notebook` for each of ``notebooks``, ``jobs`` at a time (default: one per
    CPU); each in a folder of its own under ``workdir``. A runner that fails to start gives
    ``{"stopped": <why>, "errors": []}`` for its notebook instead of stopping the others."""
    from concurrent.futures import ThreadPoolExecutor

    def one(index_and_path):
        index, path = index_and_path
        try:
            return run_notebook(python, path, workdir / f"{index:02d}-{path.stem}", env=env)
        except RuntimeError as exc:
            return {"notebook": path.name, "stopped": str(exc), "errors": [], "seconds": None,
                    "network": None}  # fmt: skip

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        results = list(pool.map(one, enumerate(notebooks)))
    return dict(zip(notebooks, results, strict=True))


def _loopback_up() -> None:
    """Bring up ``lo`` in a fresh network namespace (the kernel talks to its client on it)."""
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH14s", b"lo", flags | iff_up, b""))


def _execute(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    stopped = None
    try:
        client.execute()
    except CellExecutionError as exc:
        stopped = str(exc)[-2000:]
    elapsed = time.perf_counter() - start
    nbformat.write(notebook, path)
    errors = [
        {"cell": index, "ename": output.get("ename"), "evalue": output.get("evalue")}
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    stderr = [
        {"cell": index, "text": output.get("text", "")[-500:]}
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.get("name") == "stderr"
    ]
    return {
        "notebook": path.name,
        "seconds": round(elapsed, 1),
        "errors": errors,
        "stopped": stopped,
        "stderr": stderr,
        "python": sys.executable,
    }


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--loopback-up", action="store_true")
    args = parser.parse_args()
    if args.loopback_up:
        _loopback_up()
    result = _execute(args.notebook)
    args.report.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
