"""Recurrent layers broken in how they choose and report kernels, and other backends that drift."""

from rnnspec.installation import current
from rnnspec.probes import backend_parity
from rnnspec.probes.observe import ObservationCache
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
    """Stands in for another backend's process (rnnspec.probes.backend_parity.start): this backend's own results for
    the same configurations, observed once per scene when asked for, optionally drifted."""

    drift = 0.0

    def __init__(self):
        self.own = ObservationCache()

    def __call__(self, backend, configs, workdir):
        def results():
            runs = [self.own.get(subject) for subject in configs]
            return [{"arrays": tuple(a + self.drift for a in run.arrays), "weights": run.weights} for run in runs]

        return results


def another_backend_in_this_process(monkeypatch):
    """The scene of the backend parity catch: the other backend's process stood in for by this one."""
    monkeypatch.setattr(backend_parity, "start", OwnResults())


def other_backend_drifts_by_1e_3(monkeypatch):
    monkeypatch.setattr(OwnResults, "drift", 1e-3)


def compiler_falls_back_to_eager(monkeypatch):
    """The backend's compiler silently runs the function it was given eagerly: TensorFlow as under
    `tf.config.run_functions_eagerly(True)`, JAX's `jax.jit` (its own and the one Keras's trainer holds) and
    PyTorch's `torch.compile` returning the function unchanged."""
    backend = current().backend
    if backend == "tensorflow":
        from tensorflow.python.eager.polymorphic_function import eager_function_run

        monkeypatch.setattr(eager_function_run, "RUN_FUNCTIONS_EAGERLY", True)
    elif backend == "jax":
        import jax
        from keras.src.backend.jax import trainer

        monkeypatch.setattr(jax, "jit", lambda function, *args, **kwargs: function)
        monkeypatch.setattr(trainer, "jit", lambda function, *args, **kwargs: function)
    else:
        import torch

        monkeypatch.setattr(torch, "compile", lambda function=None, *args, **kwargs: function)


def jit_compile_quietly_off(monkeypatch):
    """`compile(jit_compile=True)` proceeds without it, as Keras does (with a warning) for a model it judges unfit."""
    from keras.src.trainers import trainer

    monkeypatch.setattr(trainer, "model_supports_jit", lambda model: False)
