"""Trusted helpers the grader's calls use *inside* the sandboxed child.

They build inputs for the student's functions (a problem's gradient, a table as a schedule) or
run a fixed experiment with the student's code (Fashion-MNIST training). They run next to the
student's code, so the parent never trusts what they return more than any other answer: it
checks their results itself (for Fashion-MNIST it evaluates the returned weights itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "evaluate_schedule",
    "fashion_mnist_weights",
    "problem_grad",
    "problem_value",
    "table",
]


def problem_grad(name: str):
    """The gradient of one of :data:`d2l_opt.problems.PROBLEMS`, for one point ``(2,)``."""
    from d2l_opt.problems import PROBLEMS

    problem = PROBLEMS[name]
    return lambda x: problem.grad(np.asarray(x, dtype=np.float64))


def problem_value(name: str):
    from d2l_opt.problems import PROBLEMS

    problem = PROBLEMS[name]
    return lambda x: float(problem.value(np.asarray(x, dtype=np.float64)))


def table(values):
    """A schedule ``t -> values[t - 1]`` for t = 1, 2, ..."""
    values = [float(v) for v in values]
    return lambda t: values[int(t) - 1]


def evaluate_schedule(schedule, steps: int) -> np.ndarray:
    """``[schedule(1), ..., schedule(steps)]`` as floats."""
    return np.array([float(schedule(t)) for t in range(1, int(steps) + 1)])


#: What each helper imports beyond the always-visible modules: the sandbox lets a question's
#: child see these too (:mod:`d2l_opt.grading.allow`), whatever the question allows answers.
NEEDS = {"fashion_mnist_weights": ("torch", "d2l_opt.train")}

#: The network trained by the Fashion-MNIST question (the parent rebuilds the same one).
FASHION_HIDDEN = (100, 100)
#: Environment variable naming the grader's training subset (see :func:`fashion_training_set`).
FASHION_SUBSET_ENV = "D2L_OPT_GRADING_FASHION"
#: Training images the grader's subset holds: enough for 300 batches of 128 drawn from it.
FASHION_SUBSET_SIZE = 20_000


def fashion_training_set(folder) -> Path:
    """Write the first :data:`FASHION_SUBSET_SIZE` training images and labels (uint8, as in the
    files) to ``folder/train-subset.npz`` once per grading run (parent side): a child loads it in
    milliseconds instead of decompressing Fashion-MNIST."""
    from d2l_opt.data import load_fashion_mnist

    target = Path(folder) / "train-subset.npz"
    if not target.exists():
        (x, y), _ = load_fashion_mnist(normalize=False, as_numpy=True)
        n = FASHION_SUBSET_SIZE
        np.savez(target, images=x[:n].reshape(n, -1), labels=y[:n].astype(np.uint8))
        target.chmod(0o644)
    return target


def fashion_mnist_weights(factory, lr, iterations: int = 300, seed: int = 0, batch_size: int = 128):
    """Train ``mlp(FASHION_HIDDEN, seed=seed)`` with ``factory(params, lr)`` for ``iterations``
    seeded mini-batches of the grader's training subset and return ``{"weights": [arrays],
    "optimizer": class name, "state_keys": [...]}``; the parent evaluates the weights on the
    test set itself."""
    import os

    import torch
    from torch.nn import functional as F

    from d2l_opt.train import mlp

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    with np.load(os.environ[FASHION_SUBSET_ENV]) as subset:
        images = torch.from_numpy(subset["images"].astype(np.float32) / np.float32(255))
        labels = torch.from_numpy(subset["labels"].astype(np.int64))
    model = mlp(FASHION_HIDDEN, seed=seed)
    optimizer = factory(model.parameters(), float(lr))
    generator = torch.Generator().manual_seed(seed)
    for _ in range(int(iterations)):
        batch = torch.randint(0, len(images), (int(batch_size),), generator=generator)
        loss = F.cross_entropy(model(images[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    first = next(iter(model.parameters()))
    state = optimizer.state.get(first, {}) if hasattr(optimizer, "state") else {}
    return {
        "weights": [p.detach().numpy().copy() for p in model.state_dict().values()],
        "optimizer": type(optimizer).__name__,
        "state_keys": sorted(str(k) for k in state),
    }
