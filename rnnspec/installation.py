"""What is installed: which Keras, on which backend, with which devices.

Nothing here imports Keras at module import time, so that the pytest plugin can choose the backend first.
"""

import importlib
import importlib.metadata
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

BACKENDS = ("tensorflow", "jax", "torch")
DEVICES = ("cpu", "gpu")
FRAMEWORK_DISTRIBUTIONS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"),
    "jax": ("jax",),
    "torch": ("torch",),
}


@dataclass(frozen=True)
class Installation:
    keras_version: str
    backend: str
    framework_versions: dict[str, str]
    gpus: tuple[str, ...]

    @property
    def keras_major(self) -> int:
        return int(self.keras_version.split(".")[0])

    def describe(self) -> str:
        frameworks = ", ".join(f"{name} {version}" for name, version in self.framework_versions.items())
        devices = ", ".join(("cpu",) + self.gpus)
        return f"Keras {self.keras_version} on {self.backend} | {frameworks or 'no framework found'} | devices: {devices}"


def distribution_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def installed_frameworks() -> dict[str, str]:
    """Backend frameworks installed in this environment, by the version of their distribution (no import)."""
    found = {name: distribution_version(dists) for name, dists in FRAMEWORK_DISTRIBUTIONS.items()}
    return {name: version for name, version in found.items() if version}


def keras():
    return importlib.import_module("keras")


def visible_gpus(backend: str) -> tuple[str, ...]:
    """The GPUs the backend itself sees (a CUDA device the framework cannot use does not count)."""
    if backend == "tensorflow":
        import tensorflow as tf

        return tuple(device.name for device in tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return tuple(str(device) for device in jax.devices() if device.platform == "gpu")
    if backend == "torch":
        import torch

        return tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return ()


@cache
def current() -> Installation:
    module = keras()
    backend = module.backend.backend()
    return Installation(
        keras_version=module.__version__,
        backend=backend,
        framework_versions=installed_frameworks(),
        gpus=visible_gpus(backend),
    )


def select_backend(backend: str) -> None:
    """Make `backend` the one Keras loads; refuse when Keras is already loaded with another."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown Keras backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    os.environ["KERAS_BACKEND"] = backend


def default_device() -> str:
    """Where Keras places work when told nothing: the first GPU where the backend sees one, else the CPU."""
    return "gpu" if current().gpus else "cpu"


@contextmanager
def on_device(device: str):
    """Place what is built and run inside on `device` ("cpu" or "gpu"), the first of its kind. On the default
    device no scope is entered: Keras's torch backend cannot build an LSTM or GRU inside `keras.device` (the
    devices chapter states it), and a scope that changes nothing should not decide the result."""
    if device == default_device():
        yield
        return
    with keras().device(f"{device}:0"):
        yield


def to_numpy(tensor):
    return keras().ops.convert_to_numpy(tensor)


def dtype_name(tensor) -> str:
    return keras().backend.standardize_dtype(tensor.dtype)


@contextmanager
def tf32(enabled: bool | None):
    """Within the block, let float32 matrix products on a GPU use TF32 (10-bit mantissa) or forbid it; None
    leaves the backend's default. The previous setting is restored."""
    if enabled is None:
        yield
        return
    backend = current().backend
    if backend == "tensorflow":
        import tensorflow as tf

        before = tf.config.experimental.tensor_float_32_execution_enabled()
        tf.config.experimental.enable_tensor_float_32_execution(enabled)
        try:
            yield
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(before)
    elif backend == "torch":
        import torch

        before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = enabled
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before
    else:
        import jax

        with jax.default_matmul_precision("tensorfloat32" if enabled else "float32"):
            yield
