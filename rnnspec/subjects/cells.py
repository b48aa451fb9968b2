"""Subjects that are `RNN` over cells: stacked cells (`StackSubject`), and a cell written by a user
(`CustomCellSubject`, rnnspec.subjects.custom_cells). Both are `RNN(..., return_sequences=True, return_state=True)`
on the `batch` shape, called on a batch of any size."""

from dataclasses import dataclass

from rnnspec import installation
from rnnspec.oracle.recurrent import STATE_NAMES
from rnnspec.subjects import custom_cells, seeded
from rnnspec.subjects.calls import Call, Probe
from rnnspec.subjects.layers import recurrent_layer
from rnnspec.subjects.shapes import SHAPES, Shape
from rnnspec.subjects.subject import Subject

# In a stack the lower cell has 4 units and the upper 3, so that states out of order differ in shape too.
STACK_UNITS = (4, 3)


@dataclass(frozen=True)
class StackSubject(Subject):
    """`RNN([lower cell, upper cell], return_sequences=True, return_state=True)` on the `batch` shape."""

    cells: tuple[str, str]  # LSTM, GRU or SimpleRNN, whose cells are LSTMCell, GRUCell, SimpleRNNCell
    device: str
    probe: Probe = Call()
    shape: Shape = SHAPES["batch"]

    fixes_batch = False
    returns_states = True

    def __str__(self) -> str:
        path = getattr(self.probe, "call_path", self.probe.name)
        return "-".join((*self.cells, path, *(("masked",) if self.probe.mask else ())))

    @property
    def units(self) -> dict[str, int]:
        return {f"{cell}Cell": units for cell, units in zip(self.cells, STACK_UNITS)}

    @property
    def layer_returned_names(self) -> tuple[str, ...]:
        """The output, then each cell's states in the cells' order: the lower cell's h (, c), then the upper's."""
        return ("output", *(f"{name} of the {cell}Cell" for cell in self.cells for name in STATE_NAMES[cell]))

    def make_layer(self):
        cells = [recurrent_layer(f"{cell}Cell", units) for cell, units in zip(self.cells, STACK_UNITS)]
        return installation.keras().layers.RNN(cells, return_sequences=True, return_state=True)

    @property
    def seed_parts(self) -> tuple:
        return ("stack", self.cells)

    def parts(self, layer) -> tuple:
        return tuple(layer.cell.cells)

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return tuple(f"{cell} {name}" for cell in self.units for name in STATE_NAMES[cell.removesuffix("Cell")])

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.shape.batch, self.units[name.split()[0]]) for name in self.initial_state_names)

    def initial_state_argument(self, states: list) -> list:
        """One list of states per cell, the lower cell's first, as `RNN` over stacked cells takes them."""
        states, nested = list(states), []
        for cell in self.cells:
            count = len(STATE_NAMES[cell])
            nested.append(states[:count])
            states = states[count:]
        return nested

    @property
    def weight_names(self) -> tuple[str, ...]:
        return tuple(f"{cell} {name}" for cell in self.units for name in ("kernel", "recurrent_kernel", "bias"))

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        s = self.shape
        return ((s.batch, s.timesteps, STACK_UNITS[-1]), *self.initial_state_shapes)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return tuple((cell, True, True, self.device) for cell in self.cells)

    def built_text(self) -> str:
        cells = ", ".join(f"{cell}Cell({units})" for cell, units in zip(self.cells, STACK_UNITS))
        return f"RNN([{cells}], return_sequences=True, return_state=True)"


@dataclass(frozen=True)
class CustomCellSubject(Subject):
    """`RNN(cell, return_sequences=True, return_state=True)` over a cell written by a user: "WideOutputCell", a Keras
    layer, or "PlainCell", a plain class."""

    cell: str
    device: str
    probe: Probe = Call()
    shape: Shape = SHAPES["batch"]

    fixes_batch = False

    @property
    def layer_returned_names(self) -> tuple[str, ...]:
        return ("output", "h")

    def make_layer(self):
        s = self.shape
        if self.cell == "PlainCell":  # not a Keras layer, so it holds its weights from the start
            kernel, recurrent_kernel = seeded.distinct_weights(custom_cells.weight_shapes(s.features, s.units), self.seed)
            cell = custom_cells.PlainCell(kernel, recurrent_kernel)
        else:
            cell = custom_cells.wide_output_cell_class()(s.units)
        return installation.keras().layers.RNN(cell, return_sequences=True, return_state=True)

    @property
    def seed(self) -> int:
        return seeded.seed_for(*self.seed_parts)

    @property
    def seed_parts(self) -> tuple:
        return ("custom cell", self.shape.features, self.shape.units)

    def parts(self, layer) -> tuple:
        return (layer.cell,)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return ((self.cell, True, True, self.device),)

    def built_text(self) -> str:
        return f"RNN({self.cell}({self.shape.units}), return_sequences=True, return_state=True)"
