"""Benchmarks of the kernels: how fast LSTM and GRU run a forward pass and a training step, per size, device and
kernel, and proof of which kernel that was.

`pytest spec` runs each benchmark once, untimed, as a smoke check (`--benchmark-disable` in pytest.ini). To time
them, pass `--benchmark-enable`; results are grouped per cell, mode and size, so that the CPU, cuDNN and generic GPU
kernels of one size sit side by side. Each saved result carries, in `extra_info`, the kernel that ran (recorded
while the first warm-up round traced the step), its FLOPs per call (formulas in `rnnspec.statements.benchmarks`), the
GFLOP/s from the mean time and, on the CPU, the GFLOP/s of NumPy's bare matrix products of the same sizes.
`python -m rnnspec.tools.throughput_plot` prints them and draws them. See the README's section on benchmarks.

A benchmark labelled cuDNN fails when the generic kernel ran: its time would be a lie. Where Keras is known to
prevent a benchmark (no cuDNN GRU on JAX; no recurrent layer built inside `keras.device` on PyTorch), the table of
known divergences, `rnnspec.divergences`, makes it a strict xfail that says why.
"""

import pytest

from rnnspec import installation
from rnnspec.statements.benchmarks import (
    CELLS,
    GRID,
    MODES,
    TARGETS,
    RecordedFirstCall,
    check_kernel,
    result_info,
    throughput_info,
    timed_step,
    warm_up,
)
from rnnspec.statements.shared import skip_unless_visible

# Each target with its device, so that the plugin deselects the devices not chosen, as for every case.
ON_THEIR_DEVICES = [pytest.param(target.device, name, id=f"target={name}") for name, target in TARGETS.items()]


@pytest.mark.parametrize("device, target_name", ON_THEIR_DEVICES)
@pytest.mark.parametrize("size", tuple(GRID))
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("mode", MODES)
def test_the_benchmarked_step_runs_on_the_labelled_kernel(benchmark, mode, cell, size, device, target_name):
    """Each benchmarked step, a forward pass (`predict_on_batch`) or a training step (`train_on_batch`: forward,
    backward and an SGD update), runs on the labelled device and kernel; its time, FLOPs per call and throughput
    are recorded."""
    target, shape = TARGETS[target_name], GRID[size]
    skip_unless_visible(device)
    backend = installation.current().backend
    benchmark.group = f"{cell} {mode} {size} (B={shape.batch} T={shape.timesteps} F={shape.features} M={shape.units})"
    with installation.on_device(target.device):
        step = RecordedFirstCall(timed_step(cell, mode, shape, target), backend)
        rounds = warm_up(step) if benchmark.enabled else 1  # disabled: no warm-up, pedantic calls the step once
        benchmark.pedantic(step, rounds=rounds, iterations=1)
    benchmark.extra_info.update(result_info(cell, mode, shape, target, step.record.kernel))
    if benchmark.enabled:
        benchmark.extra_info.update(throughput_info(cell, mode, shape, target, benchmark.stats.stats.mean))
    check_kernel(target, step.record, f"{cell} {mode} {size} on {target.device}")
