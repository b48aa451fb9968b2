"""What the benchmarks of the kernels measure: the grid of sizes, the devices and kernels, the FLOPs of a call,
the timed functions, the proof of which kernel ran, and the NumPy matrix products that bound the throughput.

FLOPs count the matrix products only, one multiply-add as two FLOPs (the element-wise gate arithmetic is
O(B·T·M), negligible beside them). Per time step a cell with G gate blocks (LSTM 4, GRU 3) multiplies the input
(B, F) by the kernel (F, G·M) and the state (B, M) by the recurrent kernel (M, G·M), so

    forward  = 2 · B · T · G·M · (F + M)      (LSTM: 2·B·T·4M·(F+M), GRU: 2·B·T·3M·(F+M))
    training = 3 · forward                     (the backward pass costs two products per forward product:
                                                one for the gradient of the input, one for that of the weights)

with B the batch, T the time steps, F the features and M the units.
"""

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from time import perf_counter

import numpy as np

from rnnspec import installation
from rnnspec.oracle.recurrent import GATE_COUNT
from rnnspec.probes import kernels
from rnnspec.subjects import seeded
from rnnspec.subjects.layers import recurrent_layer
from rnnspec.subjects.shapes import Shape

CELLS = ("LSTM", "GRU")
MODES = ("inference", "training")
TRAINING_FLOPS_PER_FORWARD_FLOP = 3

# Small to large, sized so that the smoke run (each benchmark called once) stays within seconds on two CPU cores.
GRID = {
    shape.name: shape
    for shape in (
        Shape("small", batch=8, timesteps=16, features=16, units=32),
        Shape("medium", batch=32, timesteps=64, features=64, units=128),
        Shape("large", batch=64, timesteps=128, features=128, units=256),
    )
}

# The first warm-up round traces or compiles the step (and is the one whose kernel is recorded); the next ones
# let cuDNN autotune and the allocators settle. The timed rounds then fill about TIMED_SECONDS, so that a small
# size's result spans more than a moment of a busy machine.
WARMUP_ROUNDS = 3
TIMED_SECONDS = 2.0
MIN_ROUNDS, MAX_ROUNDS = 10, 1000


@dataclass(frozen=True)
class Target:
    """Where a benchmark runs and which kernel it claims to time."""

    device: str
    kernel: str
    use_cudnn: str | bool  # the layer argument that asks for that kernel

    @property
    def name(self) -> str:
        return f"{self.device}-{self.kernel}"


# The generic targets pass use_cudnn=False, so that neither can reach cuDNN: TensorFlow's and PyTorch's backends
# choose cuDNN when the machine has a GPU, not by the device the layer was placed on. The cuDNN target keeps
# Keras's default "auto", the argument under which a silent fallback to the generic kernel happens.
TARGETS = {
    target.name: target
    for target in (
        Target("cpu", kernels.GENERIC, use_cudnn=False),
        Target("gpu", kernels.CUDNN, use_cudnn="auto"),
        Target("gpu", kernels.GENERIC, use_cudnn=False),
    )
}

def forward_flops(cell: str, shape: Shape) -> int:
    gate_width = GATE_COUNT[cell] * shape.units
    return 2 * shape.batch * shape.timesteps * gate_width * (shape.features + shape.units)


def flops(cell: str, mode: str, shape: Shape) -> int:
    factor = TRAINING_FLOPS_PER_FORWARD_FLOP if mode == "training" else 1
    return factor * forward_flops(cell, shape)


def gflops_per_second(flop_count: int, seconds: float) -> float:
    return flop_count / seconds / 1e9


def numpy_matmul_gflops(cell: str, shape: Shape, min_seconds: float = 0.5, min_passes: int = 5) -> float:
    """GFLOP/s of NumPy doing the forward pass's matrix products alone, the bound a kernel can approach on this
    CPU: T products (B, F+M) @ (F+M, G·M) in float32, repeated for at least `min_seconds` and `min_passes`. The
    fastest pass counts, because a limit is what the machine can do: other processes only ever slow a pass down
    (on a busy machine, BLAS threads waiting for a descheduled partner can stall a pass many times over)."""
    gate_width = GATE_COUNT[cell] * shape.units
    seed = seeded.seed_for("numpy matmul", cell, shape.name)
    inputs_and_state = seeded.inputs((shape.batch, shape.features + shape.units), seed)
    weights = seeded.inputs((shape.features + shape.units, gate_width), seed + 1)
    product = np.empty((shape.batch, gate_width), dtype=np.float32)

    def forward_pass_seconds():
        start = perf_counter()
        for _ in range(shape.timesteps):
            np.matmul(inputs_and_state, weights, out=product)
        return perf_counter() - start

    forward_pass_seconds()  # starts BLAS's thread pool outside the timing
    passes, until = [], perf_counter() + min_seconds
    while len(passes) < min_passes or perf_counter() < until:
        passes.append(forward_pass_seconds())
    return gflops_per_second(forward_flops(cell, shape), min(passes))


def grid_numpy_matmul_gflops() -> list[tuple[str, str, float]]:
    return [(cell, size, numpy_matmul_gflops(cell, shape)) for cell in CELLS for size, shape in GRID.items()]


@cache
def numpy_bounds_of_the_grid() -> dict[tuple[str, str], float]:
    """numpy_matmul_gflops for every cell and size of the grid, {(cell, size): GFLOP/s}, measured once in a fresh
    Python process, away from the backend's threads, which compete with BLAS's for the cores: measured inside the
    process that had just run the kernels, on a busy two-core machine, the bound came out up to 300 times too low."""
    code = "import json, rnnspec.statements.benchmarks as b; print(json.dumps(b.grid_numpy_matmul_gflops()))"
    repository = Path(__file__).resolve().parents[2]
    measured = subprocess.run([sys.executable, "-c", code], cwd=repository, capture_output=True, text=True, check=True)
    return {(cell, size): gflops for cell, size, gflops in json.loads(measured.stdout)}


def timed_step(cell: str, mode: str, shape: Shape, target: Target):
    """A function that runs one inference (`predict_on_batch`) or training step (`train_on_batch`, SGD on mean
    squared error) of a seeded model around the layer and returns the result as NumPy, so that the timer stops
    only once the device has finished. Build and call it on the target's device."""
    keras = installation.keras()
    seed = seeded.seed_for("benchmark", cell, shape.name)
    # A Keras without use_cudnn (3.0) chooses by itself: on a CPU, the generic kernel the target asks for.
    choice = {"use_cudnn": target.use_cudnn} if installation.has_use_cudnn() else {}
    layer = recurrent_layer(
        cell,
        shape.units,
        **choice,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
    )
    inputs = keras.Input((shape.timesteps, shape.features))
    model = keras.Model(inputs, layer(inputs))
    x = seeded.inputs(shape.input_shape, seed)
    if mode == "inference":
        return lambda: np.asarray(model.predict_on_batch(x))
    model.compile(optimizer="sgd", loss="mean_squared_error")
    y = seeded.inputs((shape.batch, shape.units), seed + 1)
    return lambda: np.asarray(model.train_on_batch(x, y))


class RecordedFirstCall:
    """Wraps a timed function so that its first call, the warm-up round that traces it, runs under
    `rnnspec.probes.kernels.recording`: a compiled function calls the cuDNN entry points only while it is traced, and
    later calls stay free of the recording's wrappers."""

    def __init__(self, function, backend: str):
        self.function = function
        self.backend = backend
        self.record: kernels.KernelRecord | None = None

    def __call__(self):
        if self.record is not None:
            return self.function()
        with kernels.recording(self.backend) as record:
            self.record = record
            return self.function()


def warm_up(step) -> int:
    """Run the warm-up rounds and return the number of timed rounds that fills TIMED_SECONDS at the pace of the
    last one, within [MIN_ROUNDS, MAX_ROUNDS]."""
    for _ in range(WARMUP_ROUNDS):
        start = perf_counter()
        step()
        seconds = perf_counter() - start
    return min(MAX_ROUNDS, max(MIN_ROUNDS, math.ceil(TIMED_SECONDS / seconds)))


def check_kernel(target: Target, record: kernels.KernelRecord, description: str) -> None:
    """A benchmark labelled cuDNN must have run cuDNN, and one labelled generic must not have."""
    ran = record.kernel
    if (target.kernel == kernels.CUDNN) != (ran == kernels.CUDNN):
        raise AssertionError(
            f"{description} is labelled {target.kernel} but the {ran} kernel ran "
            f"(cuDNN functions watched: {', '.join(record.watched) or 'none'}; "
            f"returned: {', '.join(record.ran) or 'none'}); "
            f"its time is not the {target.kernel} kernel's"
        )


def result_info(cell: str, mode: str, shape: Shape, target: Target, kernel: str) -> dict:
    """What a saved result says besides its times: what ran, its size and its FLOPs per call."""
    return {
        "cell": cell,
        "mode": mode,
        "device": target.device,
        "kernel": kernel,
        "size": shape.name,
        "batch": shape.batch,
        "timesteps": shape.timesteps,
        "features": shape.features,
        "units": shape.units,
        "flops": flops(cell, mode, shape),
        "installation": installation.current().describe(),
    }


def throughput_info(cell: str, mode: str, shape: Shape, target: Target, mean_seconds: float) -> dict:
    """GFLOP/s from the mean time and, on the CPU, the GFLOP/s of NumPy's bare matrix products of the same sizes."""
    info = {"gflops_per_s": gflops_per_second(flops(cell, mode, shape), mean_seconds)}
    if target.device == "cpu":
        info["numpy_matmul_gflops_per_s"] = numpy_bounds_of_the_grid()[cell, shape.name]
    return info
