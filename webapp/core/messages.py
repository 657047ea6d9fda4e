"""Text for people that the web layer shows in the reader's language; free of Flask."""

from __future__ import annotations

import json
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
    values = {key: fmt(value) for key, value in params.items()}
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        # A translation whose placeholders do not match (the catalogue test forbids it):
        # the English, rather than a failed page.
        return english(msgid, plural, n) % values


class Message(str):
    """A str holding the English text, shown in the reader's language by str() and format().

    Being a str, it is stored, compared and sent as JSON in English (the API's language);
    rendering it (a template, an f-string, str()) translates it at that moment.
    """

    msgid: str
    plural: str | None
    n: int | None
    params: dict

    def __new__(cls, msgid: str, plural: str | None = None, n: int | None = None, /,
                **params: Any) -> Message:
        """Build the message; %(name)s placeholders take the keyword parameters."""
        if plural is not None:
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
    params = dict(params)
    if plural is not None:
        params.pop("n", None)  # set again from n
    return Message(msgid, plural, n, **params)


# A stored message starts with this: its id and parameters follow as JSON, so a page can
# show it in the reader's language long after it was written (a job's progress line).
STORED = "\x1emsg:"


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$msg": [value.msgid, value.plural, value.n, _params(value)]}
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


def _params(msg: Message) -> dict:
    return {k: _plain(v) for k, v in msg.params.items()
            if not (msg.plural is not None and k == "n")}


def dump(text: str) -> str:
    """Return `text` as stored: a Message keeps its id and parameters, plain text stays."""
    if isinstance(text, Message):
        return STORED + json.dumps([text.msgid, text.plural, text.n, _params(text)],
                                   ensure_ascii=False)
    return text


def _revive(value: Any) -> Any:
    if isinstance(value, dict) and "$msg" in value:
        msgid, plural, n, params = value["$msg"]
        return Message(msgid, plural, n, **{k: _revive(v) for k, v in params.items()})
    return value


def load(stored: str) -> str:
    """Return stored text as a Message again (or as it is, when it was plain text)."""
    if not isinstance(stored, str) or not stored.startswith(STORED):
        return stored
    try:
        msgid, plural, n, params = json.loads(stored[len(STORED):])
        return Message(msgid, plural, n, **{k: _revive(v) for k, v in params.items()})
    except (ValueError, TypeError, KeyError):
        return stored[len(STORED):]


class Joined(str):
    """Messages joined by `sep`: English as a str, each part translated when shown."""

    def __new__(cls, parts: list[str], sep: str = " ") -> Joined:
        """Join `parts` (Messages or plain text)."""
        obj = super().__new__(cls, sep.join(str.__str__(p) if isinstance(p, str) else str(p)
                                            for p in parts))
        obj.parts, obj.sep = list(parts), sep
        return obj

    def __str__(self) -> str:
        return self.sep.join(str(part) for part in self.parts)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def of(exc: BaseException) -> str:
    """Return an exception's text for a person: its Message itself when it holds one, so a
    stored copy (a failed job's line) can still be shown in the reader's language."""
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)


def _l(msgid: str, /, **params: Any) -> Message:
    """Mark text for translation; %(name)s placeholders take the keyword parameters."""
    return Message(msgid, **params)


def _ln(singular: str, plural: str, n: int, /, **params: Any) -> Message:
    """Mark text with a plural for translation; %(n)s is the count."""
    return Message(singular, plural, n, **params)


def N_(msgid: str) -> str:
    """Mark a constant for extraction only; whoever shows it translates it with _l(msgid)."""
    return msgid
