"""Which kernel ran: cuDNN or generic, proven by watching Keras's cuDNN entry points while a layer runs.

Keras 3 tries a fused cuDNN implementation for LSTM and GRU and falls back to the generic loop when the backend,
the device or the layer's arguments rule it out. Nothing in the result says which ran, and a parity test that
compared the generic kernel with itself would prove nothing, so the functions below wrap, for the duration of a
call, the backend functions that run only when the cuDNN kernel runs, and record whether they returned.
"""

import importlib
from contextlib import contextmanager
from dataclasses import dataclass, field

CUDNN = "cuDNN"
GENERIC = "generic"
UNDETERMINED = "undetermined"

# Per Keras 3 backend: the module and the functions that return only when the cuDNN kernel ran. (TensorFlow and
# PyTorch fall back to other code inside `lstm`/`gru`, so their private cuDNN helpers are watched; JAX's `lstm`
# raises unless cuDNN runs, while its `gru` is a scan that never uses cuDNN.)
CUDNN_FUNCTIONS = {
    "tensorflow": ("keras.src.backend.tensorflow.rnn", ("_cudnn_lstm", "_cudnn_gru")),
    "torch": ("keras.src.backend.torch.rnn", ("_cudnn_lstm", "_cudnn_gru", "bidirectional_lstm", "bidirectional_gru")),
    "jax": ("keras.src.backend.jax.rnn", ("lstm", "bidirectional_lstm")),
}


@dataclass
class KernelRecord:
    watched: tuple[str, ...] = ()  # the cuDNN functions found in this installation
    ran: list[str] = field(default_factory=list)  # those that returned during the call

    @property
    def kernel(self) -> str:
        if self.ran:
            return CUDNN
        return GENERIC if self.watched else UNDETERMINED


def cudnn_functions(backend: str):
    """(module, names present) for the backend; no names where this Keras has none of them (e.g. Keras 2)."""
    module_name, names = CUDNN_FUNCTIONS.get(backend, (None, ()))
    try:
        module = importlib.import_module(module_name) if module_name else None
    except ImportError:
        return None, ()
    return module, tuple(name for name in names if hasattr(module, name))


@contextmanager
def recording(backend: str):
    """Within the block, record which of the backend's cuDNN functions returned."""
    module, names = cudnn_functions(backend)
    record = KernelRecord(watched=names)
    originals = {name: getattr(module, name) for name in names}

    def watch(name, original):
        def watched(*args, **kwargs):
            result = original(*args, **kwargs)
            record.ran.append(name)
            return result

        return watched

    for name, original in originals.items():
        setattr(module, name, watch(name, original))
    try:
        yield record
    finally:
        for name, original in originals.items():
            setattr(module, name, original)
