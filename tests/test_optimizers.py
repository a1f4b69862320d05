"""Tests of platedigits.optimizers: one step against hand-written formulas, then convergence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from platedigits.optimizers import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    Momentum,
    Optimizer,
    RMSProp,
    make_optimizer,
)


def _params() -> tuple[list[np.ndarray], list[np.ndarray]]:
    p = [np.array([1.0, -2.0, 0.5]), np.array([[0.25, 3.0], [-1.0, 0.0]])]
    g = [np.array([0.5, -1.0, 2.0]), np.array([[-0.3, 0.1], [4.0, 0.0]])]
    return p, g


def _assert_all_close(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- one step, written out by hand -----------------------------------------------------------


def test_sgd_one_step() -> None:
    p, g = _params()
    want = [p[0] - 0.1 * g[0], p[1] - 0.1 * g[1]]
    SGD(learning_rate=0.1).step(p, g)
    _assert_all_close(p, want)


def test_momentum_two_steps() -> None:
    p, g = _params()
    p0 = [x.copy() for x in p]
    lr, mu = 0.1, 0.9
    opt = Momentum(lr, momentum=mu)
    opt.step(p, g)
    # v1 = -lr g ; p1 = p0 + v1
    _assert_all_close(p, [p0[i] - lr * g[i] for i in range(2)])
    opt.step(p, g)
    # v2 = mu v1 - lr g = -(mu + 1) lr g ; p2 = p1 + v2
    _assert_all_close(p, [p0[i] - lr * g[i] - (mu + 1) * lr * g[i] for i in range(2)])


def test_nesterov_two_steps() -> None:
    p, g = _params()
    p0 = [x.copy() for x in p]
    lr, mu = 0.1, 0.5
    opt = Momentum(lr, momentum=mu, nesterov=True)
    opt.step(p, g)
    # v1 = -lr g ; p1 = p0 + mu v1 - lr g
    p1 = [p0[i] + mu * (-lr * g[i]) - lr * g[i] for i in range(2)]
    _assert_all_close(p, p1)
    opt.step(p, g)
    v2 = [mu * (-lr * g[i]) - lr * g[i] for i in range(2)]
    _assert_all_close(p, [p1[i] + mu * v2[i] - lr * g[i] for i in range(2)])


def test_adagrad_two_steps() -> None:
    p, g = _params()
    p0 = [x.copy() for x in p]
    lr, eps = 0.1, 1e-8
    opt = Adagrad(lr, epsilon=eps)
    opt.step(p, g)
    p1 = [p0[i] - lr * g[i] / (np.sqrt(g[i] ** 2) + eps) for i in range(2)]
    _assert_all_close(p, p1)
    g2 = [2.0 * x for x in g]
    opt.step(p, g2)
    cache = [g[i] ** 2 + g2[i] ** 2 for i in range(2)]
    _assert_all_close(p, [p1[i] - lr * g2[i] / (np.sqrt(cache[i]) + eps) for i in range(2)])


def test_rmsprop_two_steps() -> None:
    p, g = _params()
    p0 = [x.copy() for x in p]
    lr, rho, eps = 0.01, 0.9, 1e-8
    opt = RMSProp(lr, rho=rho, epsilon=eps)
    opt.step(p, g)
    c1 = [(1 - rho) * g[i] ** 2 for i in range(2)]
    p1 = [p0[i] - lr * g[i] / (np.sqrt(c1[i]) + eps) for i in range(2)]
    _assert_all_close(p, p1)
    g2 = [-3.0 * x for x in g]
    opt.step(p, g2)
    c2 = [rho * c1[i] + (1 - rho) * g2[i] ** 2 for i in range(2)]
    _assert_all_close(p, [p1[i] - lr * g2[i] / (np.sqrt(c2[i]) + eps) for i in range(2)])


def test_adam_two_steps_bias_corrected() -> None:
    p, g = _params()
    p0 = [x.copy() for x in p]
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-3  # unusual values so that each term is visible
    opt = Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps)
    g2 = [0.5 * x + 0.1 for x in g]
    m = [np.zeros_like(x) for x in p]
    v = [np.zeros_like(x) for x in p]
    want = [x.copy() for x in p0]
    for t, grads in enumerate((g, g2), start=1):
        opt.step(p, grads)
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * grads[i]
            v[i] = b2 * v[i] + (1 - b2) * grads[i] ** 2
            m_hat = m[i] / (1 - b1**t)
            v_hat = v[i] / (1 - b2**t)
            want[i] = want[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        _assert_all_close(p, want)
    assert opt.t == 2


def test_adam_first_step_moves_each_parameter_by_about_lr() -> None:
    # The bias correction makes the first step lr * sign(g) whatever the gradient's scale.
    p = [np.zeros(4)]
    g = [np.array([1e-3, -5.0, 200.0, -0.2])]
    Adam(0.01, epsilon=1e-12).step(p, g)
    np.testing.assert_allclose(p[0], -0.01 * np.sign(g[0]), rtol=1e-6)


# --- behaviour shared by all optimizers ------------------------------------------------------


ALL_NAMES = sorted(OPTIMIZERS)


def _quadratic_grad(x: np.ndarray, a: np.ndarray, c: np.ndarray) -> np.ndarray:
    # f(x) = 0.5 * sum(a * (x - c) ** 2)
    return a * (x - c)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_steps_decrease_a_quadratic(name: str) -> None:
    a = np.array([1.0, 4.0, 0.5], dtype=np.float32)
    c = np.array([2.0, -1.0, 0.5], dtype=np.float32)
    x = np.zeros(3, dtype=np.float32)
    lr = {"sgd": 0.1, "momentum": 0.05, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1}[name]
    opt = make_optimizer(name, learning_rate=lr)

    def f(x: np.ndarray) -> float:
        return float(0.5 * np.sum(a * (x - c) ** 2))

    start = f(x)
    losses = []
    for _ in range(200):
        opt.step([x], [_quadratic_grad(x, a, c)])
        losses.append(f(x))
    assert x.dtype == np.float32  # state and update keep the parameters' dtype
    assert losses[0] < start
    assert losses[-1] < 0.05 * start
    assert losses[-1] < losses[10]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_step_is_in_place_and_does_not_touch_grads(name: str) -> None:
    p, g = _params()
    g_before = [x.copy() for x in g]
    ids = [id(x) for x in p]
    before = [x.copy() for x in p]
    make_optimizer(name).step(p, g)
    assert [id(x) for x in p] == ids
    assert any(not np.array_equal(a, b) for a, b in zip(p, before, strict=True))
    _assert_all_close(g, g_before)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_zero_gradient_leaves_params_unchanged(name: str) -> None:
    p = [np.array([1.0, -2.0])]
    make_optimizer(name).step(p, [np.zeros(2)])
    np.testing.assert_array_equal(p[0], [1.0, -2.0])


@pytest.mark.parametrize("name", ALL_NAMES)
def test_reset_forgets_state(name: str) -> None:
    p1, g = _params()
    p2 = [x.copy() for x in p1]
    opt = make_optimizer(name)
    opt.step(p1, g)
    opt.reset()
    opt.step(p2, g)
    # After reset, the first step from the same point is the same as a fresh optimizer's.
    p3, _ = _params()
    make_optimizer(name).step(p3, g)
    _assert_all_close(p2, p3)
    _assert_all_close(p1, p3)


@pytest.mark.parametrize(
    ("name", "per_param"),
    [("sgd", 0), ("momentum", 1), ("adagrad", 1), ("rmsprop", 1), ("adam", 2)],
)
def test_state_arrays_are_the_live_state(name: str, per_param: int) -> None:
    p, g = _params()
    opt = make_optimizer(name)
    assert opt.state_arrays() == []  # no state before the first step
    opt.step(p, g)
    state = opt.state_arrays()
    assert len(state) == per_param * len(p)
    assert [a.shape for a in state] == [x.shape for x in p] * per_param
    # Live, not copies: what the network writes into them (zeroed subnormals) is what the
    # next step uses.
    for array in state:
        array[...] = np.nan
    opt.step(p, g)
    assert all(np.isnan(x).all() for x in p) == (per_param > 0)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_shape_mismatches_are_rejected(name: str) -> None:
    opt = make_optimizer(name)
    with pytest.raises(ValueError, match="gradients"):
        opt.step([np.zeros(2)], [])
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(2)], [np.zeros(3)])
    opt.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="changed shape"):
        opt.step([np.zeros(3)], [np.ones(3)])


def test_registry_and_factory() -> None:
    assert set(OPTIMIZERS) == {"sgd", "momentum", "adagrad", "rmsprop", "adam"}
    for name, cls in OPTIMIZERS.items():
        opt = make_optimizer(name)
        assert type(opt) is cls
        assert isinstance(opt, Optimizer)
    opt = make_optimizer("Momentum", learning_rate=0.2, momentum=0.5, nesterov=True)
    assert isinstance(opt, Momentum)
    assert opt.get_hyperparameters() == {
        "learning_rate": 0.2,
        "momentum": 0.5,
        "nesterov": True,
    }
    assert "Momentum(learning_rate=0.2" in repr(opt)


def test_defaults() -> None:
    assert SGD().learning_rate == 0.01
    assert Momentum().momentum == 0.9 and Momentum().nesterov is False
    assert Adagrad().epsilon == 1e-8
    assert RMSProp().learning_rate == 0.001 and RMSProp().rho == 0.9
    adam = Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (
        0.001,
        0.9,
        0.999,
        1e-8,
    )


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"adagrad, adam, momentum, rmsprop, sgd"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer(3)  # type: ignore[arg-type]


def test_unknown_option_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer("sgd", momentum=0.9)


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("sgd", {"learning_rate": 0.0}),
        ("sgd", {"learning_rate": -1.0}),
        ("sgd", {"learning_rate": math.nan}),
        ("sgd", {"learning_rate": math.inf}),
        ("sgd", {"learning_rate": "0.1"}),
        ("sgd", {"learning_rate": True}),
        ("momentum", {"momentum": 1.0}),
        ("momentum", {"momentum": -0.1}),
        ("momentum", {"nesterov": "yes"}),
        ("adagrad", {"epsilon": 0.0}),
        ("rmsprop", {"rho": 1.0}),
        ("rmsprop", {"epsilon": -1e-8}),
        ("adam", {"beta_1": 1.0}),
        ("adam", {"beta_2": -0.5}),
        ("adam", {"beta_2": math.nan}),
        ("adam", {"epsilon": math.nan}),
    ],
)
def test_invalid_hyperparameters(name: str, hyper: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_optimizer(name, **hyper)  # type: ignore[arg-type]
