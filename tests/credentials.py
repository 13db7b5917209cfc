"""Stand-in credentials for tests, assembled at run time so no key-like literal sits in the tree."""

from __future__ import annotations


def stand_in(label: str) -> str:
    """A credential-looking value naming what it is for, e.g. stand_in("rejected")."""
    return "-".join(("stand", "in", "credential", label))
