"""Import and export of the formats other translation tools exchange: XLIFF, TMX."""

from webapp.interchange.formats.safexml import FormatError

__all__ = ["FormatError"]
