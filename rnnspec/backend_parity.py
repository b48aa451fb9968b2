"""Run subjects of the catalogue under another Keras backend, in a process of its own (a process has one
backend), and bring back what they returned, for the backend parity statements.

A subject is a recurrent layer (`LayerConfig`) or the gradient of a seeded loss over one (`GradientConfig`),
sent as its kind and fields. Weights and inputs come from the subject's seed, which NumPy turns into the same
values in every process; the child also sends its weights back, so that the parent can check that both ran the
same layer.
Run as `python -m rnnspec.backend_parity REQUEST.json RESULT.npz` with KERAS_BACKEND set.
"""

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import cache

import numpy as np

from rnnspec.configs import GradientConfig, LayerConfig, Shape
from rnnspec.installation import BACKENDS

# The kinds of subject another backend's process can run, by name.
KINDS = {kind.__name__: kind for kind in (LayerConfig, GradientConfig)}


def as_tuples(value):
    """JSON has lists where the subjects hold tuples (their options, as (name, value) pairs)."""
    return tuple(as_tuples(part) for part in value) if isinstance(value, list) else value


def to_json(configs: list[LayerConfig]) -> str:
    for config in configs:
        if KINDS.get(type(config).__name__) is not type(config):
            raise TypeError(f"another backend's process cannot run a {type(config).__name__}; it runs {sorted(KINDS)}")
    return json.dumps([{"kind": type(c).__name__, **asdict(c)} for c in configs])


def from_json(text: str) -> list[LayerConfig]:
    configs = []
    for entry in json.loads(text):
        kind = KINDS[entry.pop("kind")]
        fields = {name: as_tuples(value) for name, value in entry.items()}
        configs.append(kind(**{**fields, "shape": Shape(**entry["shape"])}))
    return configs


def start(backend: str, configs: list[LayerConfig], workdir) -> Callable[[], list[dict]]:
    """Start computing `configs` under `backend` on its CPU, in a process of its own; the function returned waits
    for it (once) and gives [{"arrays": (...), "weights": (...)}] per subject."""
    request, result = workdir / "request.json", workdir / "result.npz"
    request.write_text(to_json(configs))
    # Hide GPUs from the child: this is a comparison of CPU kernels.
    env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    child = subprocess.Popen(
        [sys.executable, "-m", "rnnspec.backend_parity", str(request), str(result)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )

    @cache
    def results() -> list[dict]:
        _, stderr = child.communicate(timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"the {backend} process failed (exit {child.returncode}):\n{stderr[-3000:]}")
        saved = np.load(result)
        return [
            {kind: tuple(saved[f"{index}/{kind}/{n}"] for n in range(int(saved[f"{index}/{kind}/count"])))
             for kind in ("arrays", "weights")}
            for index in range(len(configs))
        ]

    return results


def installed_other_backends(here: str) -> list[str]:
    return [backend for backend in BACKENDS if backend != here and importlib.util.find_spec(backend) is not None]


def main(request_path: str, result_path: str) -> None:
    from rnnspec.observe import observe_fresh

    saved = {}
    for index, config in enumerate(from_json(open(request_path).read())):
        observation = observe_fresh(config)
        for kind, values in (("arrays", observation.arrays), ("weights", observation.weights)):
            saved[f"{index}/{kind}/count"] = np.array(len(values))
            saved.update({f"{index}/{kind}/{n}": value for n, value in enumerate(values)})
    np.savez(result_path, **saved)


if __name__ == "__main__":
    main(*sys.argv[1:3])
