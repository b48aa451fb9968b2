"""The suite's own command-line options, parsed and checked once per process by the pytest plugin."""

from dataclasses import dataclass

from rnnspec.installation import BACKENDS, DEVICES


class OptionError(ValueError):
    """An option value the suite cannot use; the message says which values it can."""


@dataclass(frozen=True)
class Options:
    backend: str
    devices: tuple[str, ...]
    devices_requested: bool  # named on the command line, as opposed to the default of every device


def parse(backend: str, devices: str | None) -> Options:
    if backend not in BACKENDS:
        raise OptionError(f"--keras-backend={backend!r} is not a Keras backend; choose one of: {', '.join(BACKENDS)}")
    if devices is None:
        return Options(backend, DEVICES, devices_requested=False)
    chosen = tuple(name.strip().lower() for name in devices.split(",") if name.strip())
    unknown = [name for name in chosen if name not in DEVICES]
    if unknown or not chosen:
        raise OptionError(
            f"--devices={devices!r} names no device or an unknown one ({', '.join(unknown) or 'empty'}); "
            f"give a comma-separated list of: {', '.join(DEVICES)}"
        )
    return Options(backend, tuple(d for d in DEVICES if d in chosen), devices_requested=True)


# Set by the plugin at configuration; the case catalogue reads it to choose devices.
current = Options("tensorflow", DEVICES, devices_requested=False)
