"""Support code of the rnnspec conformance suite.

The spec statements live in ``spec/``; this package holds what they share: the configurations of the case
catalogue, seeded data, model builders, tolerances, assertion helpers, the NumPy reference, and the pytest
plugin that selects the backend and reports the behaviour matrix.
"""
