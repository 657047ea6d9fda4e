"""BLEU, chrF and TER of MT drafts against post-edits via sacrebleu, and the hashes of texts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER

from webapp.core.messages import _ln

# Metric objects are built once per process: building them compiles the tokenisers' regular
# expressions, and their tokenisers memoise segments, so re-scoring a document after a save
# only re-tokenises the segments that changed. sacrebleu's defaults are kept so that every
# figure can be reproduced with the plain `sacrebleu` command line.
_CORPUS_BLEU = BLEU()
# A single sentence rarely has a matching 4-gram; sacrebleu recommends effective order for
# sentence-level BLEU so that such a sentence is not scored 0 outright.
_SENTENCE_BLEU = BLEU(effective_order=True)
_CHRF = CHRF()
_TER = TER()

# Part of every fingerprint: bump it whenever a metric setting above changes, so that cached
# scores computed with the old settings are no longer found.
_SCORING_SCHEME = "bleu13a-exp/chrf6-0-2/ter-default/1"


@dataclass(frozen=True)
class SegmentScores:
    """Sentence-level BLEU, chrF and TER of one hypothesis against one reference (0-100 scale)."""

    bleu: float
    chrf: float
    ter: float


@dataclass(frozen=True)
class CorpusScores:
    """Corpus-level BLEU, chrF and TER with the sacrebleu signature of each metric."""

    bleu: float
    chrf: float
    ter: float
    signature: dict[str, str]
    n_segments: int


@dataclass(frozen=True)
class RevisionScores:
    """A revision scored against the revision before it and against the MT draft."""

    against_previous: SegmentScores
    against_mt: SegmentScores


class ReferenceMismatchError(ValueError):
    """An uploaded reference whose segment count differs from the document's."""

    error_code = "reference_mismatch"

    def __init__(self, found: int, expected: int):
        self.found = found
        self.expected = expected
        super().__init__(_ln("The reference has %(n)s segment; the document has %(expected)s.",
                             "The reference has %(n)s segments; the document has %(expected)s.",
                             found, expected=expected))


def score_segment(hypothesis: str, reference: str) -> SegmentScores:
    """Score one hypothesis against one reference exactly as sacrebleu's sentence_score does."""
    return SegmentScores(
        bleu=_SENTENCE_BLEU.sentence_score(hypothesis, [reference]).score,
        chrf=_CHRF.sentence_score(hypothesis, [reference]).score,
        ter=_TER.sentence_score(hypothesis, [reference]).score,
    )


def score_corpus(
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    more_references: Sequence[Sequence[str]] = (),
) -> CorpusScores:
    """Score aligned hypotheses against references with sacrebleu's corpus_score."""
    hypotheses = list(hypotheses)
    streams = [list(references), *(list(stream) for stream in more_references)]
    if not hypotheses:
        raise ValueError("A document without segments has no corpus score.")
    for stream in streams:
        if len(stream) != len(hypotheses):
            raise ValueError(
                f"{counted(len(hypotheses), 'hypothesis', 'hypotheses')} "
                f"but {counted(len(stream), 'reference')}."
            )
    bleu = _CORPUS_BLEU.corpus_score(hypotheses, streams)
    chrf = _CHRF.corpus_score(hypotheses, streams)
    ter = _TER.corpus_score(hypotheses, streams)
    return CorpusScores(
        bleu=bleu.score,
        chrf=chrf.score,
        ter=ter.score,
        signature={
            "bleu": _signature(_CORPUS_BLEU, len(streams)),
            "chrf": _signature(_CHRF, len(streams)),
            "ter": _signature(_TER, len(streams)),
        },
        n_segments=len(hypotheses),
    )


def score_revision(text: str, previous_text: str | None, mt_text: str) -> RevisionScores:
    """Score a revision against the previous revision (or the MT draft if first) and the MT."""
    # The older text is the hypothesis and the newer the reference, as MT against post-edit,
    # so TER reads as the share of the new text that this pass had to change.
    if previous_text is None:
        previous_text = mt_text
    return RevisionScores(
        against_previous=score_segment(previous_text, text),
        against_mt=score_segment(mt_text, text),
    )


def score_against_reference(
    mt: Sequence[str], post_edited: Sequence[str], reference: Sequence[str]
) -> dict[str, CorpusScores]:
    """Score the MT drafts and the post-edited targets each against an uploaded reference."""
    if len(mt) != len(post_edited):
        raise ValueError(
            f"{counted(len(mt), 'MT draft')} but {counted(len(post_edited), 'post-edited target')}."
        )
    if len(reference) != len(mt):
        raise ReferenceMismatchError(found=len(reference), expected=len(mt))
    return {
        "mt": score_corpus(mt, reference),
        "post_edited": score_corpus(post_edited, reference),
    }


def digest(*texts: str, prefix: bytes = b"") -> str:
    """Return a SHA-256 hex digest of texts that tells ("ab", "c") from ("a", "bc")."""
    h = hashlib.sha256(prefix)
    for text in texts:
        data = text.encode("utf-8")
        # Length prefixes keep ("ab", "c") and ("a", "bc") from hashing alike.
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def document_fingerprint(pairs: Iterable[tuple[str, str]]) -> str:
    """Return a stable hash of a document's (MT, target) pairs to key its cached scores."""
    # The sacrebleu version is hashed in because an upgrade may change the figures.
    scheme = f"{_SCORING_SCHEME}|sacrebleu {sacrebleu.__version__}|".encode()
    return digest(*(text for pair in pairs for text in pair), prefix=scheme)


def _signature(metric: BLEU | CHRF | TER, n_references: int) -> str:
    """Return a metric's sacrebleu signature string for the given number of references."""
    signature = metric.get_signature()
    # The metric objects are shared, so another thread may have scored with a different
    # number of references since this call did; state this call's count explicitly.
    signature.update("nrefs", n_references)
    return signature.format()


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """Return "1 segment" or "12 segments"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
