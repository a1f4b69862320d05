"""Tests of platedigits.network: gradients, training behaviour, persistence and validation."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable

import numpy as np
import pytest

from platedigits.errors import PlateDigitsError, TrainingError
from platedigits.network import (
    ACTIVATIONS,
    BPNetwork,
    EpochInfo,
    ReLU,
    Sigmoid,
    SoftmaxCrossEntropy,
    Tanh,
    _split,
    flush_subnormals,
    loss_and_gradients,
)

# --- helpers ---------------------------------------------------------------------------------


def blobs(
    n_per_class: int = 40,
    n_classes: int = 3,
    n_features: int = 4,
    spread: float = 0.3,
    seed: int = 0,
    labels: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters around well separated centres; labels are strings."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 3.0, size=(n_classes, n_features))
    X = np.concatenate(
        [c + spread * rng.standard_normal((n_per_class, n_features)) for c in centres]
    )
    names = labels or [f"c{k}" for k in range(n_classes)]
    y = np.repeat(np.array(names), n_per_class)
    order = rng.permutation(len(y))
    return X[order], y[order]


def random_params(
    sizes: list[int], rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    coefs = [rng.normal(0.0, 0.8, size=(a, b)) for a, b in itertools.pairwise(sizes)]
    intercepts = [rng.normal(0.0, 0.3, size=b) for b in sizes[1:]]
    return coefs, intercepts


def numeric_gradients(
    coefs: list[np.ndarray],
    intercepts: list[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activation: str,
    l2: float,
    eps: float = 1e-6,
) -> list[np.ndarray]:
    """Central differences of the loss with respect to every parameter, coefs then intercepts."""
    out = []
    for arr in [*coefs, *intercepts]:
        grad = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            keep = arr[idx]
            arr[idx] = keep + eps
            up = loss_and_gradients(coefs, intercepts, X, Y, activation=activation, l2=l2)[0]
            arr[idx] = keep - eps
            down = loss_and_gradients(coefs, intercepts, X, Y, activation=activation, l2=l2)[0]
            arr[idx] = keep
            grad[idx] = (up - down) / (2 * eps)
        out.append(grad)
    return out


def reference_loss(
    coefs: list[np.ndarray],
    intercepts: list[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activation: str,
    l2: float,
) -> float:
    """The loss written out independently of the module's classes."""
    functions: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "relu": lambda z: np.maximum(z, 0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    }
    f = functions[activation]
    h = X
    for W, b in zip(coefs[:-1], intercepts[:-1], strict=True):
        h = f(h @ W + b)
    z = h @ coefs[-1] + intercepts[-1]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    ce = -np.mean(np.log(np.sum(p * Y, axis=1)))
    return float(ce + 0.5 * l2 * sum(np.sum(W**2) for W in coefs))


def one_hot(idx: np.ndarray, k: int) -> np.ndarray:
    Y = np.zeros((len(idx), k))
    Y[np.arange(len(idx)), idx] = 1.0
    return Y


# --- gradients -------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_backprop_matches_finite_differences(activation: str, l2: float) -> None:
    rng = np.random.default_rng(42)
    sizes = [3, 5, 4, 3]
    coefs, intercepts = random_params(sizes, rng)
    X = rng.normal(size=(7, 3))
    Y = one_hot(rng.integers(0, 3, size=7), 3)

    loss, dcoefs, dintercepts = loss_and_gradients(
        coefs, intercepts, X, Y, activation=activation, l2=l2
    )
    assert loss == pytest.approx(reference_loss(coefs, intercepts, X, Y, activation, l2), rel=1e-12)
    numeric = numeric_gradients(coefs, intercepts, X, Y, activation, l2)
    for analytic, num in zip([*dcoefs, *dintercepts], numeric, strict=True):
        assert analytic.shape == num.shape
        np.testing.assert_allclose(analytic, num, rtol=1e-5, atol=1e-8)


def test_gradient_of_softmax_regression_without_hidden_layers() -> None:
    rng = np.random.default_rng(1)
    coefs, intercepts = random_params([4, 3], rng)
    X = rng.normal(size=(5, 4))
    Y = one_hot(np.array([0, 1, 2, 2, 0]), 3)
    _, dcoefs, dintercepts = loss_and_gradients(coefs, intercepts, X, Y, l2=0.1)
    numeric = numeric_gradients(coefs, intercepts, X, Y, "relu", 0.1)
    np.testing.assert_allclose(dcoefs[0], numeric[0], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dintercepts[0], numeric[1], rtol=1e-5, atol=1e-8)


def test_l2_penalises_weights_but_not_biases() -> None:
    rng = np.random.default_rng(3)
    coefs, intercepts = random_params([2, 3, 2], rng)
    X = rng.normal(size=(4, 2))
    Y = one_hot(np.array([0, 1, 1, 0]), 2)
    loss0, dc0, db0 = loss_and_gradients(coefs, intercepts, X, Y, l2=0.0)
    loss1, dc1, db1 = loss_and_gradients(coefs, intercepts, X, Y, l2=0.5)
    assert loss1 - loss0 == pytest.approx(0.25 * sum(float(np.sum(W**2)) for W in coefs))
    for W, g0, g1 in zip(coefs, dc0, dc1, strict=True):
        np.testing.assert_allclose(g1 - g0, 0.5 * W, atol=1e-12)
    for g0, g1 in zip(db0, db1, strict=True):
        np.testing.assert_array_equal(g0, g1)


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_n() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)) * 3
    Y = one_hot(np.array([0, 3, 1, 1, 2, 0]), 4)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(logits.copy(), Y)
    assert loss == pytest.approx(-np.mean(np.log(p[Y == 1])), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), (p - Y) / 6, atol=1e-15)


def test_softmax_is_stable_for_huge_logits() -> None:
    logits = np.array([[1000.0, 0.0, -1000.0], [-5e4, -5e4, -5e4]], dtype=np.float32)
    p = SoftmaxCrossEntropy.softmax(logits)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    loss = SoftmaxCrossEntropy().forward(
        np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])
    )  # p of the true class underflows to 0, the loss must still be exact
    assert loss == pytest.approx(1000.0)


@pytest.mark.parametrize("cls", [Sigmoid, Tanh, ReLU])
def test_activation_derivative_matches_finite_differences(cls: type) -> None:
    z = np.linspace(-3.0, 3.0, 24).reshape(4, 6) + 0.013  # keep away from ReLU's kink at 0
    eps = 1e-6
    act = cls()
    a = act.forward(z.copy())
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(a).astype(float), numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_values() -> None:
    z = np.array([[-50.0, -1.0, 0.0, 2.0, 800.0]])
    np.testing.assert_allclose(Sigmoid().forward(z.copy()), 1 / (1 + np.exp(-z)), rtol=1e-12)


# --- training ----------------------------------------------------------------------------


def small_net(**kw: object) -> BPNetwork:
    params: dict[str, object] = {"hidden_layer_sizes": (16,), "epochs": 30, "batch_size": 16}
    params.update(kw)
    return BPNetwork(**params)  # type: ignore[arg-type]


def test_fits_separable_data() -> None:
    X, y = blobs(n_per_class=60, spread=0.8, seed=1)
    net = small_net().fit(X[:120], y[:120])
    assert net.score(X[120:], y[120:]) >= 0.95  # held-out samples
    assert net.loss_curve_[-1] < net.loss_curve_[0]
    assert net.n_features_in_ == 4
    assert [W.shape for W in net.coefs_] == [(4, 16), (16, 3)]
    assert [b.shape for b in net.intercepts_] == [(16,), (3,)]
    assert all(a.dtype == np.float32 for a in [*net.coefs_, *net.intercepts_])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_every_activation_and_optimizer_learns(activation: str, optimizer: str) -> None:
    X, y = blobs(n_per_class=30, seed=2)
    lr = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}[optimizer]
    net = small_net(activation=activation, optimizer=optimizer, learning_rate=lr, epochs=40)
    net.fit(X, y, callback=None)
    assert net.score(X, y) >= 0.95


def test_same_seed_is_bit_identical_and_different_seed_differs() -> None:
    X, y = blobs(seed=3)
    a = small_net(seed=7).fit(X, y)
    b = small_net(seed=7).fit(X, y)
    c = small_net(seed=8).fit(X, y)
    for key, arr in a.get_arrays().items():
        np.testing.assert_array_equal(arr, b.get_arrays()[key])
    assert a.loss_curve_ == b.loss_curve_
    assert a.validation_scores_ == b.validation_scores_
    assert any(not np.array_equal(arr, c.get_arrays()[k]) for k, arr in a.get_arrays().items())
    # Refitting the same object repeats the run too: the seed is not consumed.
    a.fit(X, y)
    np.testing.assert_array_equal(a.get_arrays()["W0"], b.get_arrays()["W0"])


def test_generator_seed_and_no_global_state() -> None:
    X, y = blobs(seed=3)
    a = small_net(seed=np.random.default_rng(5)).fit(X, y)
    # Legacy global state on purpose: the network must leave it alone.
    np.random.seed(0)  # noqa: NPY002
    state = np.random.get_state()[1].copy()  # type: ignore[index]  # noqa: NPY002
    b = small_net(seed=np.random.default_rng(5)).fit(X, y)
    np.testing.assert_array_equal(a.get_arrays()["W1"], b.get_arrays()["W1"])
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # type: ignore[index]  # noqa: NPY002
    assert a.get_config()["seed"] is None


def test_predict_proba_rows_sum_to_one_and_agree_with_predict() -> None:
    X, y = blobs(seed=4)
    net = small_net().fit(X, y)
    proba = net.predict_proba(X)
    assert proba.shape == (len(X), 3)
    assert proba.dtype == np.float32
    assert np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(net.classes_[proba.argmax(axis=1)], net.predict(X))
    logits = net.decision_function(X[:5])
    assert logits.shape == (5, 3) and logits.dtype == np.float32


def test_classes_are_sorted_strings_from_any_labels() -> None:
    X, y = blobs(seed=5, labels=["zebra", "ant", "moth"])
    net = small_net().fit(X, y)
    assert net.classes_.tolist() == ["ant", "moth", "zebra"]
    assert net.classes_.dtype.kind == "U"
    assert set(net.predict(X)) <= {"ant", "moth", "zebra"}
    assert net.score(X, y) >= 0.95

    y_int = np.array([{"zebra": 10, "ant": 2, "moth": 7}[s] for s in y])
    net = small_net().fit(X, y_int)
    assert net.classes_.tolist() == ["10", "2", "7"]  # sorted as strings
    assert net.predict(X).dtype.kind == "U"
    assert net.score(X, y_int) >= 0.95  # score compares str(y)


def test_callback_receives_one_epoch_info_per_epoch() -> None:
    X, y = blobs(seed=6)
    seen: list[EpochInfo] = []
    net = small_net(epochs=7, patience=100).fit(X, y, callback=seen.append)
    assert [info.epoch for info in seen] == list(range(1, 8))
    assert net.n_iter_ == 7
    assert [info.loss for info in seen] == net.loss_curve_
    assert [info.val_accuracy for info in seen] == net.validation_scores_
    assert all(info.val_loss is not None and info.val_loss >= 0 for info in seen)


def test_without_validation_there_are_no_scores_and_the_loss_decides() -> None:
    X, y = blobs(seed=6)
    seen: list[EpochInfo] = []
    net = small_net(validation_fraction=0.0, epochs=500, patience=3, tol=1e-2)
    net.fit(X, y, callback=seen.append)
    assert net.validation_scores_ == []
    assert net.best_validation_score_ is None
    assert all(info.val_accuracy is None and info.val_loss is None for info in seen)
    # Stopped because the loss stalled: the last `patience` epochs did not beat the best by tol.
    assert net.n_iter_ < 500
    curve = net.loss_curve_
    for i in range(len(curve) - 3, len(curve)):
        assert curve[i] > min(curve[:i]) - 1e-2


@pytest.mark.parametrize(
    ("spread", "lr"),
    [
        (2.5, 0.03),  # overlapping classes: the validation accuracy peaks and then wanders
        (0.5, 0.003),  # separable: many epochs tie at 100 %, the validation loss decides
    ],
)
def test_early_stopping_restores_the_best_weights(spread: float, lr: float) -> None:
    X, y = blobs(n_per_class=60, spread=spread, seed=7)
    snapshots: list[dict[str, np.ndarray]] = []
    infos: list[EpochInfo] = []
    net = small_net(hidden_layer_sizes=(32,), learning_rate=lr, epochs=300, patience=5, l2=0.0)

    def record(info: EpochInfo) -> None:
        infos.append(info)
        snapshots.append(net.get_arrays())  # the weights at the end of this epoch

    net.fit(X, y, callback=record)
    assert net.n_iter_ < 300  # early stopping happened
    assert len(net.validation_scores_) == len(net.loss_curve_) == net.n_iter_
    assert net.best_validation_score_ == max(net.validation_scores_)
    # Best = highest validation accuracy, ties to the lowest validation loss.
    best = min(range(len(infos)), key=lambda i: (-infos[i].val_accuracy, infos[i].val_loss))  # type: ignore[operator]
    assert best < net.n_iter_ - 1, "the test needs a run whose last epoch is not the best"
    first_best = net.validation_scores_.index(max(net.validation_scores_))
    if spread < 1:
        assert best > first_best, "the test needs a tie in accuracy broken by the loss"
    for key, arr in net.get_arrays().items():
        np.testing.assert_array_equal(arr, snapshots[best][key])
    # It stopped `patience` epochs after the last one that improved.
    assert net.n_iter_ - 1 - best <= 5


def test_warm_start_continues_from_the_fitted_weights() -> None:
    X, y = blobs(seed=8)
    net = small_net(epochs=10, patience=100).fit(X, y)
    before = net.get_arrays()
    first_curve = list(net.loss_curve_)

    net.learning_rate = 1e-9  # a step this small shows where training starts from
    net.fit(X, y, warm_start=True)
    for key, arr in net.get_arrays().items():
        np.testing.assert_allclose(arr, before[key], atol=1e-5)
    assert net.n_iter_ == 10 and len(net.loss_curve_) == 10

    net.learning_rate = 3e-3
    net.fit(X, y, warm_start=False)  # without warm_start it starts again from random weights
    fresh_start = net.loss_curve_[0]
    net.fit(X, y, warm_start=True)
    assert net.loss_curve_[0] < fresh_start
    assert net.loss_curve_[0] < first_curve[0]


def test_warm_start_on_an_unfitted_network_is_a_normal_fit() -> None:
    X, y = blobs(seed=8)
    a = small_net().fit(X, y, warm_start=True)
    b = small_net().fit(X, y)
    np.testing.assert_array_equal(a.get_arrays()["W0"], b.get_arrays()["W0"])


def test_warm_start_rejects_other_classes_or_features() -> None:
    X, y = blobs(seed=9)
    net = small_net(epochs=3).fit(X, y)
    before = net.get_arrays()
    with pytest.raises(ValueError, match="classes"):
        net.fit(X, np.where(y == "c0", "new", y), warm_start=True)
    with pytest.raises(ValueError, match="classes"):
        keep = y != "c2"
        net.fit(X[keep], y[keep], warm_start=True)
    with pytest.raises(ValueError, match="features"):
        net.fit(X[:, :3], y, warm_start=True)
    for key, arr in net.get_arrays().items():  # the failed calls did not touch the model
        np.testing.assert_array_equal(arr, before[key])


# --- persistence -------------------------------------------------------------------------


def _subnormals(array: np.ndarray) -> int:
    return int(np.count_nonzero((array != 0) & (np.abs(array) < np.finfo(array.dtype).tiny)))


def test_flush_subnormals_zeroes_only_subnormals() -> None:
    tiny = np.finfo(np.float32).tiny
    a = np.array([1.0, -tiny, tiny / 2, -tiny / 4, 3e-45, 0.0, -7.5], np.float32)
    assert _subnormals(a) == 3
    assert flush_subnormals(a) is a
    np.testing.assert_array_equal(a, [1.0, -tiny, 0.0, 0.0, 0.0, 0.0, -7.5])


def test_training_keeps_weights_free_of_subnormals() -> None:
    # Weights of an always-zero input only ever decay (plain SGD with L2 multiplies them by
    # 1 - lr * l2 each step), so once subnormal they would stay so, slowing every product.
    X, y = blobs(seed=3)
    X = np.hstack([X, np.zeros((len(X), 1))])
    net = small_net(optimizer="sgd", learning_rate=0.1, l2=0.01, epochs=3)

    def plant(info: EpochInfo) -> None:
        if info.epoch == 1:
            W0 = net.coefs_[0]
            W0[-1, :] = np.finfo(np.float32).tiny / 8  # the zero input's weights
            assert _subnormals(W0) == W0.shape[1]

    net.fit(X, y, callback=plant)
    assert sum(_subnormals(W) for W in net.coefs_) == 0
    assert not net.coefs_[0][-1, :].any()


def test_from_parts_flushes_subnormal_weights() -> None:
    X, y = blobs(seed=4)
    net = small_net().fit(X, y)
    arrays = net.get_arrays()
    arrays["W0"][0, :3] = np.finfo(np.float32).tiny / 16
    clone = BPNetwork.from_parts(net.get_config(), arrays, list(net.classes_))
    assert not clone.get_arrays()["W0"][0, :3].any()
    assert arrays["W0"][0, 0] != 0  # the caller's arrays are left as they were
    np.testing.assert_array_equal(clone.predict(X), net.predict(X))


def test_get_arrays_from_parts_round_trip() -> None:
    X, y = blobs(seed=10, labels=["7", "1", "4"])
    net = small_net(
        hidden_layer_sizes=(8, 5), activation="tanh", optimizer="momentum", nesterov=True
    ).fit(X, y)
    config = json.loads(json.dumps(net.get_config()))  # must survive JSON
    assert config["hidden_layer_sizes"] == [8, 5]
    assert config["optimizer_options"] == {"nesterov": True}
    arrays = net.get_arrays()
    assert sorted(arrays) == ["W0", "W1", "W2", "b0", "b1", "b2"]
    assert all(a.dtype == np.float32 for a in arrays.values())
    assert arrays["W1"].shape == (8, 5) and arrays["b2"].shape == (3,)

    clone = BPNetwork.from_parts(config, arrays, list(net.classes_))
    np.testing.assert_array_equal(clone.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(clone.predict(X), net.predict(X))
    assert clone.get_config() == net.get_config()
    assert clone.n_features_in_ == 4 and clone.n_iter_ == 0 and clone.loss_curve_ == []
    # The copies are independent of the network.
    arrays["W0"][:] = 0
    np.testing.assert_array_equal(clone.predict(X), net.predict(X))
    # A rebuilt network can be fine-tuned.
    clone.fit(X, y, warm_start=True)
    assert clone.score(X, y) >= 0.95


def _good_parts() -> tuple[dict, dict[str, np.ndarray], list[str]]:
    X, y = blobs(n_per_class=10, seed=11)
    net = small_net(hidden_layer_sizes=(6,), epochs=2).fit(X, y)
    return net.get_config(), net.get_arrays(), list(net.classes_)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c, a, k: a.__setitem__("W0", a["W0"][:, :5]), "W0 has shape"),
        (lambda c, a, k: a.__setitem__("W1", a["W1"][:5]), "W1 has shape"),
        (lambda c, a, k: a.__setitem__("b0", a["b0"][:3]), "b0 has shape"),
        (lambda c, a, k: a.__setitem__("W0", a["W0"].ravel()), "2-D"),
        (lambda c, a, k: a.pop("b1"), "missing"),
        (lambda c, a, k: a.__setitem__("W2", a["W1"]), "unexpected"),
        (lambda c, a, k: a["W1"].__setitem__((0, 0), np.nan), "NaN"),
        (lambda c, a, k: a.__setitem__("b1", a["b1"].astype(str)), "real numbers"),
        (lambda c, a, k: k.append("zz"), "W1 has shape"),
        (lambda c, a, k: k.reverse(), "sorted"),
        (lambda c, a, k: k.__setitem__(1, k[0]), "unique"),
        (lambda c, a, k: c.__setitem__("hidden_layer_sizes", [7]), "W0 has shape"),
        (lambda c, a, k: c.__setitem__("hidden_layer_sizes", [6, 6]), "missing"),
        (lambda c, a, k: c.__setitem__("colour", "red"), "unknown network config"),
        (lambda c, a, k: c.__setitem__("activation", "swish"), "activation"),
    ],
)
def test_from_parts_rejects_inconsistent_parts(mutate: Callable[..., object], message: str) -> None:
    config, arrays, classes = _good_parts()
    BPNetwork.from_parts(config, dict(arrays), list(classes))  # the unmodified parts are fine
    mutate(config, arrays, classes)
    with pytest.raises(ValueError, match=message):
        BPNetwork.from_parts(config, arrays, classes)


# --- errors --------------------------------------------------------------------------------


def test_divergence_raises_training_error_and_keeps_the_network_unfitted() -> None:
    X, y = blobs(seed=12)
    net = small_net(optimizer="sgd", learning_rate=1e6)
    with pytest.raises(TrainingError, match=r"diverged.*epoch \d+.*lower --lr"):
        net.fit(X, y)
    assert issubclass(TrainingError, PlateDigitsError)
    with pytest.raises(ValueError, match="not fitted"):
        net.predict(X)


def test_divergence_during_fine_tuning_keeps_the_old_weights() -> None:
    X, y = blobs(seed=12)
    net = small_net(optimizer="sgd", learning_rate=0.1, epochs=5).fit(X, y)
    before, curve = net.get_arrays(), list(net.loss_curve_)
    net.learning_rate = 1e6
    with pytest.raises(TrainingError):
        net.fit(X, y, warm_start=True)
    for key, arr in net.get_arrays().items():
        np.testing.assert_array_equal(arr, before[key])
    assert net.loss_curve_ == curve


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden_layer_sizes": (0,)},
        {"hidden_layer_sizes": (8, -1)},
        {"hidden_layer_sizes": (2.5,)},
        {"hidden_layer_sizes": "64"},
        {"activation": "softplus"},
        {"optimizer": "lbfgs"},
        {"learning_rate": 0.0},
        {"learning_rate": math.nan},
        {"epochs": 0},
        {"epochs": 2.0},
        {"batch_size": 0},
        {"l2": -1.0},
        {"l2": math.inf},
        {"validation_fraction": 1.0},
        {"validation_fraction": -0.1},
        {"patience": 0},
        {"tol": -1e-3},
        {"seed": -1},
        {"seed": "abc"},
        {"momentum": 0.9},  # an option adam does not take
        {"optimizer": "momentum", "momentum": 1.5},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        BPNetwork(**kwargs)


def test_bad_arguments_set_after_construction_are_caught_by_fit() -> None:
    X, y = blobs(seed=13)
    net = BPNetwork()
    net.batch_size = -3
    with pytest.raises(ValueError, match="batch_size"):
        net.fit(X, y)


def test_int_hidden_layer_size_means_one_layer() -> None:
    assert BPNetwork(hidden_layer_sizes=12).hidden_layer_sizes == (12,)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros(6), ["a", "b"] * 3, "2-D"),
        (np.zeros((6, 2, 1)), ["a", "b"] * 3, "2-D"),
        (np.zeros((0, 2)), [], "at least one sample"),
        (np.zeros((6, 2)), ["a", "b"] * 2, "labels"),
        (np.zeros((6, 2)), np.zeros((6, 1)), "1-D"),
        (np.array([[0.0, np.nan]] * 6), ["a", "b"] * 3, "NaN"),
        (np.array([[0.0, np.inf]] * 6), ["a", "b"] * 3, "NaN or infinite"),
        (np.array([["x", "y"]] * 6), ["a", "b"] * 3, "numbers"),
        (np.zeros((6, 2)), ["a"] * 6, "at least 2 classes"),
    ],
)
def test_bad_data_raises_value_error(X: object, y: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        small_net().fit(X, y)


def test_prediction_checks() -> None:
    X, y = blobs(seed=14)
    net = BPNetwork()
    with pytest.raises(ValueError, match="not fitted"):
        net.predict_proba(X)
    with pytest.raises(ValueError, match="not fitted"):
        net.get_arrays()
    net = small_net(epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        net.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        net.predict(np.full((1, 4), np.nan))


def test_config_is_json_and_rebuilds_the_same_estimator() -> None:
    net = BPNetwork((10, 4), activation="sigmoid", optimizer="rmsprop", rho=0.8, seed=3)
    config = json.loads(json.dumps(net.get_config()))
    assert config == {
        "hidden_layer_sizes": [10, 4],
        "activation": "sigmoid",
        "optimizer": "rmsprop",
        "learning_rate": net.learning_rate,
        "epochs": net.epochs,
        "batch_size": net.batch_size,
        "l2": net.l2,
        "validation_fraction": net.validation_fraction,
        "patience": net.patience,
        "tol": net.tol,
        "seed": 3,
        "optimizer_options": {"rho": 0.8},
    }
    assert "BPNetwork(hidden_layer_sizes=(10, 4)" in repr(net) and "rho=0.8" in repr(net)


# --- validation split ----------------------------------------------------------------------


def test_split_is_stratified_and_keeps_every_class_in_training() -> None:
    y = np.repeat(np.arange(3), [50, 30, 20])
    train, val = _split(y, 3, 0.2, np.random.default_rng(0))
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 100
    assert np.bincount(y[val], minlength=3).tolist() == [10, 6, 4]


def test_split_with_a_singleton_class_never_holds_it_out() -> None:
    y = np.array([0] * 30 + [1] * 30 + [2])
    for seed in range(20):
        train, val = _split(y, 3, 0.5, np.random.default_rng(seed))
        assert 60 in train
        assert set(np.unique(y[train])) == {0, 1, 2}
        assert len(val) == 31  # floor(0.5 * 61 + 0.5)


def test_split_of_tiny_data_holds_out_at_least_one_sample() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    train, val = _split(y, 2, 0.1, np.random.default_rng(0))
    assert len(val) == 1 and len(train) == 5
    with pytest.raises(ValueError, match="validation_fraction=0"):
        _split(np.array([0, 1]), 2, 0.1, np.random.default_rng(0))


def test_training_on_one_sample_per_class_works_without_validation() -> None:
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    net = small_net(validation_fraction=0.0, epochs=50, learning_rate=0.05).fit(X, ["a", "b"])
    assert net.predict(X).tolist() == ["a", "b"]
