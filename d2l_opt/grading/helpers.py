"""Trusted helpers the grader's calls use *inside* the sandboxed child.

They build inputs for the student's functions (a problem's gradient, a table as a schedule) or
run a fixed experiment with the student's code (Fashion-MNIST training). They run next to the
student's code, so the parent never trusts what they return more than any other answer: it
checks their results itself (for Fashion-MNIST it evaluates the returned weights itself).
"""

from __future__ import annotations

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


#: The network trained by the Fashion-MNIST question (the parent rebuilds the same one).
FASHION_HIDDEN = (100, 100)


def fashion_mnist_weights(factory, lr, iterations: int = 300, seed: int = 0, batch_size: int = 128):
    """Train ``mlp(FASHION_HIDDEN, seed=seed)`` with ``factory(params, lr)`` for ``iterations``
    mini-batches (seeded) and return ``{"weights": [arrays], "optimizer": class name,
    "state_keys": [...]}``; the parent evaluates the weights on the test set itself."""
    import torch

    from d2l_opt.data import load_fashion_mnist
    from d2l_opt.train import mlp, train

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    (x_train, y_train), _ = load_fashion_mnist()
    model = mlp(FASHION_HIDDEN, seed=seed)
    optimizer = factory(model.parameters(), float(lr))
    tiny_test = (x_train[:1], y_train[:1])  # train() evaluates at the end; the parent's test set
    train(
        model,
        optimizer,
        ((x_train, y_train), tiny_test),
        iterations=int(iterations),
        batch_size=batch_size,
        seed=seed,
        progress=False,
        eval_every=10**9,
    )
    first = next(iter(model.parameters()))
    state = optimizer.state.get(first, {}) if hasattr(optimizer, "state") else {}
    return {
        "weights": [p.detach().numpy().copy() for p in model.state_dict().values()],
        "optimizer": type(optimizer).__name__,
        "state_keys": sorted(str(k) for k in state),
    }
