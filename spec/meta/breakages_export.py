"""Exports broken the way a converter could break them: `Model.export` writing a model whose outputs lost the last
state, run backwards in time, or hold h and c in each other's places."""

from rnnspec import installation
from spec.meta.breaking import replacing


def exporting(transform):
    """A breakage whose `Model.export` exports the model with its outputs rewritten: transform(outputs) -> outputs,
    on the model's symbolic outputs (the output, then the states)."""

    @replacing("export", "Model", name=transform.__name__)
    def breakage(original):
        def export(self, filepath, *args, **kwargs):
            keras = installation.keras()
            broken = keras.Model(self.inputs, transform(list(self.outputs)))
            # Called once, as the model it stands for was (Keras's ONNX export refuses a model never called).
            broken(keras.ops.zeros((1, *self.inputs[0].shape[1:])))
            return original(broken, filepath, *args, **kwargs)

        return export

    return breakage


@exporting
def export_drops_the_last_state(outputs):
    return outputs[:-1]


@exporting
def export_reverses_the_time_axis(outputs):
    return [installation.ops().flip(outputs[0], axis=1), *outputs[1:]]


@exporting
def export_swaps_h_and_c(outputs):
    output, h, c = outputs
    return [output, c, h]
