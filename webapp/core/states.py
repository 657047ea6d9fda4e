"""Segment states and change-log action codes: ordered integers that are never reused."""

from enum import IntEnum
from typing import Self

from webapp.core.messages import N_, Message, _l


class Code(IntEnum):
    """An ordered integer code that URLs, the CLI and the JSON API call by its lower-case name."""

    @property
    def slug(self) -> str:
        """Return the name used in URLs, CSS classes, the CLI and the JSON API."""
        return self.name.lower()

    @classmethod
    def from_slug(cls, slug: str) -> Self:
        """Return the member named `slug`, raising the class's `unknown` error for anything else."""
        try:
            return cls[cls.slug_key(slug)]
        except KeyError:
            raise cls.unknown(slug) from None

    @staticmethod
    def slug_key(slug: str) -> str:
        """Return the member name that `slug` stands for."""
        return slug.upper()

    @classmethod
    def unknown(cls, slug: str) -> ValueError:
        """Return the error for a name that is no member ("Unknown state 'x'.")."""
        kind = cls.__name__.lower()
        if kind in _UNKNOWN:
            return ValueError(Message(_UNKNOWN[kind], name=repr(slug)))
        return ValueError(_l("Unknown %(kind)s %(name)s.", kind=kind, name=repr(slug)))


# "Unknown state 'x'.": one sentence per kind of code, for German's own word order.
_UNKNOWN = {
    "state": N_("Unknown state %(name)s."),
    "action": N_("Unknown action %(name)s."),
}


class State(Code):
    """Where a segment stands; ordered so that `state >= TRANSLATED` means a person vouches for it."""

    NEW = 0
    MT = 10
    # Rejected sits below translated: its text is known to need the translator again,
    # so "translated or better" filters and progress bars must not count it.
    REJECTED = 15
    TRANSLATED = 20
    APPROVED = 30

    @property
    def label(self) -> Message:
        """Return the name a person reads in the editor, in their language."""
        return Message(_LABELS[self])


_LABELS = {
    State.NEW: N_("New"),
    State.MT: N_("MT draft"),
    State.REJECTED: N_("Rejected"),
    State.TRANSLATED: N_("Translated"),
    State.APPROVED: N_("Approved"),
}


class Action(Code):
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
    REPLACE = 15
    REPLACE_UNDO = 16
    # The documents dashboard's block (20-29), apart from other features' new codes.
    ASSIGN = 20
    DUE_DATE = 21
    ARCHIVE = 22
    UNARCHIVE = 23
    DELETE_DOCUMENT = 24
    # A glossary entry proposed from the dictionary panel, and an admin's decision on it.
    GLOSSARY_PROPOSE = 30
    GLOSSARY_DECIDE = 31
    # The alignment of an uploaded original (40-49): proposed, then joined or split by a
    # person; accepting it is ALIGN_SOURCE.
    ALIGN_PROPOSAL = 40
    ALIGN_EDIT = 41
    # The spelling word lists (qa/wordlists.py); numbered apart from the others' new codes.
    WORD_ADD = 50
    WORD_REMOVE = 51


class Role(Code):
    """What a person may do; each role may do everything the ones below it may."""

    TRANSLATOR = 10
    EDITOR = 20
    ADMIN = 30

    @staticmethod
    def slug_key(slug: str) -> str:
        """Return the member name that `slug` stands for: a typed role may carry spaces."""
        return slug.strip().upper()

    @property
    def label(self) -> Message:
        """Return the role's name as a person reads it, in their language."""
        return Message(_ROLE_LABELS[self])

    @classmethod
    def unknown(cls, slug: str) -> ValueError:
        """Return RoleError, naming the roles there are."""
        return RoleError(Message(N_("Unknown role %(name)s; use translator, editor or admin."),
                                 name=repr(slug)))


_ROLE_LABELS = {
    Role.TRANSLATOR: N_("translator"),
    Role.EDITOR: N_("editor"),
    Role.ADMIN: N_("admin"),
}


class RoleError(ValueError):
    """A role name that does not exist."""

    error_code = "unknown_role"


# Revision kinds written by the machine, never by a person: they count in no person's
# figures and never stand as the translator in a review diff.
MACHINE_KINDS = frozenset({"import", "mt", "split", "merge", "tm"})
