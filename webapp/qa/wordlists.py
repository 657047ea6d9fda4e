"""The spelling check's word lists: a document's own words, and the team's for a language."""

from __future__ import annotations

import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import _l
from webapp.core.models import MAX_ID, Document, WordListEntry
from webapp.core.states import Action, Role
from webapp.core.text import primary_language
from webapp.glossary.entries import WORD_RE
from webapp.qa.checks import QaError

SCOPES = ("document", "team")
MAX_WORD = 100


class WordListForbidden(QaError):
    """A role that may not change that list."""

    error_code = "role_forbids"


def doc_lang(doc: Document) -> str:
    """Return the language the document's targets are spelled in ("de")."""
    return primary_language(doc.target_lang)


def clean_word(word: object) -> str:
    """Return the word as stored (NFC, trimmed), or raise QaError saying what is wrong."""
    if not isinstance(word, str):
        raise QaError(_l("'word' must be a word, as text."))
    word = unicodedata.normalize("NFC", word.strip())
    if not word:
        raise QaError(_l("Give the word to add."))
    if len(word) > MAX_WORD:
        raise QaError(_l("A word holds at most %(most)s characters.", most=MAX_WORD))
    if any(c.isspace() for c in word) or WORD_RE.fullmatch(word.replace("'", "a")
                                                          .replace("’", "a")) is None:
        raise QaError(_l("“%(word)s” is not one word: letters and digits only (an "
                         "apostrophe inside is fine).", word=word[:40]))
    return word


def _scope(scope: object) -> str:
    if scope not in SCOPES:
        raise QaError(_l("'list' must be 'document' or 'team'."))
    return str(scope)


def may_change(scope: str, role: Role | None) -> bool:
    """Tell whether a role may add to or remove from a list: the team's needs an editor."""
    need = Role.EDITOR if scope == "team" else Role.TRANSLATOR
    return role is not None and role >= need


def _on_lists(doc: Document) -> tuple:
    """Return the conditions of the rows on the document's list or its language's team list."""
    return (WordListEntry.lang == doc_lang(doc),
            or_(WordListEntry.document_id == doc.id, WordListEntry.document_id.is_(None)))


def entries(db: Session, doc: Document) -> list[WordListEntry]:
    """Return the words of the document's list and of the team's list for its language."""
    return list(db.scalars(select(WordListEntry).where(*_on_lists(doc))
                           .order_by(WordListEntry.word, WordListEntry.id)))


def words(db: Session, doc: Document) -> frozenset[str]:
    """Return the words the spelling check accepts for this document."""
    return frozenset(db.scalars(select(WordListEntry.word).where(*_on_lists(doc))))


def add(db: Session, doc: Document, word: object, scope: object, author: str,
        role: Role | None) -> WordListEntry:
    """Add a word to the document's or the team's list, logged as a Change."""
    scope = _scope(scope)
    word = clean_word(word)
    if not may_change(scope, role):
        raise WordListForbidden(_l("Only editors and admins change the team's word list; add "
                                   "the word to this document's list instead."))
    lang = doc_lang(doc)
    owner = doc.id if scope == "document" else None
    same = db.scalar(select(WordListEntry).where(
        WordListEntry.lang == lang, WordListEntry.word == word,
        WordListEntry.document_id.is_(None) if owner is None
        else WordListEntry.document_id == owner))
    if same is not None:
        if scope == "document":
            raise QaError(_l("“%(word)s” is on the document's word list already.", word=word))
        raise QaError(_l("“%(word)s” is on the team's word list already.", word=word))
    row = WordListEntry(document_id=owner, lang=lang, word=word, added_by=author)
    db.add(row)
    db.flush()
    log(db, Action.WORD_ADD, author, doc.id if owner else None, word=word, list=scope,
        lang=lang, entry=row.id, **({} if owner else {"from_document": doc.id}))
    db.commit()
    return row


def remove(db: Session, doc: Document, entry_id: int, author: str,
           role: Role | None) -> WordListEntry:
    """Take a word off the document's or the team's list, logged as a Change."""
    row = db.get(WordListEntry, entry_id) if 0 < entry_id <= MAX_ID else None
    if row is None or row.lang != doc_lang(doc) or row.document_id not in (None, doc.id):
        raise LookupError(_l("That word is not on this document's lists (any more)."))
    if not may_change(row.scope, role):
        raise WordListForbidden(_l("Only editors and admins change the team's word list."))
    scope, word = row.scope, row.word
    db.delete(row)
    log(db, Action.WORD_REMOVE, author, doc.id if scope == "document" else None, word=word,
        list=scope, lang=row.lang, added_by=row.added_by,
        **({} if scope == "document" else {"from_document": doc.id}))
    db.commit()
    return row
