"""d2l_opt.train: models, sampling, the loop's contract (determinism, schedule hook, history),
smoothing, and one real epoch on Fashion-MNIST.

The tests run torch on one thread: their tensors are small, and on a 2-core machine that is
busy with anything else, two OpenMP threads that spin-wait for each other make tiny operations
tens of times slower (measured: 0.25 s vs 14 s for test_same_seed_same_history's runs).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import torch
from fashion_data import SOURCE, needs_data
from torch import nn

from d2l_opt.ewma import ewma
from d2l_opt.train import (
    FAST_MLP,
    History,
    Standardize,
    WarmupCosine,
    batch_indices,
    evaluate,
    make_optimizer,
    mlp,
    set_hyperparameter,
    smooth,
    softmax_regression,
    train,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def toy():
    """A small learnable 10-class problem shaped like Fashion-MNIST: 784 inputs."""
    generator = torch.Generator().manual_seed(123)
    centers = torch.randn(10, 784, generator=generator)

    def split(n):
        labels = torch.randint(10, (n,), generator=generator)
        images = centers[labels] + 2.0 * torch.randn(n, 784, generator=generator)
        return images, labels

    return split(1000), split(300)


def adam(lr=1e-3):
    return functools.partial(torch.optim.Adam, lr=lr)


# --------------------------------------------------------------------------------------- models


def test_seed_mlp_architecture():
    model = mlp()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (784, 100),
        (100, 100),
        (100, 100),
        (100, 100),
        (100, 10),
    ]
    assert sum(isinstance(m, nn.ReLU) for m in model) == 4
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)  # images or flat rows


def test_model_options():
    model = mlp((32,), batchnorm=True, dropout=0.5, standardize=True, activation=nn.Tanh)
    kinds = [type(m) for m in model]
    assert kinds == [
        nn.Flatten,
        Standardize,
        nn.Linear,
        nn.BatchNorm1d,
        nn.Tanh,
        nn.Dropout,
        nn.Linear,
    ]
    assert model[2].bias is None  # batch norm's shift replaces it
    assert softmax_regression()(torch.zeros(2, 784)).shape == (2, 10)


def test_model_seed_is_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    a, b = mlp(seed=1), mlp(seed=1)
    assert torch.equal(torch.rand(3), expected)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(mlp(seed=2)[1].weight, a[1].weight)


# ------------------------------------------------------------------------------------- sampling


def test_epoch_sampling_visits_every_example_once_per_epoch():
    generator = torch.Generator().manual_seed(0)
    batches = list(batch_indices(10, 4, 6, generator=generator))
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    assert sorted(torch.cat(batches[:3]).tolist()) == list(range(10))
    assert sorted(torch.cat(batches[3:]).tolist()) == list(range(10))
    assert torch.cat(batches[:3]).tolist() != torch.cat(batches[3:]).tolist()


def test_replacement_sampling_draws_independent_batches():
    generator = torch.Generator().manual_seed(0)
    batches = list(batch_indices(5, 8, 50, sampling="replacement", generator=generator))
    assert len(batches) == 50 and all(len(b) == 8 for b in batches)
    drawn = torch.cat(batches)
    assert drawn.min() == 0 and drawn.max() == 4
    assert any(len(set(b.tolist())) < 8 for b in batches)  # repeats within a batch


def test_unknown_sampling_is_refused():
    with pytest.raises(ValueError, match="sampling"):
        list(batch_indices(5, 2, 1, sampling="stratified", generator=torch.Generator()))


# ------------------------------------------------------------------------------------- the loop


def test_optimizer_instance_class_or_factory():
    model = mlp((8,))
    instance = torch.optim.SGD(model.parameters(), lr=0.1)
    assert make_optimizer(instance, model) is instance
    assert isinstance(make_optimizer(torch.optim.Adam, model), torch.optim.Adam)
    built = make_optimizer(lambda params: torch.optim.RMSprop(params, lr=0.01), model)
    assert built.param_groups[0]["params"][0] is model[1].weight
    with pytest.raises(TypeError):
        make_optimizer("adam", model)


@pytest.mark.parametrize("sampling", ["epoch", "replacement"])
def test_same_seed_same_history(toy, sampling):
    def run(seed):
        model = mlp((64, 64), dropout=0.2, seed=0)  # dropout draws from the global RNG
        return train(
            model,
            adam(),
            toy,
            epochs=2,
            batch_size=64,
            sampling=sampling,
            seed=seed,
            progress=False,
        )

    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    first, second, other = run(0), run(0), run(1)
    assert torch.equal(torch.rand(2), expected)  # the global generator is left as it was
    assert first.train_loss == second.train_loss
    assert first.test_accuracy == second.test_accuracy
    assert first.train_loss != other.train_loss


def test_history_contents(toy):
    history = train(mlp((32,), seed=0), adam(1e-2), toy, epochs=3, batch_size=100, progress=False)
    assert isinstance(history, History)
    assert history.iterations == 30 and history.epochs == 3.0
    assert len(history.train_loss) == len(history.lr) == 30
    assert history.eval_iteration == [10, 20, 30] and history.eval_epoch == [1.0, 2.0, 3.0]
    assert len(history.test_accuracy) == len(history.test_loss) == len(history.eval_elapsed) == 3
    assert history.eval_elapsed == sorted(history.eval_elapsed)
    assert 0 < history.train_time <= history.wall_time
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.9  # the toy problem is easy
    assert history.first_reaching(0.9) is not None and history.first_reaching(1.01) is None


def test_iterations_eval_every_and_partial_epochs(toy):
    history = train(
        mlp((8,)), adam(), toy, iterations=7, batch_size=300, eval_every=3, progress=False
    )
    assert history.eval_iteration == [3, 6, 7]  # and once more at the end
    assert history.epochs == pytest.approx(7 / 4)
    half = train(mlp((8,)), adam(), toy, epochs=0.5, batch_size=100, progress=False)
    assert half.iterations == 5 and half.eval_iteration == [5]
    with pytest.raises(ValueError, match="exactly one"):
        train(mlp((8,)), adam(), toy, epochs=1, iterations=3)
    with pytest.raises(ValueError, match="exactly one"):
        train(mlp((8,)), adam(), toy)
    with pytest.raises(ValueError, match="nothing to train"):
        train(mlp((8,)), adam(), toy, epochs=0)


def test_numpy_data_and_the_progress_bar(toy, capsys):
    numpy_data = tuple((x.numpy(), y.numpy()) for x, y in toy)
    history = train(softmax_regression(), adam(), numpy_data, iterations=5, progress=True)
    assert len(history.train_loss) == 5
    assert "training" in capsys.readouterr().err


def test_model_left_in_training_mode_after_evaluation(toy):
    model = mlp((8,), dropout=0.1)
    accuracy, loss = evaluate(model, *toy[1])
    assert model.training and 0 <= accuracy <= 1 and loss > 0
    model.eval()
    evaluate(model, *toy[1])
    assert not model.training


# ------------------------------------------------------------------------------------ schedules


def test_schedule_hook_sets_the_learning_rate(toy):
    seen = []

    def halve_every_five(optimizer, iteration):
        seen.append(iteration)
        set_hyperparameter(optimizer, "lr", 0.1 * 0.5 ** (iteration // 5))

    model = mlp((8,), seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=123.0)
    history = train(model, optimizer, toy, iterations=12, schedule=halve_every_five, progress=False)
    assert seen == list(range(12))
    assert history.lr == [0.1] * 5 + [0.05] * 5 + [0.025] * 2
    assert optimizer.param_groups[0]["lr"] == 0.025


def test_schedule_hook_sets_rmsprop_decay(toy):
    """The book's gamma is torch's ``alpha``; changing it changes the run."""

    def run(schedule):
        model = mlp((16,), seed=0)
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
        history = train(model, optimizer, toy, iterations=20, schedule=schedule, progress=False)
        return optimizer, history

    def gamma_ramp(optimizer, iteration):
        set_hyperparameter(optimizer, "alpha", min(0.999, 0.5 + 0.05 * iteration))

    ramped, ramped_history = run(gamma_ramp)
    constant, constant_history = run(None)
    assert ramped.param_groups[0]["alpha"] == 0.999 and constant.param_groups[0]["alpha"] == 0.9
    assert ramped_history.train_loss[0] == constant_history.train_loss[0]
    assert ramped_history.train_loss[1:] != constant_history.train_loss[1:]


def test_unknown_hyperparameter():
    optimizer = torch.optim.SGD(mlp((4,)).parameters(), lr=0.1)
    with pytest.raises(KeyError, match="alpha"):
        set_hyperparameter(optimizer, "alpha", 0.9)


def test_warmup_cosine_shape():
    schedule = WarmupCosine(1.0, 100, warmup=10, start=0.1, final=0.01)
    values = [schedule.value(i) for i in range(120)]
    assert values[0] == pytest.approx(0.1) and values[10] == pytest.approx(1.0)
    assert all(a < b for a, b in zip(values[:10], values[1:11], strict=True))
    assert all(a >= b for a, b in zip(values[10:100], values[11:101], strict=True))
    assert values[55] == pytest.approx(0.01 + 0.99 * 0.5)
    assert values[100:] == [pytest.approx(0.01)] * 20


def test_recipe_schedule_is_stretched_to_the_run():
    per_epoch = math.ceil(60000 / FAST_MLP.batch_size)
    for epochs in (1, 2, FAST_MLP.epochs):
        schedule = FAST_MLP.schedule(epochs=epochs)
        total = epochs * per_epoch
        assert schedule.total == total and schedule.warmup == round(FAST_MLP.warmup * total)
        assert schedule.value(schedule.warmup) == pytest.approx(FAST_MLP.lr)
        assert schedule.value(total) == pytest.approx(FAST_MLP.final_lr)


# ------------------------------------------------------------------------------------ smoothing


def test_smooth():
    rng = np.random.default_rng(0)
    noisy = 1.0 + rng.normal(size=2000)
    smoothed = smooth(noisy, beta=0.98)
    assert smoothed.shape == noisy.shape
    assert np.std(smoothed[200:]) < 0.2 * np.std(noisy)
    assert np.allclose(smooth(np.full(50, 3.0)), 3.0)  # no pull towards zero at the start
    assert np.array_equal(smooth([1.0, 5.0, 2.0], beta=0.0), [1.0, 5.0, 2.0])
    assert np.allclose(smoothed, ewma(noisy, 0.98, bias_correction=True))


# ------------------------------------------------------------------------------- real data


@needs_data
def test_one_epoch_on_fashion_mnist_reaches_80_percent():
    from d2l_opt.data import load_fashion_mnist

    data = load_fashion_mnist(SOURCE, download=False)
    history = FAST_MLP.run(data, epochs=1, progress=False)
    assert history.iterations == math.ceil(60000 / FAST_MLP.batch_size)
    assert history.test_accuracy[-1] >= 0.80, history.test_accuracy
