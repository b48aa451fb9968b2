"""The tools around the spec: behaviour snapshots (`snapshot`), the version matrix, its results and bisection
(`version_matrix`, `matrix_results`, `bisect`), the GPU report and the offline wheelhouse (`gpu_report`,
`wheelhouse`), the throughput plot (`throughput_plot`), and the architecture's diagram (`architecture`)."""
