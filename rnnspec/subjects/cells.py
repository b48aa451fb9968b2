"""Subjects that are `RNN` over cells: stacked cells (`StackSubject`), and a cell written by a user
(`CustomCellSubject`, rnnspec.subjects.custom_cells). Both are `RNN(..., return_sequences=True, return_state=True)`
on the `batch` shape (a stack drawn by chapter 15, on a shape of its own), called on a batch of any size."""

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
    """`RNN([cell, ...], return_sequences=True, return_state=True)`, the lowest cell first: the catalogue's two cells
    of STACK_UNITS on the `batch` shape, or cells and units drawn by chapter 15."""

    cells: tuple[str, ...]  # LSTM, GRU or SimpleRNN, whose cells are LSTMCell, GRUCell, SimpleRNNCell
    device: str
    probe: Probe = Call()
    shape: Shape = SHAPES["batch"]
    stack_units: tuple[int, ...] = STACK_UNITS  # each cell's units, in the cells' order

    fixes_batch = False
    returns_states = True

    def __str__(self) -> str:
        path = getattr(self.probe, "call_path", self.probe.name)
        return "-".join((*self.cells, path, *(("masked",) if self.probe.mask else ())))

    @property
    def cell_names(self) -> tuple[str, ...]:
        """Each cell's name in messages, LSTMCell, GRUCell, SimpleRNNCell, numbered from the lowest where a class
        repeats."""
        names = [f"{cell}Cell" for cell in self.cells]
        return tuple(f"{name}{index}" if names.count(name) > 1 else name for index, name in enumerate(names, start=1))

    @property
    def layer_returned_names(self) -> tuple[str, ...]:
        """The output, then each cell's states in the cells' order: the lower cell's h (, c), then the upper's."""
        return ("output", *(f"{name} of the {cell}" for cell, name in self.cell_states))

    @property
    def cell_states(self) -> tuple[tuple[str, str], ...]:
        """(cell name, state name) of every state, the lowest cell's first."""
        return tuple((named, state) for named, cell in zip(self.cell_names, self.cells) for state in STATE_NAMES[cell])

    def make_layer(self):
        cells = [recurrent_layer(f"{cell}Cell", units) for cell, units in zip(self.cells, self.stack_units)]
        return installation.keras().layers.RNN(cells, return_sequences=True, return_state=True)

    @property
    def seed_parts(self) -> tuple:
        drawn = () if (self.stack_units, self.shape) == (STACK_UNITS, SHAPES["batch"]) else (self.stack_units, self.shape)
        return ("stack", self.cells, *drawn)

    def parts(self, layer) -> tuple:
        return tuple(layer.cell.cells)

    @property
    def initial_state_names(self) -> tuple[str, ...]:
        return tuple(f"{cell} {name}" for cell, name in self.cell_states)

    @property
    def initial_state_shapes(self) -> tuple[tuple[int, int], ...]:
        units = dict(zip(self.cell_names, self.stack_units))
        return tuple((self.shape.batch, units[cell]) for cell, _ in self.cell_states)

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
        return tuple(f"{cell} {name}" for cell in self.cell_names for name in ("kernel", "recurrent_kernel", "bias"))

    @property
    def returned_shapes(self) -> tuple[tuple[int, ...], ...]:
        s = self.shape
        states = tuple((s.batch, units) for cell, units in zip(self.cells, self.stack_units) for _ in STATE_NAMES[cell])
        return ((s.batch, s.timesteps, self.stack_units[-1]), *states)

    @property
    def matrix_keys(self) -> tuple[tuple, ...]:
        return tuple((cell, True, True, self.device) for cell in dict.fromkeys(self.cells))

    def built_text(self) -> str:
        cells = ", ".join(f"{cell}Cell({units})" for cell, units in zip(self.cells, self.stack_units))
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
