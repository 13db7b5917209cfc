"""One exception hierarchy. Every message names the thing and says how to fix it.

Pages catch `PlaygroundError` and show `str(error)`; the CLI prints it and exits 2.
"""


class PlaygroundError(Exception):
    """Base class for every error the playground reports to a user."""


class BadInputError(PlaygroundError):
    """A file, question or value the user supplied cannot be used as it is."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class ConfigError(PlaygroundError):
    """A configuration value is invalid; the message quotes it and the allowed values."""


class CorpusNotFoundError(PlaygroundError):
    """No corpus (or no document in it) has the requested id or name."""


class StoreError(PlaygroundError):
    """The data folder cannot be read or written."""


class BackendError(PlaygroundError):
    """A model server or API failed: unreachable, key rejected, unknown model, overflow."""
