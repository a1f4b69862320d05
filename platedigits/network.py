"""A back-propagation neural network (multi-layer perceptron) classifier in NumPy.

The pieces are small on purpose, so that the whole algorithm can be read in one sitting:

* activation objects (:class:`Sigmoid`, :class:`Tanh`, :class:`ReLU`) with ``forward`` and
  ``derivative``;
* :class:`Dense`, a fully connected layer followed by an optional activation, with ``forward``
  and ``backward``;
* :class:`SoftmaxCrossEntropy`, the loss, whose gradient with respect to the logits is
  ``(p - y) / n``;
* :class:`BPNetwork`, a scikit-learn-like estimator (``fit`` / ``predict`` / ``predict_proba`` /
  ``score``) that trains a stack of :class:`Dense` layers with mini-batches, an optimizer from
  :mod:`platedigits.optimizers`, L2 weight decay and early stopping.

Speed matters because the CLI trains interactively: all parameters live in one flat float32
buffer (the layers' weights and biases are views into it) so that the optimizer and the L2
penalty each cost a handful of vectorised operations per mini-batch however many layers there
are, and the layers write gradients straight into a matching flat buffer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

import numpy as np

from platedigits.errors import TrainingError
from platedigits.optimizers import OPTIMIZERS, Optimizer, make_optimizer

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "BPNetwork",
    "Dense",
    "EpochInfo",
    "ReLU",
    "Sigmoid",
    "SoftmaxCrossEntropy",
    "Tanh",
    "loss_and_gradients",
]

SeedLike = int | np.random.Generator | None


# --------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------


class Activation:
    """An element-wise non-linearity ``a = f(z)``.

    ``forward`` may overwrite its input (the layer owns that buffer), and ``derivative`` is
    written in terms of the *output* ``a``, which is what the layer keeps for the backward pass.
    """

    name: ClassVar[str] = ""

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return ``f(z)``.

        Parameters
        ----------
        z : np.ndarray, shape (n, units), float
            Pre-activations. Overwritten with the result.

        Returns
        -------
        np.ndarray, shape (n, units), same dtype as ``z``
        """
        raise NotImplementedError

    def derivative(self, a: np.ndarray) -> np.ndarray:
        """Return ``f'(z)`` computed from ``a = f(z)``.

        Parameters
        ----------
        a : np.ndarray, shape (n, units), float
            Output of :meth:`forward`.

        Returns
        -------
        np.ndarray, shape (n, units)
            Same dtype as ``a`` (bool for :class:`ReLU`, used as a 0/1 factor).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """Logistic function ``1 / (1 + exp(-z))``; derivative ``a * (1 - a)``."""

    name = "sigmoid"

    def forward(self, z: np.ndarray) -> np.ndarray:
        # With e = exp(-|z|) <= 1 nothing overflows, and e / (1 + e) keeps full relative
        # precision for z << 0, where 1 - 1 / (1 + exp(-z)) would round to 0.
        e = np.exp(-np.abs(z))
        numerator = np.where(z >= 0, 1.0, e).astype(z.dtype, copy=False)
        np.divide(numerator, 1.0 + e, out=z)
        return z

    def derivative(self, a: np.ndarray) -> np.ndarray:
        return a * (1.0 - a)


class Tanh(Activation):
    """Hyperbolic tangent; derivative ``1 - a ** 2``."""

    name = "tanh"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z, out=z)

    def derivative(self, a: np.ndarray) -> np.ndarray:
        return 1.0 - a * a


class ReLU(Activation):
    """Rectified linear unit ``max(z, 0)``; derivative ``1`` where ``a > 0``, else ``0``."""

    name = "relu"

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0, out=z)

    def derivative(self, a: np.ndarray) -> np.ndarray:
        # A bool mask multiplies like 0/1 and saves a float array per layer and batch.
        return a > 0.0


ACTIVATIONS: dict[str, type[Activation]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}
"""Activation classes by the names :class:`BPNetwork` accepts."""


# --------------------------------------------------------------------------------------------
# Layer and loss
# --------------------------------------------------------------------------------------------


class Dense:
    """Fully connected layer ``a = activation(x @ W + b)``.

    The layer does not own its arrays: the weights, biases and their gradients are passed in
    (views into the network's flat buffers), and ``backward`` writes the gradients into them.

    Parameters
    ----------
    W : np.ndarray, shape (n_in, n_out), float
        Weights.
    b : np.ndarray, shape (n_out,), same dtype
        Biases.
    dW : np.ndarray, shape (n_in, n_out), same dtype, C-contiguous
        Filled with ``d loss / d W`` by :meth:`backward`.
    db : np.ndarray, shape (n_out,), same dtype
        Filled with ``d loss / d b`` by :meth:`backward`.
    activation : Activation or None
        ``None`` for the output layer, whose logits go to the loss.
    input_grad : bool, default True
        Whether :meth:`backward` returns the gradient with respect to the input; the first
        layer does not need it, and skipping it saves a matrix product per batch.
    """

    def __init__(
        self,
        W: np.ndarray,
        b: np.ndarray,
        dW: np.ndarray,
        db: np.ndarray,
        activation: Activation | None,
        *,
        input_grad: bool = True,
    ) -> None:
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.activation = activation
        self.input_grad = input_grad
        self._x: np.ndarray | None = None
        self._a: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the layer output and remember what :meth:`backward` needs.

        Parameters
        ----------
        x : np.ndarray, shape (n, n_in), same dtype as ``W``

        Returns
        -------
        np.ndarray, shape (n, n_out), same dtype as ``W``
            A new array (the caller may modify it).
        """
        z = x @ self.W
        z += self.b
        a = z if self.activation is None else self.activation.forward(z)
        self._x, self._a = x, a
        return a

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        """Back-propagate ``grad = d loss / d a`` through the layer.

        Parameters
        ----------
        grad : np.ndarray, shape (n, n_out), same dtype as ``W``
            Gradient of the loss with respect to this layer's output. Overwritten.

        Returns
        -------
        np.ndarray, shape (n, n_in), or None
            ``d loss / d x``, or ``None`` when the layer was built with ``input_grad=False``.
        """
        if self._x is None or self._a is None:
            raise RuntimeError("Dense.backward called before forward")
        if self.activation is not None:
            grad *= self.activation.derivative(self._a)
        np.matmul(self._x.T, grad, out=self.dW)
        np.add.reduce(grad, axis=0, out=self.db)
        return grad @ self.W.T if self.input_grad else None


class SoftmaxCrossEntropy:
    """Softmax of the logits followed by the mean cross-entropy against one-hot targets.

    ``forward`` returns ``mean_i(-log p[i, y_i])``; ``backward`` returns its gradient with
    respect to the logits, ``(p - y) / n``.
    """

    def __init__(self) -> None:
        self._p: np.ndarray | None = None
        self._y: np.ndarray | None = None

    @staticmethod
    def softmax(logits: np.ndarray) -> np.ndarray:
        """Row-wise softmax, in place.

        Parameters
        ----------
        logits : np.ndarray, shape (n, n_classes), float
            Overwritten with the probabilities.

        Returns
        -------
        np.ndarray, shape (n, n_classes), same dtype
            ``logits`` itself, rows summing to 1.
        """
        # Shifting by the row maximum keeps exp() from overflowing; softmax is shift-invariant.
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def forward(self, logits: np.ndarray, y: np.ndarray) -> float:
        """Return the mean cross-entropy.

        Parameters
        ----------
        logits : np.ndarray, shape (n, n_classes), float
            Output of the last layer. Overwritten with the probabilities.
        y : np.ndarray, shape (n, n_classes), same dtype
            One-hot targets.

        Returns
        -------
        float
        """
        # ufunc.reduce rather than np.max/np.sum/np.mean: their Python wrappers cost more than
        # the arithmetic on a 64 x 10 batch, and this runs once per batch.
        logits -= np.maximum.reduce(logits, axis=1, keepdims=True)
        true_logit = np.einsum("ij,ij->i", logits, y)
        np.exp(logits, out=logits)
        total = np.add.reduce(logits, axis=1)
        logits /= total[:, None]
        self._p, self._y = logits, y
        # log-sum-exp minus the true logit: exact even when p[i, y_i] underflows to 0.
        np.log(total, out=total)
        total -= true_logit
        return float(np.add.reduce(total)) / len(total)

    def backward(self) -> np.ndarray:
        """Return ``d loss / d logits = (p - y) / n``, shape (n, n_classes).

        The returned array reuses the probability buffer from :meth:`forward`.
        """
        if self._p is None or self._y is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before forward")
        grad = self._p
        grad -= self._y
        grad *= 1.0 / grad.shape[0]
        return grad


# --------------------------------------------------------------------------------------------
# The stack of layers with its flat parameter buffer
# --------------------------------------------------------------------------------------------


class _MLP:
    """Layers, loss and the flat parameter/gradient buffers they are views of.

    The buffer holds all weight matrices first and then all bias vectors, so the L2 penalty
    (weights only) is one contiguous slice.

    Attributes
    ----------
    params, grads : np.ndarray, shape (n_params,), dtype as given
        All parameters and their gradients; ``params[:n_weights]`` are the weights.
    coefs : list of np.ndarray, shapes (n_in_k, n_out_k)
        Views of the weight matrices in ``params``.
    intercepts : list of np.ndarray, shapes (n_out_k,)
        Views of the bias vectors in ``params``.
    layers : list of Dense
        One layer per weight matrix; only the last has no activation.
    """

    def __init__(self, layer_sizes: Sequence[int], activation: str, dtype: Any) -> None:
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activation = activation
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        n_weights = sum(i * o for i, o in pairs)
        n_total = n_weights + sum(o for _, o in pairs)
        self.params = np.zeros(n_total, dtype=dtype)
        self.grads = np.zeros(n_total, dtype=dtype)
        self.n_weights = n_weights
        self._scratch = np.empty(n_weights, dtype=dtype)
        self.coefs: list[np.ndarray] = []
        self.intercepts: list[np.ndarray] = []
        self.layers: list[Dense] = []
        w_at, b_at = 0, n_weights
        for k, (n_in, n_out) in enumerate(pairs):
            w = slice(w_at, w_at + n_in * n_out)
            b = slice(b_at, b_at + n_out)
            W, dW = self.params[w].reshape(n_in, n_out), self.grads[w].reshape(n_in, n_out)
            self.coefs.append(W)
            self.intercepts.append(self.params[b])
            last = k == len(pairs) - 1
            act = None if last else ACTIVATIONS[activation]()
            self.layers.append(Dense(W, self.params[b], dW, self.grads[b], act, input_grad=k > 0))
            w_at, b_at = w.stop, b.stop
        self.loss = SoftmaxCrossEntropy()

    def init_weights(self, rng: np.random.Generator) -> None:
        """He-normal weights before ReLU, Glorot-uniform otherwise; zero biases."""
        self.params[:] = 0.0
        for k, W in enumerate(self.coefs):
            n_in, n_out = W.shape
            hidden = k < len(self.coefs) - 1
            if hidden and self.activation == "relu":
                # He et al. 2015: keeps the activations' variance constant through ReLUs.
                W[:] = rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in)
            else:
                # Glorot & Bengio 2010, for tanh/sigmoid and for the softmax output layer.
                limit = math.sqrt(6.0 / (n_in + n_out))
                W[:] = rng.uniform(-limit, limit, size=(n_in, n_out))

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Logits, shape (n, n_classes), for inputs ``X`` of shape (n, n_features)."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def loss_and_grad(self, X: np.ndarray, Y: np.ndarray, l2: float) -> float:
        """Fill :attr:`grads` for one batch; return the batch's mean cross-entropy.

        The L2 term ``l2 * W`` is added to the weight gradients, but its value
        ``0.5 * l2 * sum(W ** 2)`` is left to :meth:`penalty` so that it is not recomputed for
        every batch.
        """
        loss = self.loss.forward(self.forward(X), Y)
        grad: np.ndarray | None = self.loss.backward()
        for layer in reversed(self.layers):
            assert grad is not None  # only the first layer returns None
            grad = layer.backward(grad)
        if l2 > 0.0:
            np.multiply(self.params[: self.n_weights], l2, out=self._scratch)
            self.grads[: self.n_weights] += self._scratch
        return loss

    def penalty(self, l2: float) -> float:
        """The L2 penalty ``0.5 * l2 * sum of squared weights`` (biases excluded)."""
        w = self.params[: self.n_weights]
        return 0.5 * l2 * float(np.dot(w, w)) if l2 > 0.0 else 0.0


def loss_and_gradients(
    coefs: Sequence[np.ndarray],
    intercepts: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    activation: str = "relu",
    l2: float = 0.0,
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Loss and analytic gradients of a network with the given parameters.

    Runs the same code as training, in the dtype of ``coefs[0]`` (use float64 for finite
    difference checks).

    Parameters
    ----------
    coefs : sequence of np.ndarray, shapes (n_in_k, n_out_k)
        Weight matrices, input layer first.
    intercepts : sequence of np.ndarray, shapes (n_out_k,)
        Bias vectors.
    X : np.ndarray, shape (n, n_features)
        Inputs.
    Y : np.ndarray, shape (n, n_classes)
        One-hot targets.
    activation : {"relu", "sigmoid", "tanh"}
        Activation of the hidden layers.
    l2 : float
        Weight-decay coefficient.

    Returns
    -------
    loss : float
        Mean cross-entropy plus ``0.5 * l2 * sum of squared weights``.
    dcoefs : list of np.ndarray
        ``d loss / d coefs[k]``, same shapes as ``coefs``.
    dintercepts : list of np.ndarray
        ``d loss / d intercepts[k]``, same shapes as ``intercepts``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    dtype = np.asarray(coefs[0]).dtype
    sizes = [np.shape(coefs[0])[0]] + [np.shape(W)[1] for W in coefs]
    mlp = _MLP(sizes, activation, dtype)
    for dst, src in zip(mlp.coefs + mlp.intercepts, [*coefs, *intercepts], strict=True):
        dst[...] = src
    data_loss = mlp.loss_and_grad(np.asarray(X, dtype), np.asarray(Y, dtype), l2)
    loss = data_loss + mlp.penalty(l2)
    dcoefs = [layer.dW.copy() for layer in mlp.layers]
    dintercepts = [layer.db.copy() for layer in mlp.layers]
    return loss, dcoefs, dintercepts


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


class EpochInfo(NamedTuple):
    """What :meth:`BPNetwork.fit` tells its ``callback`` after every epoch."""

    epoch: int
    """1-based number of the epoch just finished."""
    loss: float
    """Training loss of the epoch (mean cross-entropy + L2 penalty)."""
    val_accuracy: float | None
    """Accuracy on the held-out validation set, or None without one."""
    val_loss: float | None
    """Mean cross-entropy on the validation set, or None without one."""


_CONFIG_KEYS = (
    "hidden_layer_sizes",
    "activation",
    "optimizer",
    "learning_rate",
    "epochs",
    "batch_size",
    "l2",
    "validation_fraction",
    "patience",
    "tol",
    "seed",
    "optimizer_options",
)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _make_rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    # A fresh generator per fit, so that refitting with an int seed repeats the same run.
    return np.random.default_rng(None if seed is None else int(seed))


def _split(
    y: np.ndarray, n_classes: int, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation samples.

    Stratified when every class has at least two samples; otherwise a plain random draw from
    the samples that are not the only one of their class. Either way every class keeps at
    least one training sample and at least one sample is held out.
    """
    n = len(y)
    if fraction == 0.0:
        return np.arange(n), np.arange(0)
    counts = np.bincount(y, minlength=n_classes)
    members = [rng.permutation(np.flatnonzero(y == c)) for c in range(n_classes)]
    if counts.min() >= 2:
        # floor(x + 0.5) rather than round(): round() goes to even and would hold out 0 of 5.
        take = [min(int(cnt) - 1, math.floor(fraction * cnt + 0.5)) for cnt in counts]
        if sum(take) == 0:
            take[int(np.argmax(counts))] = 1
        val = np.concatenate([m[:k] for m, k in zip(members, take, strict=True)])
    else:
        # members[c][0] stays in training as the anchor of its class; the rest is the pool.
        pool = np.concatenate([m[1:] for m in members])
        if pool.size == 0:
            raise ValueError(
                "cannot hold out a validation set: every class has a single sample; "
                "use validation_fraction=0"
            )
        k = min(pool.size, max(1, math.floor(fraction * n + 0.5)))
        val = rng.choice(pool, size=k, replace=False)
    val = np.sort(val)
    train = np.setdiff1d(np.arange(n), val, assume_unique=True)
    return train, val


class BPNetwork:
    """Multi-layer perceptron classifier trained by back-propagation.

    Softmax output with one unit per class, mean cross-entropy loss plus an L2 penalty
    ``0.5 * l2 * sum(W ** 2)`` on the weights (not the biases), mini-batch training with any
    optimizer of :mod:`platedigits.optimizers`, and early stopping on a held-out, stratified
    validation set. Computation is in float32.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default (64,)
        Units of each hidden layer, each >= 1. An empty sequence gives softmax regression.
    activation : {"relu", "sigmoid", "tanh"}, default "relu"
        Activation of the hidden layers.
    optimizer : {"adam", "sgd", "momentum", "adagrad", "rmsprop"}, default "adam"
        Name of the optimizer.
    learning_rate : float, default 0.003
        Step size of the optimizer, > 0.
    epochs : int, default 200
        Maximum number of passes over the training data.
    batch_size : int, default 64
        Samples per mini-batch (capped at the number of training samples).
    l2 : float, default 1e-4
        Weight-decay coefficient, >= 0.
    validation_fraction : float, default 0.1
        Fraction of the data held out for early stopping, in [0, 1). With 0 there is no
        validation set and training stops when the training loss stalls.
    patience : int, default 10
        Epochs without improvement before training stops.
    tol : float, default 1e-4
        Smallest decrease of a loss that counts as an improvement.
    seed : int, numpy.random.Generator or None, default 0
        Source of randomness for the initial weights, the validation split and the shuffling.
        An int makes every fit on the same data bit-identical; None draws fresh entropy.
    **optimizer_options
        Further hyperparameters of the optimizer, e.g. ``momentum=0.95`` or ``beta_2=0.99``.

    Attributes
    ----------
    classes_ : np.ndarray of str, shape (n_classes,)
        Sorted class labels, as strings.
    n_features_in_ : int
        Number of input features.
    coefs_ : list of np.ndarray, float32
        Weight matrices, ``coefs_[k]`` of shape (n_in_k, n_out_k).
    intercepts_ : list of np.ndarray, float32
        Bias vectors, ``intercepts_[k]`` of shape (n_out_k,).
    loss_curve_ : list of float
        Training loss of each epoch of the last fit.
    validation_scores_ : list of float
        Validation accuracy of each epoch of the last fit; empty without validation.
    best_validation_score_ : float or None
        Validation accuracy of the weights kept at the end of the last fit.
    n_iter_ : int
        Epochs run by the last fit.

    Notes
    -----
    With early stopping, the weights kept are those of the epoch with the best validation
    accuracy, ties going to the lower validation loss. ``loss_curve_``, ``validation_scores_``
    and ``n_iter_`` describe the last call to :meth:`fit` only, also with ``warm_start``.
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (64,),
        *,
        activation: str = "relu",
        optimizer: str = "adam",
        learning_rate: float = 3e-3,
        epochs: int = 200,
        batch_size: int = 64,
        l2: float = 1e-4,
        validation_fraction: float = 0.1,
        patience: int = 10,
        tol: float = 1e-4,
        seed: SeedLike = 0,
        **optimizer_options: Any,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.l2 = l2
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.seed = seed
        self.optimizer_options = dict(optimizer_options)
        self._validate_params()

    # ---- parameters ---------------------------------------------------------------------

    def _validate_params(self) -> Optimizer:
        """Check the hyperparameters; return a fresh optimizer built from them."""
        sizes: Any = self.hidden_layer_sizes
        if _is_int(sizes):
            sizes = (int(sizes),)
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of ints, got {self.hidden_layer_sizes!r}"
            )
        if not all(_is_int(s) and s >= 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be ints >= 1, got {self.hidden_layer_sizes!r}"
            )
        self.hidden_layer_sizes = tuple(int(s) for s in sizes)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; "
                f"valid names are: {', '.join(sorted(ACTIVATIONS))}"
            )
        for name, low in (("epochs", 1), ("batch_size", 1), ("patience", 1)):
            value = getattr(self, name)
            if not (_is_int(value) and value >= low):
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
        for name in ("l2", "tol"):
            value = getattr(self, name)
            if not (_is_real(value) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        vf = self.validation_fraction
        if not (_is_real(vf) and 0.0 <= vf < 1.0):
            raise ValueError(f"validation_fraction must be in [0, 1), got {vf!r}")
        seed: Any = self.seed
        if not (
            seed is None or isinstance(seed, np.random.Generator) or (_is_int(seed) and seed >= 0)
        ):
            raise ValueError(
                f"seed must be an int >= 0, a numpy.random.Generator or None, got {seed!r}"
            )
        if not isinstance(self.optimizer_options, Mapping):
            raise ValueError("optimizer_options must be a dict")
        if "learning_rate" in self.optimizer_options:
            raise ValueError("give the learning rate as learning_rate, not in optimizer_options")
        if not isinstance(self.optimizer, str) or self.optimizer.lower() not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; "
                f"valid names are: {', '.join(sorted(OPTIMIZERS))}"
            )
        return make_optimizer(
            self.optimizer, learning_rate=self.learning_rate, **self.optimizer_options
        )

    def get_config(self) -> dict[str, Any]:
        """The hyperparameters as a JSON-serialisable dict.

        A ``numpy.random.Generator`` seed cannot be stored and is reported as ``None``.

        Returns
        -------
        dict
            Keys ``hidden_layer_sizes`` (list of int), ``activation``, ``optimizer``,
            ``learning_rate``, ``epochs``, ``batch_size``, ``l2``, ``validation_fraction``,
            ``patience``, ``tol``, ``seed`` (int or None) and ``optimizer_options`` (dict).
        """
        self._validate_params()
        seed = self.seed
        return {
            "hidden_layer_sizes": [int(s) for s in self.hidden_layer_sizes],
            "activation": str(self.activation),
            "optimizer": str(self.optimizer).lower(),
            "learning_rate": float(self.learning_rate),
            "epochs": int(self.epochs),
            "batch_size": int(self.batch_size),
            "l2": float(self.l2),
            "validation_fraction": float(self.validation_fraction),
            "patience": int(self.patience),
            "tol": float(self.tol),
            "seed": int(seed) if _is_int(seed) else None,  # type: ignore[arg-type]
            "optimizer_options": {
                k: (v.item() if isinstance(v, np.generic) else v)
                for k, v in self.optimizer_options.items()
            },
        }

    def __repr__(self) -> str:
        # Raw attribute values: repr must work even when a hyperparameter is invalid.
        parts = [f"{k}={getattr(self, k, None)!r}" for k in _CONFIG_KEYS[:-1]]
        options = getattr(self, "optimizer_options", None)
        if isinstance(options, Mapping):
            parts += [f"{k}={v!r}" for k, v in options.items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    # ---- fitted state -------------------------------------------------------------------

    def _is_fitted(self) -> bool:
        return getattr(self, "_mlp", None) is not None

    def _check_fitted(self) -> _MLP:
        mlp: _MLP | None = getattr(self, "_mlp", None)
        if mlp is None:
            raise ValueError(
                "this BPNetwork is not fitted yet; call fit() or build it with from_parts()"
            )
        return mlp

    def _set_mlp(self, mlp: _MLP, classes: np.ndarray) -> None:
        self._mlp = mlp
        self.classes_ = classes
        self.n_features_in_ = mlp.layer_sizes[0]
        self.coefs_ = mlp.coefs
        self.intercepts_ = mlp.intercepts

    _FITTED_ATTRS: ClassVar[tuple[str, ...]] = (
        "_mlp",
        "classes_",
        "n_features_in_",
        "coefs_",
        "intercepts_",
        "loss_curve_",
        "validation_scores_",
        "best_validation_score_",
        "n_iter_",
    )

    # ---- training -----------------------------------------------------------------------

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        callback: Callable[[EpochInfo], object] | None = None,
        warm_start: bool = False,
    ) -> BPNetwork:
        """Train the network.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Finite feature values; converted to float32.
        y : array-like, shape (n_samples,)
            Class labels of any type; they are compared as strings.
        callback : callable, optional
            Called as ``callback(EpochInfo(...))`` after every epoch.
        warm_start : bool, default False
            Continue from the current weights instead of initialising new ones (fine-tuning).
            The data must have the same set of classes and the same number of features.
            Ignored when the network has not been fitted. The optimizer starts afresh.

        Returns
        -------
        BPNetwork
            ``self``.

        Raises
        ------
        ValueError
            For invalid hyperparameters or data, or data that does not match the fitted
            network under ``warm_start``.
        TrainingError
            When the loss becomes NaN or infinite (the learning rate is too high).

        Notes
        -----
        Whatever stops a fit (a TrainingError, an exception or KeyboardInterrupt raised by the
        callback) leaves the network as it was before the call, so a failed fine-tune does not
        lose the model.
        """
        optimizer = self._validate_params()
        X, labels = _check_X_y(X, y)
        classes, y_idx = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"need at least 2 classes to train a classifier, got {len(classes)}: "
                f"{[str(c) for c in classes]}"
            )
        rng = _make_rng(self.seed)
        sizes = (X.shape[1], *self.hidden_layer_sizes, len(classes))

        if warm_start and self._is_fitted():
            mlp = self._check_fitted()
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"warm_start: X has {X.shape[1]} features but the network was fitted "
                    f"with {self.n_features_in_}"
                )
            if not np.array_equal(classes, self.classes_):
                missing = sorted(set(self.classes_) - set(classes))
                extra = sorted(set(classes) - set(self.classes_))
                raise ValueError(
                    "warm_start: the classes in y differ from the fitted classes_ "
                    f"(missing: {missing}, new: {extra}); fit a new network instead"
                )
            if mlp.layer_sizes != sizes:
                raise ValueError(
                    f"warm_start: hidden_layer_sizes={self.hidden_layer_sizes} does not match "
                    f"the fitted layers {mlp.layer_sizes[1:-1]}"
                )
            # A copy, so that a failed fit leaves the fitted weights untouched; built anew so
            # that a changed activation takes effect.
            previous = mlp
            mlp = _MLP(sizes, self.activation, np.float32)
            mlp.params[:] = previous.params
        else:
            mlp = _MLP(sizes, self.activation, np.float32)
            mlp.init_weights(rng)

        saved = {name: self.__dict__[name] for name in self._FITTED_ATTRS if name in self.__dict__}
        try:
            self._set_mlp(mlp, classes)
            self._train(mlp, X, y_idx, len(classes), optimizer, rng, callback)
        except BaseException:
            # Leave the network exactly as it was: a failed fine-tune must not lose the model.
            for name in self._FITTED_ATTRS:
                self.__dict__.pop(name, None)
            self.__dict__.update(saved)
            raise
        return self

    def _train(
        self,
        mlp: _MLP,
        X: np.ndarray,
        y_idx: np.ndarray,
        n_classes: int,
        optimizer: Optimizer,
        rng: np.random.Generator,
        callback: Callable[[EpochInfo], object] | None,
    ) -> None:
        train_idx, val_idx = _split(y_idx, n_classes, float(self.validation_fraction), rng)
        Y = np.zeros((len(y_idx), n_classes), dtype=np.float32)
        Y[np.arange(len(y_idx)), y_idx] = 1.0
        X_train, Y_train = X[train_idx], Y[train_idx]
        X_val, Y_val, y_val = X[val_idx], Y[val_idx], y_idx[val_idx]
        has_val = len(val_idx) > 0

        n_train = len(train_idx)
        batch = min(int(self.batch_size), n_train)
        l2, tol, patience = float(self.l2), float(self.tol), int(self.patience)
        params, grads = [mlp.params], [mlp.grads]

        self.loss_curve_: list[float] = []
        self.validation_scores_: list[float] = []
        self.best_validation_score_: float | None = None
        self.n_iter_ = 0

        best_params = mlp.params.copy()
        best_correct, best_val_loss = -1, math.inf  # the epoch whose weights we keep
        ref_correct, ref_val_loss = -1, math.inf  # the last epoch that counted as progress
        best_train_loss = math.inf
        stale = 0

        # Overflow in a diverging run is reported as a TrainingError, not as RuntimeWarnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, int(self.epochs) + 1):
                order = rng.permutation(n_train)
                Xs, Ys = X_train[order], Y_train[order]
                total = 0.0
                for start in range(0, n_train, batch):
                    xb, yb = Xs[start : start + batch], Ys[start : start + batch]
                    total += mlp.loss_and_grad(xb, yb, l2) * len(xb)
                    optimizer.step(params, grads)
                # Weight decay drives the weights of never-used inputs and units, and their
                # moment estimates, towards zero until they turn subnormal; arithmetic on those
                # is many times slower (a rejector's epochs ran 6x slower by its end).
                for array in (*params, *optimizer.state_arrays()):
                    flush_subnormals(array)
                loss = total / n_train + mlp.penalty(l2)
                if not math.isfinite(loss):
                    what = "NaN" if math.isnan(loss) else "infinite"
                    raise TrainingError(
                        f"training diverged: the loss became {what} at epoch {epoch}; "
                        f"try a lower --lr (learning_rate={self.learning_rate:g})"
                    )
                self.loss_curve_.append(loss)
                self.n_iter_ = epoch

                val_acc = val_loss = None
                if has_val:
                    logits = mlp.forward(X_val)
                    correct = int(np.count_nonzero(logits.argmax(axis=1) == y_val))
                    val_loss = mlp.loss.forward(logits, Y_val)
                    val_acc = correct / len(y_val)
                    self.validation_scores_.append(val_acc)
                if callback is not None:
                    callback(EpochInfo(epoch, loss, val_acc, val_loss))

                if has_val:
                    assert val_loss is not None
                    if correct > best_correct or (
                        correct == best_correct and val_loss < best_val_loss
                    ):
                        best_correct, best_val_loss = correct, val_loss
                        best_params[:] = mlp.params
                    # Only a clear gain resets the patience; tiny loss wobbles at equal accuracy
                    # would otherwise keep a converged run going for ever.
                    if correct > ref_correct or (
                        correct == ref_correct and val_loss < ref_val_loss - tol
                    ):
                        ref_correct, ref_val_loss = correct, val_loss
                        stale = 0
                    else:
                        stale += 1
                else:
                    if loss > best_train_loss - tol:
                        stale += 1
                    else:
                        stale = 0
                    best_train_loss = min(best_train_loss, loss)
                if stale >= patience:
                    break

        if has_val:
            mlp.params[:] = best_params
            self.best_validation_score_ = best_correct / len(val_idx)

    # ---- prediction ---------------------------------------------------------------------

    def _check_X(self, X: Any) -> np.ndarray:
        mlp = self._check_fitted()
        X = _as_matrix(X)
        if X.shape[1] != mlp.layer_sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} features but the network expects {mlp.layer_sizes[0]}"
            )
        return X

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits (inputs of the softmax).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        np.ndarray, shape (n_samples, n_classes), float32
        """
        X = self._check_X(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._check_fitted().forward(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        np.ndarray, shape (n_samples, n_classes), float32
            Rows sum to 1.
        """
        return SoftmaxCrossEntropy.softmax(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)

        Returns
        -------
        np.ndarray of str, shape (n_samples,)
            Labels taken from ``classes_``.
        """
        best = self.decision_function(X).argmax(axis=1)  # checks fitted before classes_ is read
        return self.classes_[best]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of samples whose predicted label equals ``str(y)``.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples,)

        Returns
        -------
        float
        """
        X, labels = _check_X_y(X, y)
        return float(np.mean(self.predict(X) == labels))

    # ---- persistence --------------------------------------------------------------------

    def get_arrays(self) -> dict[str, np.ndarray]:
        """Copies of the parameters, for saving without pickle.

        Returns
        -------
        dict of str to np.ndarray, float32
            ``"W0"``, ``"b0"``, ``"W1"``, ``"b1"``, ...: ``W{k}`` of shape (n_in_k, n_out_k)
            and ``b{k}`` of shape (n_out_k,), input layer first.
        """
        mlp = self._check_fitted()
        arrays: dict[str, np.ndarray] = {}
        for k, (W, b) in enumerate(zip(mlp.coefs, mlp.intercepts, strict=True)):
            arrays[f"W{k}"] = W.copy()
            arrays[f"b{k}"] = b.copy()
        return arrays

    @classmethod
    def from_parts(
        cls,
        config: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
        classes: Sequence[str],
    ) -> BPNetwork:
        """Rebuild a fitted network from :meth:`get_config`, :meth:`get_arrays` and classes.

        Parameters
        ----------
        config : mapping
            As returned by :meth:`get_config`; missing keys take their defaults, unknown keys
            are an error.
        arrays : mapping of str to np.ndarray
            Exactly ``W0``, ``b0``, ... ``W{L}``, ``b{L}`` for ``L = len(hidden_layer_sizes)``,
            with ``W{k}`` of shape (n_in_k, n_out_k) and ``b{k}`` of shape (n_out_k,), real and
            finite; stored as float32.
        classes : sequence of str, shape (n_classes,)
            Unique, sorted labels, one per output unit.

        Returns
        -------
        BPNetwork
            A fitted network (empty ``loss_curve_``, ``n_iter_ == 0``).

        Raises
        ------
        ValueError
            When the config is invalid or the arrays and classes do not fit it or each other.
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"config must be a dict, got {type(config).__name__}")
        unknown = sorted(set(config) - set(_CONFIG_KEYS))
        if unknown:
            raise ValueError(f"unknown network config keys: {unknown}")
        net = cls(**{k: v for k, v in config.items() if k != "optimizer_options"})
        net.optimizer_options = dict(config.get("optimizer_options") or {})
        net._validate_params()

        if isinstance(classes, (str, bytes)) or not isinstance(classes, Sequence | np.ndarray):
            raise ValueError("classes must be a sequence of labels")
        class_arr = np.array([str(c) for c in classes])
        if len(class_arr) < 2:
            raise ValueError(f"need at least 2 classes, got {len(class_arr)}")
        # Strictly increasing means sorted and unique (and, unlike np.unique, costs no import
        # of numpy.ma at start-up).
        if not np.all(class_arr[:-1] < class_arr[1:]):
            raise ValueError(f"classes must be unique and sorted, got {class_arr.tolist()}")

        n_layers = len(net.hidden_layer_sizes) + 1
        expected = {f"{p}{k}" for k in range(n_layers) for p in "Wb"}
        got = set(arrays)
        if got != expected:
            missing, extra = sorted(expected - got), sorted(got - expected)
            raise ValueError(
                f"network arrays do not match hidden_layer_sizes={net.hidden_layer_sizes}: "
                f"missing {missing}, unexpected {extra}"
            )
        coefs, intercepts = [], []
        for k in range(n_layers):
            W, b = np.asarray(arrays[f"W{k}"]), np.asarray(arrays[f"b{k}"])
            for name, arr, ndim in ((f"W{k}", W, 2), (f"b{k}", b, 1)):
                if arr.ndim != ndim:
                    raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
                if arr.dtype.kind not in "fiu":
                    raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
                if not np.all(np.isfinite(arr)):
                    raise ValueError(f"{name} holds NaN or infinite values")
            coefs.append(W)
            intercepts.append(b)
        n_features = coefs[0].shape[0]
        sizes = (n_features, *net.hidden_layer_sizes, len(class_arr))
        if n_features < 1:
            raise ValueError("W0 has no rows: the network would take 0 features")
        for k in range(n_layers):
            want = (sizes[k], sizes[k + 1])
            if coefs[k].shape != want:
                raise ValueError(
                    f"W{k} has shape {coefs[k].shape}, expected {want} for layer sizes {sizes} "
                    f"({n_features} features, hidden {net.hidden_layer_sizes}, "
                    f"{len(class_arr)} classes)"
                )
            if intercepts[k].shape != (sizes[k + 1],):
                raise ValueError(
                    f"b{k} has shape {intercepts[k].shape}, expected ({sizes[k + 1]},)"
                )

        mlp = _MLP(sizes, net.activation, np.float32)
        for dst, src in zip(mlp.coefs + mlp.intercepts, coefs + intercepts, strict=True):
            dst[...] = src
            flush_subnormals(dst)
        net._set_mlp(mlp, class_arr)
        net.loss_curve_ = []
        net.validation_scores_ = []
        net.best_validation_score_ = None
        net.n_iter_ = 0
        return net


def flush_subnormals(array: np.ndarray) -> np.ndarray:
    """Set the subnormal (denormal) values of a float array to zero, in place.

    Weight decay keeps shrinking the weights of inputs that are always zero and of units that
    never fire, until they fall below the smallest normal float (about 1.2e-38 for float32).
    Arithmetic on subnormals runs on the CPU's slow path: a model file with a third of its
    weights subnormal made each small matrix product about a hundred times slower. A subnormal
    weight adds less than 1e-38 to a sum, far below float32's precision for any sum that
    matters, so zero reads the same.

    Parameters
    ----------
    array : numpy.ndarray
        Any shape, floating dtype; modified in place.

    Returns
    -------
    numpy.ndarray
        ``array`` itself.

    Examples
    --------
    >>> a = np.array([1.0, 1e-40, -1e-41, 0.0], np.float32)
    >>> flush_subnormals(a).tolist()
    [1.0, 0.0, 0.0, 0.0]
    """
    array[np.abs(array) < np.finfo(array.dtype).tiny] = 0
    return array


def _as_matrix(X: Any) -> np.ndarray:
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X must be a 2-D array of numbers ({exc})") from None
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"X must have at least one sample and one feature, got {arr.shape}")
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"X must hold numbers, got dtype {arr.dtype}")
    # C order, because batches are row slices and matmul likes contiguous operands.
    out = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.all(np.isfinite(out)):
        raise ValueError("X holds NaN or infinite values (or values too large for float32)")
    return out


def _check_X_y(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = _as_matrix(X)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,), got shape {labels.shape}")
    if len(labels) != len(X):
        raise ValueError(f"X has {len(X)} samples but y has {len(labels)} labels")
    return X, labels.astype(str)
