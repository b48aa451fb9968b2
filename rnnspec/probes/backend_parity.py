"""Run subjects of the catalogue under another Keras backend, in a process of its own (a process has one
backend), and bring back what they returned, for the backend parity statements.

A subject is a recurrent layer (`LayerSubject`), called (`Call`) or differentiated (`Gradient`),
sent as its kind and fields. Weights and inputs come from the subject's seed, which NumPy turns into the same
values in every process; the child also sends its weights back, so that the parent can check that both ran the
same layer.
The child runs `python -m rnnspec.probes.under_another_backend REQUEST.json RESULT.npz` with KERAS_BACKEND set.
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

from rnnspec.installation import BACKENDS
from rnnspec.subjects.calls import Call, Gradient
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import Shape

# What another backend's process can run: a recurrent layer, called or differentiated.
PROBES = {probe.__name__: probe for probe in (Call, Gradient)}


def as_tuples(value):
    """JSON has lists where the subjects hold tuples (their options, as (name, value) pairs)."""
    return tuple(as_tuples(part) for part in value) if isinstance(value, list) else value


def to_json(subjects: list[LayerSubject]) -> str:
    for subject in subjects:
        if type(subject) is not LayerSubject or PROBES.get(type(subject.probe).__name__) is not type(subject.probe):
            raise TypeError(
                f"another backend's process cannot run a {type(subject).__name__} with a {type(subject.probe).__name__}"
                f" probe; it runs a LayerSubject with one of {sorted(PROBES)}"
            )
    return json.dumps([{**asdict(s), "probe_kind": type(s.probe).__name__} for s in subjects])


def from_json(text: str) -> list[LayerSubject]:
    subjects = []
    for entry in json.loads(text):
        probe = PROBES[entry.pop("probe_kind")](**entry.pop("probe"))
        fields = {name: as_tuples(value) for name, value in entry.items()}
        subjects.append(LayerSubject(**{**fields, "shape": Shape(**entry["shape"]), "probe": probe}))
    return subjects


def start(backend: str, configs: list[LayerSubject], workdir) -> Callable[[], list[dict]]:
    """Start computing `configs` under `backend` on its CPU, in a process of its own; the function returned waits
    for it (once) and gives [{"arrays": (...), "weights": (...)}] per subject."""
    request, result = workdir / "request.json", workdir / "result.npz"
    request.write_text(to_json(configs))
    # Hide GPUs from the child: this is a comparison of CPU kernels.
    env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    child = subprocess.Popen(
        [sys.executable, "-m", "rnnspec.probes.under_another_backend", str(request), str(result)],
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
