"""The one error type a user sees: a file and the cause, on one line."""


class InputError(Exception):
    """Bad input: the message names the file and what is wrong with it."""

    def __init__(self, path, cause: str):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")
