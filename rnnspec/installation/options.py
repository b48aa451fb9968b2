"""The suite's own command-line options, parsed and checked once per process by the pytest plugin."""

from dataclasses import dataclass

from rnnspec.installation import BACKENDS, DEVICES, KERAS_MODULES


class OptionError(ValueError):
    """An option value the suite cannot use; the message says which values it can."""


@dataclass(frozen=True)
class Options:
    keras: str
    backend: str
    devices: tuple[str, ...]
    devices_requested: bool  # named on the command line, as opposed to the default of every device


def parse(backend: str, devices: str | None, keras: str = "keras") -> Options:
    if keras not in KERAS_MODULES:
        raise OptionError(f"--keras={keras!r} is not a Keras this suite tests; choose one of: {', '.join(KERAS_MODULES)}")
    if backend not in BACKENDS:
        raise OptionError(f"--keras-backend={backend!r} is not a Keras backend; choose one of: {', '.join(BACKENDS)}")
    if keras == "tf_keras" and backend != "tensorflow":
        raise OptionError(f"tf_keras runs on TensorFlow only; --keras-backend={backend!r} cannot go with --keras=tf_keras")
    if devices is None:
        return Options(keras, backend, DEVICES, devices_requested=False)
    chosen = tuple(name.strip().lower() for name in devices.split(",") if name.strip())
    unknown = [name for name in chosen if name not in DEVICES]
    if unknown or not chosen:
        raise OptionError(
            f"--devices={devices!r} names no device or an unknown one ({', '.join(unknown) or 'empty'}); "
            f"give a comma-separated list of: {', '.join(DEVICES)}"
        )
    return Options(keras, backend, tuple(d for d in DEVICES if d in chosen), devices_requested=True)


# Set by the plugin at configuration; the case catalogue reads it to choose devices.
current = Options("keras", "tensorflow", DEVICES, devices_requested=False)
