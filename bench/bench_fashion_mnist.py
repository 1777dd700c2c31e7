"""Fashion-MNIST with Adam: time to 88 % test accuracy, and what the training loop costs.

    python bench/bench_fashion_mnist.py [--optimizer auto|d2l_opt|torch] [--recipe NAME]
                                        [--batch-size B] [--rounds R] [--skip-accuracy]

1. Trains :data:`d2l_opt.train.FAST_MLP` (or ``--recipe baseline``: the seed's 4x100 MLP with
   Adam at a constant 1e-3) for its epochs, evaluating the test set after every epoch, and
   prints the training time until the first evaluation at >= ``--target`` and the epochs that
   took.
2. Times one epoch of :func:`d2l_opt.train.train` (sampling, indexing, zero_grad, forward,
   backward, optimizer step, schedule, loss record, end-of-epoch evaluation; no progress bar)
   against the bare forward + backward passes over the same mini-batches, gathered beforehand
   from the same in-memory tensors, and against a hand-written minimal loop (index, zero_grad,
   forward, backward, step). Rounds alternate between the variants and the fastest of each is
   kept, which filters out other load on the machine. The issue's target: ratio <= 1.3.

Prints numbers only; asserts nothing. A few minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from d2l_opt.data import DATA_ENV, load_fashion_mnist
from d2l_opt.train import FAST_MLP, Recipe, batch_indices, evaluate, train

#: Used when neither --data nor $D2L_OPT_DATA is given (as in CI); else the loader's usual lookup.
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "fashion-mnist"
#: The seed experiment's 4x100 MLP with Adam at a constant 1e-3 (final_lr = lr: no decay).
BASELINE = Recipe("baseline", hidden=(100, 100, 100, 100), lr=1e-3, final_lr=1e-3, batch_size=128)
RECIPES = {recipe.name: recipe for recipe in (FAST_MLP, BASELINE)}


def pick_optimizer(choice: str):
    if choice in ("auto", "d2l_opt"):
        try:
            from d2l_opt.optim import Adam
        except ImportError:
            if choice == "d2l_opt":
                raise
        else:
            return "d2l_opt", Adam
    return "torch", torch.optim.Adam


def warm_up(recipe: Recipe, adam, data) -> None:
    """A few steps first, so that one-time library start-up is not counted as training."""
    train(recipe.model(), adam, data, iterations=3, batch_size=recipe.batch_size, progress=False)


def time_to_target(recipe: Recipe, adam, data, target: float, seed: int) -> None:
    history = recipe.run(data, adam, seed=seed, progress=False)
    print(f"\n[1] {recipe.name}: {recipe}")
    print("    epoch  test acc  test loss  train time (s, cumulative, evaluation excluded)")
    for epoch, acc, loss, seconds in zip(
        history.eval_epoch,
        history.test_accuracy,
        history.test_loss,
        history.eval_elapsed,
        strict=True,
    ):
        print(f"    {epoch:5.2f}  {acc:8.4f}  {loss:9.4f}  {seconds:8.2f}")
    hit = history.first_reaching(target)
    if hit is None:
        print(f"    did NOT reach {target:.0%} within {recipe.epochs} epochs")
    else:
        print(
            f"    reached >= {target:.0%} after {history.eval_epoch[hit]:g} epoch(s), "
            f"{history.eval_elapsed[hit]:.2f} s of training "
            f"({history.wall_time:.2f} s for the whole run including evaluations)"
        )


def bare_epoch(model, batches, clock) -> float:
    """Forward and backward passes only, over mini-batches gathered beforehand."""
    start = clock()
    for x, y in batches:
        F.cross_entropy(model(x), y).backward()
    return clock() - start


def minimal_epoch(model, optimizer, schedule, x_train, y_train, indices, clock) -> float:
    """The least a training loop does: schedule, index, zero_grad, forward, backward, step."""
    start = clock()
    for iteration, idx in enumerate(indices):
        schedule(optimizer, iteration)
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return clock() - start


def loop_overhead(recipe: Recipe, adam, data, rounds: int, seed: int, clock) -> None:
    (x_train, y_train), (x_test, y_test) = data
    n = len(x_train)
    per_epoch = math.ceil(n / recipe.batch_size)
    generator = torch.Generator().manual_seed(seed)
    # The very batches train() draws for its first epoch under this seed.
    indices = list(batch_indices(n, recipe.batch_size, per_epoch, generator=generator))
    batches = [(x_train[i], y_train[i]) for i in indices]

    times: dict[str, list[float]] = {"bare": [], "minimal": [], "train": [], "train_only": []}
    for _ in range(rounds):  # alternate, so that a burst of other load hits all alike
        model = recipe.model(seed).train()
        times["bare"].append(bare_epoch(model, batches, clock))

        model = recipe.model(seed).train()
        optimizer = adam(model.parameters(), lr=recipe.lr)
        schedule = recipe.schedule(1, n)
        times["minimal"].append(
            minimal_epoch(model, optimizer, schedule, x_train, y_train, indices, clock)
        )

        model = recipe.model(seed)
        start = clock()
        train(
            model,
            lambda params: adam(params, lr=recipe.lr),
            data,
            epochs=1,
            batch_size=recipe.batch_size,
            schedule=recipe.schedule(1, n),
            seed=seed,
            progress=False,
        )
        times["train"].append(clock() - start)
        start = clock()
        evaluate(model, x_test, y_test)  # what train() spent on its one evaluation
        times["train_only"].append(times["train"][-1] - (clock() - start))
    best = {key: min(values) for key, values in times.items()}
    batch = recipe.batch_size
    print(f"\n[2] one epoch = {per_epoch} mini-batches of {batch}, best of {rounds} rounds")
    print(f"    clock: time.{clock.__name__}, {torch.get_num_threads()} torch thread(s)")
    rows = (
        ("bare", "bare forward+backward (batches gathered beforehand)"),
        ("minimal", "+ schedule, indexing, zero_grad, optimizer step (hand-written loop)"),
        ("train_only", "train(), evaluation excluded: + sampling, loss and lr records"),
        ("train", "train(), epochs=1, with the end-of-epoch test evaluation"),
    )
    for key, label in rows:
        print(f"    {best[key]:6.3f} s  {label}   [{fmt(times[key])}]")
    ratios = (
        ("epoch / bare forward+backward (target <= 1.3)", "train", "bare"),
        ("  the same without the evaluation", "train_only", "bare"),
        ("  hand-written loop / bare (the optimizer step)", "minimal", "bare"),
        ("  train() w/o evaluation / hand-written loop", "train_only", "minimal"),
    )
    for label, top, bottom in ratios:
        print(f"    ratio {label:48s}: {best[top] / best[bottom]:.3f}")


def fmt(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--optimizer", choices=("auto", "d2l_opt", "torch"), default="auto")
    parser.add_argument("--recipe", choices=sorted(RECIPES), default=FAST_MLP.name)
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    parser.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    parser.add_argument("--target", type=float, default=0.88)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds for [2]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="[2] in wall-clock or process CPU seconds; cpu (with --threads 1) is steadier on a "
        "machine shared with other work",
    )
    parser.add_argument("--data", help="directory with the .gz files (default: see SHARED)")
    parser.add_argument("--skip-accuracy", action="store_true", help="only run [2]")
    args = parser.parse_args()

    recipe = RECIPES[args.recipe]
    if args.epochs:
        recipe = dataclasses.replace(recipe, epochs=args.epochs)
    if args.batch_size:
        recipe = dataclasses.replace(recipe, batch_size=args.batch_size)
    if args.threads:
        torch.set_num_threads(args.threads)
    name, adam = pick_optimizer(args.optimizer)
    print(f"optimizer: {adam.__module__}.{adam.__qualname__} ({name})")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    start = time.perf_counter()
    if args.data is None and not os.environ.get(DATA_ENV) and SHARED.is_dir():
        args.data = SHARED
    data = load_fashion_mnist(args.data, download=False)
    print(f"data loaded in {time.perf_counter() - start:.2f} s")

    warm_up(recipe, adam, data)
    if not args.skip_accuracy:
        time_to_target(recipe, adam, data, args.target, args.seed)
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    loop_overhead(recipe, adam, data, args.rounds, args.seed, clock)


if __name__ == "__main__":
    main()
