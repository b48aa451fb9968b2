"""Seeded inputs and weights chosen so that a wrong answer cannot pass by coincidence.

Every weight value is distinct (no two units or gates coincide), biases are bounded away from zero, and
scales keep the gates away from saturation, where different computations would agree.
"""

import zlib

import numpy as np


def seed_for(*parts) -> int:
    """A stable seed for a configuration (Python's own hash() changes between processes)."""
    return zlib.crc32(repr(parts).encode())


def inputs(shape: tuple[int, ...], seed: int, dtype="float32") -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.0, size=shape).astype(dtype)


def distinct_weights(named_shapes: list[tuple[str, tuple[int, ...]]], seed: int, dtype="float32") -> list[np.ndarray]:
    """Values for a layer's weights, given as (name, shape) in `weights` order: kernels scaled by fan-in,
    biases of magnitude 0.1 to 0.5 with either sign. Where rounding to `dtype` makes two values equal (among the
    thousands chapter 15 draws), each repeat moves up to the next representable value: a few ulps at most."""
    weights = drawn_weights(named_shapes, np.random.default_rng(seed), dtype)
    flat = np.concatenate([w.ravel() for w in weights])
    if np.unique(flat).size == flat.size:
        return weights
    order = np.argsort(flat, kind="stable")
    ascending = flat[order]
    for i in range(1, ascending.size):
        if ascending[i] <= ascending[i - 1]:
            ascending[i] = np.nextafter(ascending[i - 1], np.inf, dtype=ascending.dtype)
    flat[order] = ascending
    sizes = np.cumsum([w.size for w in weights])[:-1]
    return [part.reshape(w.shape) for part, w in zip(np.split(flat, sizes), weights)]


def drawn_weights(named_shapes, rng, dtype) -> list[np.ndarray]:
    weights = []
    for name, shape in named_shapes:
        if "bias" in name:
            values = rng.uniform(0.1, 0.5, size=shape) * rng.choice((-1.0, 1.0), size=shape)
        else:  # a kernel (fan_in, units * gates), or a convolution's (*kernel_size, channels, filters * gates)
            scale = 1.5 / np.sqrt(np.prod(shape[:-1]))
            values = rng.uniform(-scale, scale, size=shape)
        weights.append(values.astype(dtype))
    return weights


def give_distinct_weights(layer, seed: int):
    """Set a built layer's (or a model's) weights to `distinct_weights` of their own names and shapes; return it."""
    layer.set_weights(distinct_weights([(w.name, tuple(w.shape)) for w in layer.weights], seed))
    return layer
