"""Segment states and change-log action codes: ordered integers that are never reused."""

from enum import IntEnum


class State(IntEnum):
    """Where a segment stands; ordered so that `state >= TRANSLATED` means a person vouches for it."""

    NEW = 0
    MT = 10
    # Rejected sits below translated: its text is known to need the translator again,
    # so "translated or better" filters and progress bars must not count it.
    REJECTED = 15
    TRANSLATED = 20
    APPROVED = 30

    @property
    def label(self) -> str:
        """Return the name a person reads in the editor."""
        return _LABELS[self]

    @property
    def slug(self) -> str:
        """Return the name used in URLs, CSS classes and the JSON API."""
        return self.name.lower()

    @classmethod
    def from_slug(cls, slug: str) -> "State":
        """Return the state named by `slug`, raising ValueError for anything else."""
        try:
            return cls[slug.upper()]
        except KeyError:
            raise ValueError(f"Unknown state {slug!r}.") from None


_LABELS = {
    State.NEW: "New",
    State.MT: "MT draft",
    State.REJECTED: "Rejected",
    State.TRANSLATED: "Translated",
    State.APPROVED: "Approved",
}


class Action(IntEnum):
    """What a change-log row records; codes are stable and never reused."""

    IMPORT = 1
    MT = 2
    EDIT = 3
    STATE = 4
    COMMENT = 5
    RESTORE = 6
    SPLIT = 7
    MERGE = 8
    BACK_TRANSLATION = 9
    ALIGN_SOURCE = 10
    EXPORT = 11
    QA_DISMISS = 12
    GLOSSARY = 13
    QA_REOPEN = 14
