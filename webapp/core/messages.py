"""Text for people that the web layer shows in the reader's language; free of Flask."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (singular, plural or None, n or None) -> the text in the current language. core.i18n sets
# it when the app starts; until then, and in the CLI, the text stays English.
Translator = Callable[[str, "str | None", "int | None"], str]
# A parameter as the current locale writes it (1,000 / 1.000).
ParamFormatter = Callable[[Any], str]


def english(singular: str, plural: str | None, n: int | None) -> str:
    """Return the English text: the message id itself, or its plural."""
    return singular if plural is None or n == 1 else plural


def english_param(value: Any) -> str:
    """Write a parameter as English does: thousands with commas."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str.__str__(value) if isinstance(value, str) else str(value)


_translate: Translator = english
_format_param: ParamFormatter = english_param


def set_translator(translate: Translator, format_param: ParamFormatter) -> None:
    """Install the web layer's translation and number formatting."""
    global _translate, _format_param
    _translate, _format_param = translate, format_param


def _render(msgid: str, plural: str | None, n: int | None, params: dict,
            translate: Translator, fmt: ParamFormatter) -> str:
    text = translate(msgid, plural, n)
    if not params:
        return text
    return text % {key: fmt(value) for key, value in params.items()}


class Message(str):
    """A str holding the English text, shown in the reader's language by str() and format().

    Being a str, it is stored, compared and sent as JSON in English (the API's language);
    rendering it (a template, an f-string, str()) translates it at that moment.
    """

    msgid: str
    plural: str | None
    n: int | None
    params: dict

    def __new__(cls, msgid: str, plural: str | None = None, n: int | None = None,
                **params: Any) -> Message:
        """Build the message; %(name)s placeholders take the keyword parameters."""
        if plural is not None or n is not None:  # _l("… %(n)s …", n=3) lands in `n`
            params.setdefault("n", n)
        obj = super().__new__(cls, _render(msgid, plural, n, params, english, english_param))
        obj.msgid, obj.plural, obj.n, obj.params = msgid, plural, n, params
        return obj

    def __str__(self) -> str:
        return _render(self.msgid, self.plural, self.n, self.params, _translate, _format_param)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self):
        # Pickled by the job queue with an exception: rebuild from the id, not the English.
        return (_rebuild, (self.msgid, self.plural, self.n, self.params))

    @property
    def english(self) -> str:
        """Return the English text (the API's language)."""
        return str.__str__(self)


def _rebuild(msgid: str, plural: str | None, n: int | None, params: dict) -> Message:
    return Message(msgid, plural, n, **params)


def _l(msgid: str, **params: Any) -> Message:
    """Mark text for translation; %(name)s placeholders take the keyword parameters."""
    return Message(msgid, **params)


def _ln(singular: str, plural: str, n: int, **params: Any) -> Message:
    """Mark text with a plural for translation; %(n)s is the count."""
    return Message(singular, plural, n, **params)


def N_(msgid: str) -> str:
    """Mark a constant for extraction only; whoever shows it translates it with _l(msgid)."""
    return msgid
