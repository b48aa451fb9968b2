"""The configurations the spec is held against: a recurrent layer, its flags, a shape, a device, a call path."""

from dataclasses import dataclass, replace

CELLS = ("LSTM", "GRU", "SimpleRNN")
STATE_NAMES = {"LSTM": ("h", "c"), "GRU": ("h",), "SimpleRNN": ("h",)}

# How users call a recurrent layer: the bare layer eagerly, a functional model called directly, and
# `model.predict` (the seed notebook's path, which runs a compiled function).
CALL_PATHS = ("layer", "model", "predict")


@dataclass(frozen=True)
class Shape:
    name: str
    batch: int
    timesteps: int
    features: int
    units: int
    dynamic_time: bool = False  # the model's Input declares the time dimension as None

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.batch, self.timesteps, self.features)


# `units` differs from `features` everywhere, so that a transposed or misplaced weight cannot produce the right shape.
SHAPES = {
    shape.name: shape
    for shape in (
        Shape("notebook", batch=1, timesteps=10, features=2, units=4),  # the seed notebook's T, D and M
        Shape("one_step", batch=1, timesteps=1, features=3, units=5),
        Shape("batch", batch=3, timesteps=6, features=5, units=4),
        Shape("dynamic_time", batch=2, timesteps=7, features=3, units=5, dynamic_time=True),
    )
}


@dataclass(frozen=True)
class LayerConfig:
    cell: str
    return_sequences: bool
    return_state: bool
    device: str
    shape: Shape
    call_path: str = "layer"
    # Further layer arguments, as sorted (name, value) pairs so that the configuration stays hashable.
    options: tuple[tuple[str, object], ...] = ()
    tf32: bool | None = None  # GPU float32 products in TF32 (True), full float32 (False), or the backend's default

    @property
    def state_names(self) -> tuple[str, ...]:
        return STATE_NAMES[self.cell]

    @property
    def model_key(self) -> "LayerConfig":
        """Configurations that differ only in call path or TF32 setting share one built layer and model."""
        return replace(self, call_path="layer", tf32=None)

    @property
    def matrix_key(self) -> tuple[str, bool, bool, str]:
        return (self.cell, self.return_sequences, self.return_state, self.device)

    @property
    def layer_arguments(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state, **dict(self.options)}

    def describe(self) -> str:
        s = self.shape
        time = "None" if s.dynamic_time else s.timesteps
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.layer_arguments.items())
        precision = "" if self.tf32 is None else f" with TF32 {'enabled' if self.tf32 else 'disabled'}"
        return (
            f"{self.cell}(units={s.units}, {arguments}) on {self.device}{precision} via {self.call_path}, "
            f"input (batch={s.batch}, timesteps={s.timesteps}, features={s.features}), Input time dimension {time}"
        )
