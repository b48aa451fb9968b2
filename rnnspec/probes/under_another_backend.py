"""The process rnnspec.probes.backend_parity starts under another backend: it observes the subjects of its request
through the one observe path, without the cache, and saves what each returned and its weights.

    python -m rnnspec.probes.under_another_backend REQUEST.json RESULT.npz   # with KERAS_BACKEND set
"""

import sys

import numpy as np

from rnnspec.probes.backend_parity import from_json
from rnnspec.probes.observe import observe_fresh


def main(request_path: str, result_path: str) -> None:
    saved = {}
    for index, subject in enumerate(from_json(open(request_path).read())):
        observation = observe_fresh(subject)
        for kind, values in (("arrays", observation.arrays), ("weights", observation.weights)):
            saved[f"{index}/{kind}/count"] = np.array(len(values))
            saved.update({f"{index}/{kind}/{n}": value for n, value in enumerate(values)})
    np.savez(result_path, **saved)


if __name__ == "__main__":
    main(*sys.argv[1:3])
