"""The breakages chapter 7 (spec/test_devices_and_kernels.py) catches: a broken kernel choice, a drifting GPU; where
there is no GPU, one is simulated on the CPU (spec/meta/simulated_gpu.py); another backend that drifts, its process
stood in for by this one (the statement skips where that backend is not installed)."""

from rnnspec.installation import BACKENDS, current
from rnnspec.subjects.calls import Call
from rnnspec.subjects.layers import LayerSubject
from rnnspec.subjects.shapes import PADDED, SHAPES
from spec import test_devices_and_kernels as chapter
from spec.meta import breakages as layers_broken
from spec.meta import breakages_kernels as broken
from spec.meta import simulated_gpu as gpu
from spec.meta.catching import Catch


def subject(cell, device="gpu", return_sequences=True, return_state=True, tf32=None, **arguments):
    layer = LayerSubject(cell, return_sequences, return_state, device, PADDED, Call(tf32=tf32), options=tuple(sorted(arguments.items())))
    return {"subject": layer}


def simulated(statement, breakage, arguments):
    return Catch(statement, breakage, arguments, environment=gpu.simulated_gpu)


def compiled(call_path, cell="GRU"):
    return {"subject": LayerSubject(cell, True, True, "cpu", SHAPES["dynamic_time"], Call(call_path))}


CATCHES = [
    Catch(chapter.test_each_call_path_runs_the_recurrent_loop_as_it_says, broken.compiler_falls_back_to_eager, compiled("compiled_function")),
    Catch(chapter.test_each_call_path_runs_the_recurrent_loop_as_it_says, broken.compiler_falls_back_to_eager, compiled("predict_jit_compile", "LSTM")),
    Catch(chapter.test_each_call_path_runs_the_recurrent_loop_as_it_says, broken.jit_compile_quietly_off, compiled("predict_jit_compile", "SimpleRNN")),
    simulated(chapter.test_on_a_gpu_an_eligible_layer_runs_cudnn, gpu.cudnn_silently_falls_back, subject("LSTM")),
    simulated(chapter.test_on_a_gpu_each_ineligible_argument_alone_selects_the_generic_kernel, gpu.cudnn_ignores_ineligible_arguments, subject("GRU", unroll=True)),
    simulated(chapter.test_on_a_gpu_the_mask_decides_the_kernel_as_each_backend_states, gpu.cudnn_takes_any_mask, {**subject("LSTM"), "mask_name": "left_padded"}),
    simulated(chapter.test_the_cpu_runs_the_generic_kernel, gpu.cudnn_runs_on_the_cpu, subject("GRU", device="cpu")),
    simulated(chapter.test_on_a_gpu_outputs_and_states_equal_the_cpus, gpu.cudnn_result_drifts_by_1e_3, subject("LSTM", tf32=False)),
    simulated(chapter.test_on_a_gpu_cudnn_equals_the_generic_kernel, gpu.cudnn_silently_falls_back, subject("GRU")),
    simulated(chapter.test_on_a_gpu_cudnn_equals_the_generic_kernel, gpu.cudnn_result_drifts_by_1e_3, subject("LSTM", return_sequences=False)),
    simulated(chapter.test_under_a_mask_cudnn_writes_zeros_where_the_generic_kernel_repeats_the_last_output, gpu.cudnn_repeats_the_last_output_at_masked_steps, subject("LSTM", return_state=False)),
    simulated(chapter.test_use_cudnn_false_runs_the_generic_kernel_and_the_reference_values, broken.use_cudnn_false_is_ignored, subject("GRU")),
    Catch(chapter.test_use_cudnn_true_is_refused_where_cudnn_cannot_run, broken.use_cudnn_true_falls_back_quietly, subject("LSTM", device="cpu")),
    Catch(chapter.test_use_cudnn_is_auto_by_default_and_refuses_other_values, broken.use_cudnn_defaults_to_false, {"cell": "GRU"}),
    Catch(chapter.test_a_recurrent_layer_builds_and_runs_inside_keras_device, layers_broken.drops_a_unit, {"cell": "SimpleRNN"}),
    Catch(
        chapter.test_the_backends_agree_on_the_cpu, broken.other_backend_drifts_by_1e_3,
        {"backend": next(backend for backend in BACKENDS if backend != current().backend)},
        environment=broken.another_backend_in_this_process,
    ),
]
