"""Speed of d2l_opt's optimizers against every CPU path of torch.optim; numpy step bandwidth.

Prints, in one run (a minute or two on a 2-core machine):

1. For each optimizer, the median step time of ``d2l_opt.optim`` and of each CPU path of
   ``torch.optim``: the single-tensor loop (``foreach=False``, torch's default on CPU),
   ``foreach=True`` and ``fused=True`` where torch has a fused CPU kernel for it, on ~10 M
   float32 parameters in 100 tensors. The anchor is the *fastest* torch path: the ratio
   ours / fastest is printed as a ratio of medians and as the median of per-round ratios
   (goal: <= 1.1). Steps of all contenders are interleaved round by round so that machine
   noise hits all of them.
2. The numpy Adam step (``d2l_opt.inplace.step_inplace`` on numpy arrays, with its default
   backend, which runs torch's kernels on the numpy memory, and with ``backend="numpy"``,
   pure numpy ufuncs) as bytes moved per second, bytes = read p, g, m, v + write p, m, v, as
   a fraction of the bandwidth of ``np.copyto`` measured on the same machine with the same
   dtype and size (target: >= 40 %).

Allocator: glibc returns freed blocks above a *dynamic* threshold to the OS, so a fresh
process that has never freed a big buffer page-faults on every temporary of a few hundred KB
(both ``foreach`` and ``d2l_opt`` make such temporaries). A training process frees large
activations all the time, which raises glibc's thresholds to their maximum; the benchmark
does the same once at start-up (allocate and free 32 MB) unless ``--cold-allocator`` is given.
Minor page faults per step are printed so the effect is visible.

Numbers only, no assertions: timings belong in a report, not in tests.

    python bench/bench_optimizers.py [--rounds 9] [--tensors 100] [--size 100000]
                                     [--only Adam RMSprop] [--cold-allocator] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time

import numpy as np
import torch

import d2l_opt.optim as ours
from d2l_opt import inplace, rules

OPTIMIZERS = {
    "Adam": {"lr": 1e-3},
    "RMSprop": {"lr": 1e-3},
    "AdamW": {"lr": 1e-3},
    "Adagrad": {"lr": 1e-2},
    "SGD": {"lr": 1e-2, "momentum": 0.9},
}
TORCH_PATHS = {"single": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}


def make_params(n_tensors: int, size: int, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    params = []
    for _ in range(n_tensors):
        p = torch.randn(size, generator=gen).requires_grad_()
        p.grad = torch.randn(size, generator=gen)
        params.append(p)
    return params


def torch_contenders(name: str, kwargs: dict, n_tensors: int, size: int) -> dict:
    """d2l_opt and every torch CPU path this torch has for the optimizer (fused may not)."""
    contenders = {"d2l_opt": getattr(ours, name)(make_params(n_tensors, size, 0), **kwargs)}
    for path, flags in TORCH_PATHS.items():
        try:
            opt = getattr(torch.optim, name)(make_params(n_tensors, size, 0), **flags, **kwargs)
            opt.step()
        except (RuntimeError, ValueError, TypeError):  # e.g. no fused CPU kernel
            continue
        contenders[path] = opt
    return contenders


def bench_torch(name: str, kwargs: dict, n_tensors: int, size: int, rounds: int) -> dict:
    contenders = torch_contenders(name, kwargs, n_tensors, size)
    times: dict[str, list[float]] = {key: [] for key in contenders}
    faults: dict[str, int] = {key: 0 for key in contenders}
    for opt in contenders.values():  # warm-up: state allocation, first-touch page faults
        opt.step()
        opt.step()
    order = list(contenders)
    for r in range(rounds):
        shift = r % len(order)
        for key in order[shift:] + order[:shift]:  # rotate who goes first
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.perf_counter()
            contenders[key].step()
            times[key].append(time.perf_counter() - start)
            faults[key] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    med = {key: statistics.median(v) for key, v in times.items()}
    faults = {key: value // rounds for key, value in faults.items()}
    fastest = min((key for key in med if key in TORCH_PATHS), key=med.get)
    paired = zip(times["d2l_opt"], times[fastest], strict=True)
    return {
        "median": med,
        "fastest": fastest,
        "ratio": med["d2l_opt"] / med[fastest],
        "paired_ratio": statistics.median(a / b for a, b in paired),
        "faults": faults,
    }


def bench_numpy(n: int, dtype, rounds: int, backend: str) -> dict:
    rng = np.random.default_rng(0)
    p = rng.standard_normal(n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    rule = rules.Adam(lr=1e-3)
    state = rule.init(p)
    src = rng.standard_normal(n).astype(dtype)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    inplace.step_inplace(rule, p, g, state, backend=backend)  # warm-up
    copy_t, adam_t = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        np.copyto(dst, src)
        copy_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        inplace.step_inplace(rule, p, g, state, backend=backend)
        adam_t.append(time.perf_counter() - start)
    itemsize = np.dtype(dtype).itemsize
    copy_bw = 2 * n * itemsize / statistics.median(copy_t)  # read src + write dst
    adam_rate = 7 * n * itemsize / statistics.median(adam_t)  # read p,g,m,v + write p,m,v
    return {
        "copy_ms": 1e3 * statistics.median(copy_t),
        "adam_ms": 1e3 * statistics.median(adam_t),
        "copy_gbs": copy_bw / 1e9,
        "adam_gbs": adam_rate / 1e9,
        "fraction": adam_rate / copy_bw,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--tensors", type=int, default=100)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", default=None, help="optimizer names to time")
    parser.add_argument("--cold-allocator", action="store_true", help="skip the 32 MB warm-up")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's choice)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)  # on a busy machine, 1 thread avoids spinning
    if not args.cold_allocator:
        torch.empty(8 * 2**20).fill_(0)  # allocate, touch and free 32 MB, as training does
    n_total = args.tensors * args.size
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, numpy {np.__version__}, {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
        f"load average {load:.2f}"
    )
    print(f"\n[torch] {n_total / 1e6:.1f} M float32 parameters in {args.tensors} tensors, "
          f"median of {args.rounds} interleaved steps")  # fmt: skip
    columns = ("d2l_opt", *TORCH_PATHS)
    print(
        f"{'optimizer':10s} " + " ".join(f"{key:>8s}" for key in columns)
        + f"  {'fastest':8s} {'ratio':>6s} {'paired':>7s}  page faults/step (ours, fastest)"
    )  # fmt: skip
    for name, kwargs in OPTIMIZERS.items():
        if args.only and name not in args.only:
            continue
        res = bench_torch(name, kwargs, args.tensors, args.size, args.rounds)
        med, fastest = res["median"], res["fastest"]
        cells = " ".join(
            f"{1e3 * med[key]:8.2f}" if key in med else f"{'-':>8s}" for key in columns
        )
        print(
            f"{name:10s} {cells}  {fastest:8s} {res['ratio']:6.2f} {res['paired_ratio']:7.2f}  "
            f"{res['faults']['d2l_opt']}, {res['faults'][fastest]}"
        )
    print(
        "(times in ms; ratio = d2l_opt / fastest torch path, of the medians; paired = median of"
        " the per-round ratios; goal <= 1.1; '-': torch has no such path)"
    )
    print(f"\n[numpy] Adam step_inplace on {n_total / 1e6:.1f} M elements vs np.copyto, "
          f"median of {args.rounds} (target >= 40 %)")  # fmt: skip
    for dtype in (np.float32, np.float64):
        for backend in ("auto", "numpy"):
            res = bench_numpy(n_total, dtype, args.rounds, backend)
            shown = "torch kernels" if inplace.pick_backend(backend, dtype) == "torch" else "numpy"
            label = f"{np.dtype(dtype).name}, {backend} ({shown})"
            print(
                f"{label:31s} copy {res['copy_ms']:5.1f} ms = {res['copy_gbs']:4.1f} GB/s; "
                f"Adam {res['adam_ms']:6.1f} ms = {res['adam_gbs']:4.1f} GB/s moved = "
                f"{100 * res['fraction']:5.1f} % of copy bandwidth"
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end {load:.2f} (other processes inflate and scatter timings)")


if __name__ == "__main__":
    main()
