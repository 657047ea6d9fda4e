"""Glossary entries proposed by translators and editors, and an admin's accept or decline."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import _l
from webapp.core.models import GlossaryProposal, utcnow
from webapp.core.states import Action
from webapp.glossary import store
from webapp.glossary.entries import Entry, GlossaryError

MAX_ORIGIN = 500
MAX_REASON = 1000
# Open proposals one person may have at once: a stuck key must not fill the admin's list.
MAX_OPEN_PER_PERSON = 200


class ProposalError(GlossaryError):
    """A proposal that cannot be made or decided, said for a person."""

    error_code = "proposal_refused"


def require_terms(entry: Entry, *langs: str) -> Entry:
    """Refuse an entry from the dictionary panel that lacks a term in one of langs."""
    for lang in langs:
        if not entry.terms.get(lang):
            raise ProposalError(_l("empty term: the entry needs its %(lang)s term", lang=lang))
    return entry


def entry_of(proposal: GlossaryProposal) -> Entry:
    """Return the entry a proposal holds."""
    return Entry(**proposal.entry)


def propose(db: Session, snap: store.Snapshot, entry: Entry, author: str, origin: str = "",
            document_id: int | None = None) -> GlossaryProposal:
    """Record a proposed entry for an admin to decide on; refuse one the glossary would refuse."""
    store.check_languages(entry, snap.languages)
    if entry.key in snap.glossary:
        raise ProposalError(_l("the glossary already has “%(key)s”; ask an admin to edit it",
                                key=entry.key))
    same = db.scalar(select(GlossaryProposal.id).where(
        GlossaryProposal.status == "open",
        GlossaryProposal.entry_json == _json(entry)))
    if same is not None:
        raise ProposalError(_l("“%(key)s” is proposed already and waits for an admin", key=entry.key))
    mine = db.scalar(select(func.count()).select_from(GlossaryProposal).where(
        GlossaryProposal.status == "open", GlossaryProposal.proposed_by == author)) or 0
    if mine >= MAX_OPEN_PER_PERSON:
        raise ProposalError(_l("you have %(n)s proposals waiting; an admin decides on those first",
                                n=mine))
    row = GlossaryProposal(entry_json=_json(entry), origin=origin.strip()[:MAX_ORIGIN],
                           document_id=document_id, proposed_by=author, reason="")
    db.add(row)
    db.flush()
    log(db, Action.GLOSSARY_PROPOSE, author, document_id, proposal=row.id, key=entry.key,
        entry=entry.to_dict(), origin=row.origin)
    db.commit()
    return row


def _json(entry: Entry) -> str:
    return json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True)


def open_proposals(db: Session) -> list[GlossaryProposal]:
    """Return the proposals waiting for a decision, oldest first."""
    return list(db.scalars(select(GlossaryProposal).where(GlossaryProposal.status == "open")
                           .order_by(GlossaryProposal.id)))


def recently_decided(db: Session, limit: int = 10) -> list[GlossaryProposal]:
    """Return the latest decisions, newest first, so a proposer sees what became of theirs."""
    return list(db.scalars(select(GlossaryProposal).where(GlossaryProposal.status != "open")
                           .order_by(GlossaryProposal.decided_at.desc(),
                                     GlossaryProposal.id.desc()).limit(limit)))


def _check_open(proposal: GlossaryProposal) -> None:
    if proposal.status != "open":
        if proposal.status == "accepted":
            raise ProposalError(_l("this proposal was accepted by %(admin)s already",
                                   admin=proposal.decided_by))
        if proposal.status == "declined":
            raise ProposalError(_l("this proposal was declined by %(admin)s already",
                                   admin=proposal.decided_by))
        raise ProposalError(_l("this proposal was %(status)s by %(admin)s already",
                               status=proposal.status, admin=proposal.decided_by))


def accept(db: Session, snap: store.Snapshot, proposal: GlossaryProposal, admin: str,
           entry: Entry | None = None) -> GlossaryProposal:
    """Add the proposed entry (or the admin's corrected version of it) to the glossary."""
    _check_open(proposal)
    entry = entry or entry_of(proposal)
    _decide(db, proposal, "accepted", admin, "", key=entry.key)
    # add_entry validates and commits the entry, the decision and both log rows together.
    store.add_entry(db, snap, entry, admin)
    return proposal


def decline(db: Session, proposal: GlossaryProposal, admin: str, reason: str) -> GlossaryProposal:
    """Turn a proposal down, with the reason its author will read."""
    _check_open(proposal)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ProposalError(_l("the reason is longer than %(max)s characters", max=MAX_REASON))
    _decide(db, proposal, "declined", admin, reason, key=entry_of(proposal).key)
    db.commit()
    return proposal


def _decide(db: Session, proposal: GlossaryProposal, status: str, admin: str, reason: str,
            key: str) -> None:
    # Conditional, so that of two admins deciding at once only the first one counts.
    done = db.execute(update(GlossaryProposal).where(
        GlossaryProposal.id == proposal.id, GlossaryProposal.status == "open").values(
        status=status, decided_by=admin, decided_at=utcnow(), reason=reason))
    if done.rowcount != 1:
        db.rollback()
        db.refresh(proposal)
        _check_open(proposal)
        raise ProposalError(_l("this proposal was decided meanwhile"))
    db.refresh(proposal)
    log(db, Action.GLOSSARY_DECIDE, admin, proposal.document_id, proposal=proposal.id,
        status=status, key=key, reason=reason, proposed_by=proposal.proposed_by)
