"""Database tables, one module per concern; every model is importable from here."""

from webapp.core.models.accounts import ApiToken, LoginSession, RateCounter, User
from webapp.core.models.alignment import AlignmentProposal
from webapp.core.models.base import MAX_ID, Base, utcnow
from webapp.core.models.documents import (
    Change,
    Comment,
    Document,
    Job,
    Presence,
    ReplaceBatch,
    Revision,
    Segment,
)
from webapp.core.models.glossary import (
    GlossaryEntry,
    GlossaryImport,
    GlossaryMeta,
    GlossaryProposal,
    QaDismissal,
)
from webapp.core.models.interchange import DocumentFormat, SegmentUnit
from webapp.core.models.memory import MemoryUnit
from webapp.core.models.progress import DocumentProgress
from webapp.core.models.scores import DocumentScore, ReferenceText, RevisionScore, SegmentScore
from webapp.core.models.wordlists import WordListEntry

__all__ = [
    "MAX_ID", "AlignmentProposal", "ApiToken", "Base", "Change", "Comment", "Document",
    "DocumentFormat", "DocumentProgress", "DocumentScore",
    "GlossaryEntry", "GlossaryImport", "GlossaryMeta", "GlossaryProposal", "Job", "LoginSession",
    "MemoryUnit", "Presence", "QaDismissal", "RateCounter", "ReplaceBatch", "ReferenceText",
    "Revision", "RevisionScore",
    "Segment", "SegmentScore", "SegmentUnit", "User", "utcnow",
    "WordListEntry",
]
