"""Gradient-descent optimizers that update NumPy parameter arrays in place.

Every optimizer has one method, :meth:`Optimizer.step`, which takes the parameter arrays and
their gradients (same shapes, same order every call) and moves the parameters. State such as
velocities or moment estimates is created lazily on the first step, with the shapes and dtypes of
the parameters, so an optimizer can be built before the network it trains.

All updates are written with in-place ufuncs and one scratch buffer per parameter: the network
calls :meth:`~Optimizer.step` thousands of times per fit on small arrays, where allocating
temporaries costs as much as the arithmetic.

The formulas follow the usual references (the same ones scikit-learn's
``_stochastic_optimizers.py`` uses); each class docstring writes its update out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "make_optimizer",
]


def _as_float(name: str, value: object) -> float:
    # bool is an int subclass, but True as a learning rate is always a mistake.
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _check_learning_rate(learning_rate: float) -> float:
    lr = _as_float("learning_rate", learning_rate)
    if not (math.isfinite(lr) and lr > 0.0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    return lr


def _check_unit_interval(name: str, value: float) -> float:
    # Decay rates of 1 would never forget (and Adam's bias correction would divide by zero).
    v = _as_float(name, value)
    if not (0.0 <= v < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return v


def _check_epsilon(epsilon: float) -> float:
    eps = _as_float("epsilon", epsilon)
    if not (math.isfinite(eps) and eps > 0.0):
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    return eps


class Optimizer:
    """Base class: hyperparameters in ``__init__``, the update in :meth:`step`.

    Parameters
    ----------
    learning_rate : float
        Step size, > 0.
    """

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = _check_learning_rate(learning_rate)
        self._shapes: list[tuple[tuple[int, ...], np.dtype]] | None = None

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : sequence of np.ndarray
            Parameter arrays of any shape and floating dtype; modified in place. The same arrays
            (same shapes and dtypes, same order) must be passed on every call.
        grads : sequence of np.ndarray
            Gradients of the loss, ``grads[i].shape == params[i].shape``. Not modified.

        Raises
        ------
        ValueError
            If the lists differ in length or shape, or do not match the state of earlier steps.
        """
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} parameter arrays but {len(grads)} gradients")
        layout = [(p.shape, p.dtype) for p in params]
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if p.shape != g.shape:
                raise ValueError(f"params[{i}] has shape {p.shape} but grads[{i}] has {g.shape}")
        if self._shapes is None:
            self._shapes = layout
            self._init_state(params)
        elif layout != self._shapes:
            raise ValueError(
                "the parameters changed shape or dtype since the first step; "
                "use a new optimizer (or call reset()) for a different model"
            )
        self._update(params, grads)

    def reset(self) -> None:
        """Forget all state, as if no step had been taken."""
        self._shapes = None
        self._init_state([])

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        """Create per-parameter state shaped like ``params`` (empty list: drop the state)."""

    def state_arrays(self) -> list[np.ndarray]:
        """The arrays the optimizer carries from step to step (velocities, moment estimates).

        Returns
        -------
        list of np.ndarray
            The live arrays, not copies: empty for plain SGD and before the first step. The
            network sets their subnormal values to zero once per epoch (see
            :func:`platedigits.network.flush_subnormals`).
        """
        return []

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.get_hyperparameters().items())
        return f"{type(self).__name__}({hyper})"

    def get_hyperparameters(self) -> dict[str, float | bool]:
        """Return the constructor arguments, e.g. ``{"learning_rate": 0.01}``."""
        return {"learning_rate": self.learning_rate}


class SGD(Optimizer):
    """Plain stochastic gradient descent: ``p -= learning_rate * g``.

    Parameters
    ----------
    learning_rate : float, default 0.01
        Step size, > 0.
    """

    def __init__(self, learning_rate: float = 0.01) -> None:
        super().__init__(learning_rate)
        self._scratch: list[np.ndarray] = []

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        self._scratch = [np.empty_like(p) for p in params]

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        for p, g, tmp in zip(params, grads, self._scratch, strict=True):
            np.multiply(g, self.learning_rate, out=tmp)
            p -= tmp


class Momentum(SGD):
    """SGD with (optionally Nesterov) momentum.

    Update, with velocity ``v`` starting at zero::

        v = momentum * v - learning_rate * g
        p += v                                       # classical
        p += momentum * v - learning_rate * g        # nesterov=True (v already updated)

    Parameters
    ----------
    learning_rate : float, default 0.01
        Step size, > 0.
    momentum : float, default 0.9
        Fraction of the previous velocity kept, in [0, 1).
    nesterov : bool, default False
        Use Nesterov's look-ahead form of the update.
    """

    def __init__(
        self, learning_rate: float = 0.01, *, momentum: float = 0.9, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = _check_unit_interval("momentum", momentum)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        self.velocities: list[np.ndarray] = []

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        super()._init_state(params)
        self.velocities = [np.zeros_like(p) for p in params]

    def state_arrays(self) -> list[np.ndarray]:
        return list(self.velocities)

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        mu, lr = self.momentum, self.learning_rate
        for p, g, v, tmp in zip(params, grads, self.velocities, self._scratch, strict=True):
            np.multiply(g, lr, out=tmp)  # tmp = lr * g
            v *= mu
            v -= tmp
            if self.nesterov:
                p -= tmp
                np.multiply(v, mu, out=tmp)
                p += tmp
            else:
                p += v

    def get_hyperparameters(self) -> dict[str, float | bool]:
        return {
            "learning_rate": self.learning_rate,
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class Adagrad(SGD):
    """Adagrad: per-parameter steps shrinking with the sum of squared gradients.

    Update, with ``cache`` starting at zero::

        cache += g ** 2
        p -= learning_rate * g / (sqrt(cache) + epsilon)

    Parameters
    ----------
    learning_rate : float, default 0.01
        Step size, > 0.
    epsilon : float, default 1e-8
        Added to the denominator so that parameters with zero gradient history do not divide
        by zero.
    """

    def __init__(self, learning_rate: float = 0.01, *, epsilon: float = 1e-8) -> None:
        super().__init__(learning_rate)
        self.epsilon = _check_epsilon(epsilon)
        self.caches: list[np.ndarray] = []

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        super()._init_state(params)
        self.caches = [np.zeros_like(p) for p in params]

    def state_arrays(self) -> list[np.ndarray]:
        return list(self.caches)

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        for p, g, c, tmp in zip(params, grads, self.caches, self._scratch, strict=True):
            np.multiply(g, g, out=tmp)
            c += tmp
            np.sqrt(c, out=tmp)
            tmp += self.epsilon
            np.divide(g, tmp, out=tmp)
            tmp *= self.learning_rate
            p -= tmp

    def get_hyperparameters(self) -> dict[str, float | bool]:
        return {"learning_rate": self.learning_rate, "epsilon": self.epsilon}


class RMSProp(SGD):
    """RMSProp: Adagrad with an exponentially decaying average instead of a sum.

    Update, with ``cache`` starting at zero::

        cache = rho * cache + (1 - rho) * g ** 2
        p -= learning_rate * g / (sqrt(cache) + epsilon)

    Parameters
    ----------
    learning_rate : float, default 0.001
        Step size, > 0.
    rho : float, default 0.9
        Decay of the squared-gradient average, in [0, 1).
    epsilon : float, default 1e-8
        Added to the denominator to avoid division by zero.
    """

    def __init__(
        self, learning_rate: float = 0.001, *, rho: float = 0.9, epsilon: float = 1e-8
    ) -> None:
        super().__init__(learning_rate)
        self.rho = _check_unit_interval("rho", rho)
        self.epsilon = _check_epsilon(epsilon)
        self.caches: list[np.ndarray] = []

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        super()._init_state(params)
        self.caches = [np.zeros_like(p) for p in params]

    def state_arrays(self) -> list[np.ndarray]:
        return list(self.caches)

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        for p, g, c, tmp in zip(params, grads, self.caches, self._scratch, strict=True):
            # cache += (1 - rho) * (g**2 - cache) is the same average without a second buffer.
            np.multiply(g, g, out=tmp)
            tmp -= c
            tmp *= 1.0 - self.rho
            c += tmp
            np.sqrt(c, out=tmp)
            tmp += self.epsilon
            np.divide(g, tmp, out=tmp)
            tmp *= self.learning_rate
            p -= tmp

    def get_hyperparameters(self) -> dict[str, float | bool]:
        return {"learning_rate": self.learning_rate, "rho": self.rho, "epsilon": self.epsilon}


class Adam(SGD):
    """Adam (Kingma & Ba, 2015), with bias-corrected moment estimates.

    Update at step ``t = 1, 2, ...``, with ``m`` and ``v`` starting at zero::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g ** 2
        m_hat = m / (1 - beta_1 ** t)
        v_hat = v / (1 - beta_2 ** t)
        p -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Parameters
    ----------
    learning_rate : float, default 0.001
        Step size, > 0.
    beta_1, beta_2 : float, default 0.9, 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float, default 1e-8
        Added to ``sqrt(v_hat)`` to avoid division by zero.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        *,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = _check_unit_interval("beta_1", beta_1)
        self.beta_2 = _check_unit_interval("beta_2", beta_2)
        self.epsilon = _check_epsilon(epsilon)
        self.t = 0
        self.ms: list[np.ndarray] = []
        self.vs: list[np.ndarray] = []

    def _init_state(self, params: Sequence[np.ndarray]) -> None:
        super()._init_state(params)
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def state_arrays(self) -> list[np.ndarray]:
        return [*self.ms, *self.vs]

    def _update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        step = self.learning_rate / (1.0 - b1**self.t)
        v_scale = 1.0 / (1.0 - b2**self.t)
        for p, g, m, v, tmp in zip(params, grads, self.ms, self.vs, self._scratch, strict=True):
            # Moving averages as x += (1 - beta) * (target - x): no second scratch buffer.
            np.subtract(g, m, out=tmp)
            tmp *= 1.0 - b1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1.0 - b2
            v += tmp
            np.multiply(v, v_scale, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += self.epsilon
            np.divide(m, tmp, out=tmp)
            tmp *= step
            p -= tmp

    def get_hyperparameters(self) -> dict[str, float | bool]:
        return {
            "learning_rate": self.learning_rate,
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "adagrad": Adagrad,
    "rmsprop": RMSProp,
    "adam": Adam,
}
"""Optimizer classes by the names the network and the CLI accept."""


def make_optimizer(name: str, **hyper: float | bool) -> Optimizer:
    """Build an optimizer by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`OPTIMIZERS` (case-insensitive).
    **hyper
        Hyperparameters of that optimizer, e.g. ``learning_rate=0.01, momentum=0.95``.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        For an unknown name, an option the optimizer does not take, or an invalid value.
    """
    key = name.lower() if isinstance(name, str) else None
    if key not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}; valid names are: {', '.join(sorted(OPTIMIZERS))}"
        )
    cls = OPTIMIZERS[key]
    try:
        return cls(**hyper)
    except TypeError as exc:
        # A misspelt option is a usage error, not a programming error, for CLI callers.
        raise ValueError(f"invalid option for optimizer {key!r}: {exc}") from None
