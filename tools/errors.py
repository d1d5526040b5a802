"""Errors the command line reports as one line, without a traceback."""


class UserError(Exception):
    """Bad input from the user: a missing file, a bad option value, ...

    The message is the whole report; `trapscope` prints it after
    "trapscope COMMAND: error: " and exits with status 2.
    """
