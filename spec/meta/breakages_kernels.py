"""Recurrent layers broken in how they choose and report kernels, and other backends that drift."""

from spec.meta.breakages import during_call
from spec.meta.breaking import replacing

CUDNN_CELLS = ("LSTM", "GRU")


@during_call
def use_cudnn_true_falls_back_quietly(layer):
    """use_cudnn=True runs the generic kernel where cuDNN cannot run, instead of refusing."""
    wanted = layer.use_cudnn
    layer.use_cudnn = "auto"
    return lambda: setattr(layer, "use_cudnn", wanted)


@during_call
def use_cudnn_false_is_ignored(layer):
    wanted = layer.use_cudnn
    layer.use_cudnn = "auto"
    return lambda: setattr(layer, "use_cudnn", wanted)


@replacing("__init__", *CUDNN_CELLS)
def use_cudnn_defaults_to_false(original):
    """A changed default: use_cudnn=False unless asked, and any value accepted."""

    def __init__(self, units, use_cudnn=False, **kwargs):
        original(self, units, **kwargs)
        self.use_cudnn = use_cudnn

    return __init__


class OwnResults:
    """Stands in for another backend's process: this backend's own observations, optionally drifted."""

    drift = 0.0

    def __init__(self, configs, observation_cache):
        self.configs, self.cache = configs, observation_cache

    def __call__(self, backend):
        runs = [self.cache.get(config) for config in self.configs]
        return [{"arrays": tuple(a + self.drift for a in run.arrays), "weights": run.weights} for run in runs]


def other_backend_drifts_by_1e_3(monkeypatch):
    monkeypatch.setattr(OwnResults, "drift", 1e-3)
