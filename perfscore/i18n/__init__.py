"""The language perfscore speaks: Simplified Chinese by default, English with `--lang en` or
`PERFSCORE_LANG=en`.

Standard gettext: the source strings are English (`_("Summary")`), their Chinese is in
`locale/zh_CN/LC_MESSAGES/perfscore.po`, compiled to the `.mo` beside it that ships with the package
(`python -m perfscore.i18n.extract` re-extracts with Babel and recompiles; a test checks that the
`.mo` is the `.po`). English needs no catalogue: it is the source.

What is translated is what people read — report headings, messages, method and severity names,
the finding catalogue (`catalogue_text`, keyed by code so that an entry added to `perfscore.catalogue`
shows up in the next extraction) and the findings' messages (`perfscore.i18n.messages`). Finding codes,
JSON field names and JSON values stay stable ASCII: tools match on them.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path
from typing import Any, Final

__all__ = ["DEFAULT", "LANGUAGES", "N_", "_", "catalogue_text", "kind_label", "language", "method_label", "ngettext",
           "pgettext", "set_language", "severity_label"]

DOMAIN: Final = "perfscore"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
LANGUAGES: Final = ("zh", "en")
DEFAULT: Final = "zh"
ENV: Final = "PERFSCORE_LANG"
_LOCALES: Final = {"zh": "zh_CN"}
_ALIASES: Final = {"zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "zh_hans": "zh", "zh-hans": "zh", "cn": "zh",
                   "chinese": "zh", "en": "en", "en_us": "en", "en-us": "en", "en_gb": "en", "english": "en",
                   "c": "en", "posix": "en"}


class _State:
    lang: str | None = None
    translations: gettext.NullTranslations | None = None


_state = _State()


def normalize(lang: str) -> str:
    """`zh`, `zh_CN.UTF-8`, `en-US` … → "zh" or "en"; ValueError for anything else."""
    key = lang.strip().split(".")[0].casefold()
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown language {lang!r}: choose zh or en")


def set_language(lang: str | None = None) -> str:
    """Speak `lang`; None: `PERFSCORE_LANG`, else Chinese. Returns the language now spoken. An unknown
    `PERFSCORE_LANG` falls back to Chinese rather than failing every command."""
    if lang is None:
        try:
            lang = normalize(os.environ.get(ENV, "") or DEFAULT)
        except ValueError:
            lang = DEFAULT
    else:
        lang = normalize(lang)
    locale = _LOCALES.get(lang)
    _state.lang = lang
    _state.translations = (gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True)
                           if locale else gettext.NullTranslations())
    return lang


def language() -> str:
    if _state.lang is None:
        set_language()
    assert _state.lang is not None
    return _state.lang


def _tr() -> gettext.NullTranslations:
    if _state.translations is None:
        set_language()
    assert _state.translations is not None
    return _state.translations


def _(message: str) -> str:
    return _tr().gettext(message)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; `_` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _tr().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _tr().pgettext(context, message)


# --- the engine's words, shown in the reader's language ----------------------------------------------

SEVERITY_WORDS: Final = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
METHOD_WORDS: Final = {
    "positive": N_("positive"), "reverse": N_("reverse"), "equal": N_("equal"), "range": N_("range"),
    "qualitative": N_("qualitative"), "unscorable": N_("unscorable"), "formula": N_("formula"),
    "linear": N_("linear"), "table": N_("table"), "fixed": N_("fixed"), "reported": N_("reported"),
}
KIND_WORDS: Final = {"project": N_("project"), "department": N_("department"), "target_report": N_("target_report")}
CATALOGUE_FIELDS: Final = ("title", "meaning", "fix", "rule")


def severity_label(severity: str) -> str:
    """`error` → 错误 (in Chinese); the code itself in English."""
    word = SEVERITY_WORDS.get(severity)
    return _(word) if word else severity


def method_label(method: str) -> str:
    """A scoring method's name (`positive` → 正向); a method the rule set invented is shown as it is."""
    word = METHOD_WORDS.get(method)
    return _(word) if word else method


def kind_label(kind: str) -> str:
    word = KIND_WORDS.get(kind)
    return _(word) if word else kind


def catalogue_text(spec: Any, field: str) -> str:
    """A catalogue entry's title, meaning, fix or rule in the reader's language: translated under the
    context `code:field`, so an entry's text is found by its code and an edited English text shows in
    English until it is translated again (never a stale translation)."""
    text: str = getattr(spec, field)
    return pgettext(f"{spec.code}:{field}", text)
