"""What is installed: which Keras, on which backend, with which devices.

Nothing here imports Keras at module import time, so that the pytest plugin can choose the backend first.
"""

import importlib
import importlib.metadata
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from rnnspec.installation import compat

BACKENDS = ("tensorflow", "jax", "torch")
DEVICES = ("cpu", "gpu")
# The Keras under test: Keras 3 (`keras`), or the Keras 2 API of TensorFlow (`tf_keras`, what TensorFlow itself
# loads as tf.keras under TF_USE_LEGACY_KERAS=1).
KERAS_MODULES = ("keras", "tf_keras")
keras_module = "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras"
FRAMEWORK_DISTRIBUTIONS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"),
    "jax": ("jax",),
    "torch": ("torch",),
}


@dataclass(frozen=True)
class Installation:
    keras_module: str
    keras_version: str
    backend: str
    framework_versions: dict[str, str]
    gpus: tuple[str, ...]

    @property
    def keras_major(self) -> int:
        return int(self.keras_version.split(".")[0])

    @property
    def default_device(self) -> str:
        """Where Keras places work when told nothing: the first GPU where the backend sees one, else the CPU."""
        return "gpu" if self.gpus else "cpu"

    def describe(self) -> str:
        frameworks = ", ".join(f"{name} {version}" for name, version in self.framework_versions.items())
        devices = ", ".join(("cpu",) + self.gpus)
        name = f"Keras {self.keras_version}" + (" (tf_keras)" if self.keras_module == "tf_keras" else "")
        return f"{name} on {self.backend} | {frameworks or 'no framework found'} | devices: {devices}"


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
    return sys.modules.get(keras_module) or import_quietly(keras_module)


# What TensorFlow's C++ libraries write to the process's stderr as they load, whatever TF_CPP_MIN_LOG_LEVEL says
# (they log before absl's logging is initialized, which is what reads the level): absl's warning of that, and the
# oneDNN and CPU-feature notices. Seen on TensorFlow 2.21 at `import tensorflow`, twice per process.
START_UP_NOTICES = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:. ]+\d+ (port|cpu_feature_guard)\.cc:\d+\] "
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\."
)


class UnusedTensorArrayNotice(logging.Filter):
    """TensorFlow's Python logger, as garbage collection finds a TensorArray that Keras's own recurrent loop made and
    never read (keras/src/backend/tensorflow/rnn.py): "Object was never used", at error level, between tests and so
    on the terminal. It says nothing of the layer under test; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Object was never used" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(UnusedTensorArrayNotice())


def import_quietly(name: str):
    """Import a module (Keras, and so its backend framework) with the framework's start-up notices left out of
    stderr; whatever else the import writes there is passed on."""
    sys.stderr.flush()
    kept_stderr = os.dup(2)
    with tempfile.TemporaryFile() as written:
        os.dup2(written.fileno(), 2)
        try:
            return importlib.import_module(name)
        finally:
            os.dup2(kept_stderr, 2)
            os.close(kept_stderr)
            written.seek(0)
            lines = written.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not START_UP_NOTICES.match(line)))


def is_keras_2() -> bool:
    return keras_module == "tf_keras"


def visible_gpus(backend: str) -> tuple[str, ...]:
    """The GPUs the backend itself sees (a CUDA device the framework cannot use does not count)."""
    if backend == "tensorflow":
        tf = sys.modules.get("tensorflow") or import_quietly("tensorflow")
        return tuple(device.name for device in tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return tuple(str(device) for device in jax.devices() if device.platform == "gpu")
    if backend == "torch":
        import torch

        return tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return ()


def built_for_gpu(backend: str) -> str | None:
    """What GPU platform the backend's framework is built for ("CUDA 12.5", "ROCm"), or None for a CPU build."""
    if backend == "tensorflow":
        tf = sys.modules.get("tensorflow") or import_quietly("tensorflow")
        build = tf.sysconfig.get_build_info()
        return f"CUDA {build['cuda_version']}" if build.get("is_cuda_build") else ("ROCm" if build.get("is_rocm_build") else None)
    if backend == "torch":
        import torch

        return f"CUDA {torch.version.cuda}" if torch.version.cuda else ("ROCm" if torch.version.hip else None)
    if backend == "jax":  # JAX's GPU support is a plugin distribution of its own
        plugins = sorted(
            d.metadata["Name"] for d in importlib.metadata.distributions()
            if re.fullmatch(r"jax[-_](cuda|rocm)\d*[-_]plugin", d.metadata["Name"] or "")
        )
        return plugins[0] if plugins else None
    return None


@cache
def current() -> Installation:
    module = keras()
    backend = module.backend.backend()
    return Installation(
        keras_module=keras_module,
        keras_version=module.__version__,
        backend=backend,
        framework_versions=installed_frameworks(),
        gpus=visible_gpus(backend),
    )


def select(module: str, backend: str) -> None:
    """Make `module` the Keras under test and `backend` the backend Keras 3 loads (before Keras is imported)."""
    global keras_module
    keras_module = module
    os.environ["KERAS_BACKEND"] = backend


def computes_in_float64() -> bool:
    """JAX silently narrows float64 to float32 unless x64 is enabled; the other backends compute in float64."""
    if current().backend != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)


def has_use_cudnn() -> bool:
    """Whether this Keras's LSTM and GRU take `use_cudnn` (Keras 3.2 added it)."""
    return compat.find("LSTM(use_cudnn)", keras()) is not None


def default_device() -> str:
    return current().default_device


@contextmanager
def on_device(device: str):
    """Place what is built and run inside on `device` ("cpu" or "gpu"), the first of its kind. On the default
    device no scope is entered: Keras's torch backend cannot build an LSTM or GRU inside `keras.device` (the
    devices chapter states it), and a scope that changes nothing should not decide the result."""
    if device == default_device():
        yield
    elif is_keras_2():
        import tensorflow as tf

        with tf.device(f"/{device.upper()}:0"):
            yield
    else:
        with compat.require("device", keras())(f"{device}:0"):
            yield


def to_numpy(tensor):
    if is_keras_2():
        return tensor.numpy() if hasattr(tensor, "numpy") else tensor
    return keras().ops.convert_to_numpy(tensor)


def as_tensor(array):
    """A backend tensor (Keras 2 takes `initial_state` only as tensors, not NumPy arrays)."""
    if is_keras_2():
        import tensorflow as tf

        return tf.convert_to_tensor(array)
    return keras().ops.convert_to_tensor(array)


def dtype_name(tensor) -> str:
    if is_keras_2():
        import tensorflow as tf

        return tf.as_dtype(tensor.dtype).name
    return keras().backend.standardize_dtype(tensor.dtype)


def ops():
    """Keras 3's backend-agnostic ops, or for Keras 2 the TensorFlow functions of the same names."""
    if not is_keras_2():
        return keras().ops
    import tensorflow as tf

    return Keras2Ops(tf)


class Keras2Ops:
    """The few Keras 3 ops the suite uses, by their Keras 3 names, from TensorFlow."""

    def __init__(self, tf):
        self.tf = tf
        self.expand_dims, self.cast, self.multiply, self.zeros_like = tf.expand_dims, tf.cast, tf.multiply, tf.zeros_like
        self.matmul, self.tanh, self.sum = tf.matmul, tf.tanh, tf.reduce_sum

    def flip(self, x, axis):
        return self.tf.reverse(x, axis=[axis])

    def concatenate(self, tensors, axis=0):
        return self.tf.concat(tensors, axis=axis)


def global_state() -> dict:
    """Keras's global configuration, which every test must leave as it found it."""
    if is_keras_2():
        k = keras()
        return {"floatx": k.backend.floatx(), "dtype_policy": k.mixed_precision.global_policy().name,
                "epsilon": k.backend.epsilon(), "image_data_format": k.backend.image_data_format()}
    config = keras().config
    return {"floatx": config.floatx(), "dtype_policy": compat.find("dtype_policy", keras())().name,
            "epsilon": config.epsilon(), "image_data_format": config.image_data_format()}


def restore_global_state(state: dict) -> None:
    k = keras()
    if is_keras_2():
        k.backend.set_floatx(state["floatx"])
        k.mixed_precision.set_global_policy(state["dtype_policy"])
        k.backend.set_epsilon(state["epsilon"])
        k.backend.set_image_data_format(state["image_data_format"])
        return
    k.config.set_floatx(state["floatx"])
    compat.find("set_dtype_policy", k)(state["dtype_policy"])
    k.config.set_epsilon(state["epsilon"])
    k.config.set_image_data_format(state["image_data_format"])


@contextmanager
def global_dtype_policy(name: str):
    """Within the block, the global dtype policy is `name` (what the mixed precision guide sets before building a
    model, whose own policy is then `name`); Keras's global configuration is put back after."""
    before = global_state()
    if is_keras_2():
        keras().mixed_precision.set_global_policy(name)
    else:
        compat.require("set_dtype_policy", keras())(name)
    try:
        yield
    finally:
        restore_global_state(before)


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


def gpu_software() -> dict[str, str]:
    """The CUDA and cuDNN versions the backend under test reports, the GPUs as nvidia-smi lists them (with the
    driver), and the NVIDIA libraries
    installed as Python packages: what a GPU image's report names. Only what is found is listed (a CPU build lists
    nothing), so that no query of an installation without CUDA can fail the run."""
    found = {}
    backend = current().backend
    if backend == "tensorflow":
        tf = sys.modules.get("tensorflow") or import_quietly("tensorflow")
        build = tf.sysconfig.get_build_info()
        found["CUDA (TensorFlow built with)"] = build.get("cuda_version")
        found["cuDNN (TensorFlow built with)"] = build.get("cudnn_version")
    elif backend == "torch":
        import torch

        found["CUDA (PyTorch built with)"] = torch.version.cuda
        found["cuDNN (PyTorch loads)"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    elif backend == "jax":
        from jax._src import lib  # jax.print_environment_info reads the same private module

        versions = getattr(lib, "cuda_versions", None)
        if versions is not None:
            try:
                found["CUDA runtime (JAX loads)"] = versions.cuda_runtime_get_version()
                found["cuDNN (JAX loads)"] = versions.cudnn_get_version()
            except RuntimeError as error:  # the CUDA plugin is installed, its libraries are not loadable
                found["CUDA (JAX)"] = f"not loadable: {error}"
    found["GPUs (nvidia-smi: name, driver, memory)"] = "; ".join(nvidia_smi_gpus())
    packages = sorted(
        f"{distribution.metadata['Name']} {distribution.version}"
        for distribution in importlib.metadata.distributions()
        if (distribution.metadata["Name"] or "").lower().startswith("nvidia-")
    )
    found["NVIDIA Python packages"] = ", ".join(packages)
    return {name: str(version) for name, version in found.items() if version}


def nvidia_smi_gpus() -> list[str]:
    """Each GPU's name, driver version and memory as nvidia-smi reports them; none where it is not installed."""
    if shutil.which("nvidia-smi") is None:
        return []
    query = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
        capture_output=True, text=True, check=False,
    )
    return [line.strip() for line in query.stdout.splitlines() if line.strip()] if query.returncode == 0 else []
