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


class Role(IntEnum):
    """What a person may do; each role may do everything the ones below it may."""

    TRANSLATOR = 10
    EDITOR = 20
    ADMIN = 30

    @property
    def slug(self) -> str:
        """Return the name used in the CLI, the API and the admin page."""
        return self.name.lower()

    @classmethod
    def from_slug(cls, slug: str) -> "Role":
        """Return the role named `slug`, or raise RoleError."""
        try:
            return cls[slug.strip().upper()]
        except KeyError:
            raise RoleError(f"Unknown role {slug!r}; use translator, editor or admin.") from None


class RoleError(ValueError):
    """A role name that does not exist."""


# Revision kinds written by the machine, never by a person: they count in no person's
# figures and never stand as the translator in a review diff.
MACHINE_KINDS = frozenset({"import", "mt", "split", "merge", "tm"})
