"""rnnspec: an executable specification of Keras recurrent layers.

The statements live in ``spec/``; this package is what they run on, in layers that import only those below them
(docs/architecture.md): ``oracle``, ``installation``, ``subjects``, ``probes``, ``statements``, ``divergences``,
``plugin``, ``tools``.
"""
