"""Import and export of the formats other translation tools exchange: XLIFF, TMX."""

from webapp.formats.safexml import FormatError

__all__ = ["FormatError"]
