"""The two kinds of failure a user can meet, kept apart so each gets the right response.

Bad input (an answers file that is not JSON, an age of -3) is the user's to fix: the CLI prints
one line and exits 2, the web API answers 4xx. A broken knowledge file is the maintainers' to
fix: it fails at load, naming the file and the entry, before any advice is given from it.
"""


class FacespasmError(Exception):
    """Base class for every error facespasm reports to a person rather than as a traceback."""


class InputError(FacespasmError, ValueError):
    """Input from the user (answers, files, values) that cannot be used as given."""


class NotFoundError(InputError):
    """An entry asked for by its id or date that the person's diary does not hold."""


class ConflictError(InputError):
    """A change, sound in itself, that conflicts with what the diary holds (a later wear-off)."""


class OutdatedDatabaseError(InputError):
    """A diary database whose schema is not the one this facespasm needs: `facespasm db upgrade`."""


class KnowledgeError(FacespasmError):
    """A knowledge-base file that is missing, malformed or inconsistent."""


class VideoError(InputError):
    """A video that cannot be analysed as given: unreadable, unsupported, or without a face."""
