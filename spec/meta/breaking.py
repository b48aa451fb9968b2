"""The one way the meta-tests break Keras: a method of some Keras classes (layers, and for training an optimizer
or `Model`) replaced for one meta-test.

A breakage is a function of pytest's `monkeypatch`; `replacing` makes one of a function that, given a class's own
method, returns the method to put in its place.
"""

import functools

from rnnspec import installation


def keras_class(class_name: str):
    """A class of the Keras under test, by name: a layer (keras.layers), an optimizer (keras.optimizers) or `Model`."""
    keras = installation.keras()
    for namespace in (keras.layers, keras.optimizers, keras):
        if hasattr(namespace, class_name):
            return getattr(namespace, class_name)
    raise AttributeError(f"Keras has no layer, optimizer or class {class_name!r}")


def replacing(method: str, *class_names: str, name: str | None = None):
    """A decorator making `wrap(original) -> replacement` a breakage, `breakage(monkeypatch, classes=class_names)`,
    that replaces `method` of the named Keras classes (`keras_class`) by what `wrap` makes of each one's own. The
    breakage is called `name`, or after `wrap`."""

    def decorator(wrap):
        def breakage(monkeypatch, classes=class_names):
            for class_name in classes:
                cls = keras_class(class_name)
                original = getattr(cls, method)
                if isinstance(original, property):  # a property's getter is replaced
                    monkeypatch.setattr(cls, method, property(functools.wraps(original.fget)(wrap(original.fget))))
                    continue
                replacement = wrap(original)
                # The replacement keeps the original's signature, which Keras inspects for the mask and training
                # arguments of `call`; but Keras reads __init__'s own signature (getfullargspec) to record arguments.
                if method != "__init__":
                    replacement = functools.wraps(original)(replacement)
                monkeypatch.setattr(cls, method, replacement)

        breakage.__name__ = name or wrap.__name__
        return breakage

    return decorator


def only(class_name: str, breakage):
    """A breakage made by `replacing`, applied to one class in place of those it names, e.g. to the upper layer of a
    stack alone, or to Bidirectional."""
    restricted = functools.partial(breakage, classes=(class_name,))
    restricted.__name__ = f"{breakage.__name__}_in_{class_name}"
    return restricted


def together(name: str, *breakages):
    """One breakage made of several, for methods that must be replaced in agreement."""

    def breakage(monkeypatch):
        for part in breakages:
            part(monkeypatch)

    breakage.__name__ = name
    return breakage
