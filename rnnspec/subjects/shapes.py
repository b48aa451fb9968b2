"""The shapes of the inputs subjects are called on.

`units` differs from `features` everywhere, so that a transposed or misplaced weight cannot produce the right shape.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """The input (batch, timesteps, features) of a recurrent layer of `units` units."""

    name: str
    batch: int
    timesteps: int
    features: int
    units: int
    dynamic_time: bool = False  # the model's Input declares the time dimension as None

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.batch, self.timesteps, self.features)


SHAPES = {
    shape.name: shape
    for shape in (
        Shape("notebook", batch=1, timesteps=10, features=2, units=4),  # the seed notebook's T, D and M
        Shape("one_step", batch=1, timesteps=1, features=3, units=5),
        Shape("batch", batch=3, timesteps=6, features=5, units=4),
        Shape("dynamic_time", batch=2, timesteps=7, features=3, units=5, dynamic_time=True),
    )
}
# The chapters on time: a batch of samples of mixed lengths (rnnspec.subjects.masks).
PADDED = Shape("padded", batch=4, timesteps=6, features=3, units=4)


@dataclass(frozen=True)
class DistributedShape:
    """The input of `TimeDistributed` around a recurrent layer: (batch, timesteps, inner_timesteps, features), each
    of the `timesteps` slices a sequence of `inner_timesteps` steps that the wrapped layer reads alone."""

    name: str
    batch: int
    timesteps: int
    inner_timesteps: int
    features: int
    units: int
    dynamic_time = False  # the one path's Input fixes the (outer) time dimension

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.timesteps, self.inner_timesteps, self.features)


# Every dimension differs from the others and from `units`, so that slices taken along the wrong axis, or a
# transposed output, cannot have the right shape.
DISTRIBUTED = DistributedShape("distributed", batch=3, timesteps=4, inner_timesteps=5, features=2, units=6)


@dataclass(frozen=True)
class ConvShape:
    """The input of a convolutional recurrent layer: (batch, timesteps, *spatial, channels) with `channels_first`
    False, (batch, timesteps, channels, *spatial) with it."""

    batch: int
    timesteps: int
    spatial: tuple[int, ...]
    channels: int
    channels_first: bool = False
    dynamic_time = False  # the one path's Input fixes the time dimension

    @property
    def input_shape(self) -> tuple[int, ...]:
        step = (self.channels, *self.spatial) if self.channels_first else (*self.spatial, self.channels)
        return (self.batch, self.timesteps, *step)


def input_text(shape) -> str:
    if isinstance(shape, Shape):
        time = ", Input time dimension None" if shape.dynamic_time else ""
        return f"input (batch={shape.batch}, timesteps={shape.timesteps}, features={shape.features}){time}"
    return f"input {shape.input_shape}"
