"""Chinese text as it really arrives, made matchable: pinyin glosses out, simplified characters, plain operators.

Mirror sites republish forms in traditional characters with a pinyin gloss after many of them
(``項(xiàng)目``, ``預(yù)算數(shù)(A)``); PDF extraction gives full-width letters, Kangxi radicals (``⼈`` for
``人``) and look-alike operators (``≧``, ``═``, ``﹦``). :func:`normalise` undoes all of that before labels
are matched, so one vocabulary serves every copy. Each step is a single linear pass (``str.translate``,
one regex whose matches are bounded in length, OpenCC's converter), so hostile input costs linear time.

Traditional → simplified is OpenCC's ``t2s`` (the maintained converter; a wheel on every platform). If it
is missing, the hand-made table in ``indicators/vocabulary.yaml`` (``normalise.characters``) is used.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

__all__ = ["converter_name", "fold_forms", "normalise", "strip_pinyin", "to_simplified"]

# --------------------------------------------------------------------------------------- pinyin

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüḿńňǹ"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A gloss: a parenthesised run of (toned) latin letters right after a CJK character. Bounded length, so
# each match costs O(1) and the whole pass stays linear.
_GLOSS = re.compile(rf"(?<=[{_CJK}])[(（]([a-z{_TONED}]{{1,12}})[)）]")
_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = (r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|ia|ie|iu"
          r"|ua|uo|ui|ve|ue|a|o|e|i|u|v)")
_SYLLABLE = re.compile(rf"(?:{_INITIAL}{_FINAL}|hng|hm|ng|n|m)")


def _toneless(s: str) -> str:
    """Tone marks off, ü as v: ``lǜ`` → ``lv``."""
    s = s.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


def _is_syllable(word: str) -> bool:
    return _SYLLABLE.fullmatch(_toneless(word)) is not None


def strip_pinyin(text: str) -> str:
    """Remove pinyin glosses: ``項(xiàng)目`` → ``項目``; ``(万元)``, ``(A)``, ``(B/A)``, ``(50分)`` stay.

    A gloss is one lowercase pinyin syllable in parentheses right after a CJK character. One with a tone
    mark is always a gloss; a toneless one (``(de)``, ``(ge)``) only where the text also has toned glosses,
    so ``面积(ha)`` in an ordinary form keeps its unit.
    """
    if "(" not in text and "（" not in text:
        return text
    toned = set(_TONED)
    glossed = any(toned.intersection(m.group(1)) and _is_syllable(m.group(1)) for m in _GLOSS.finditer(text))

    def drop(m: re.Match[str]) -> str:
        word = m.group(1)
        if not _is_syllable(word):
            return m.group(0)
        if glossed or toned.intersection(word):
            return ""
        return m.group(0)

    return _GLOSS.sub(drop, text) if glossed else text


# ------------------------------------------------------------------------------- width and operators

# NFKC only where it is safe: full-width ASCII, small form variants (﹣ ﹪ ﹙), CJK compatibility
# ideographs and Kangxi/CJK radicals that PDF extraction gives for ordinary characters. Not applied to
# circled or superscript digits (①, ²) or ㎡: those would become numbers nobody printed.
_NFKC_RANGES = ((0xFF01, 0xFF5F), (0xFE50, 0xFE6C), (0xF900, 0xFB00), (0x2F00, 0x2FE0), (0x2E80, 0x2F00))
_OPERATORS = {"≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "═": "=", "﹦": "=", "＝": "=", "＜": "<", "＞": ">",
              "﹤": "<", "﹥": ">", "−": "-", "－": "-", "﹣": "-"}
_VARIANTS = {"値": "值", "\u3000": " "}


def _form_table(operators: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if folded != chr(cp) and folded.strip():
                table[cp] = folded
    for ch, to in _VARIANTS.items():
        table[ord(ch)] = to
    if operators:
        table.update({ord(k): v for k, v in _OPERATORS.items()})
    else:  # only the full-width forms, which every reader folds silently anyway
        for k in _OPERATORS:
            if not 0xFF01 <= ord(k) < 0xFF5F:
                table.pop(ord(k), None)
    return table


_TABLES = {True: _form_table(True), False: _form_table(False)}


def fold_forms(text: str, *, operators: bool = True) -> str:
    """Full-width letters, digits and punctuation to ASCII, radicals to characters, look-alike operators
    (``≧ ≦ ═ ﹦ ＝ ＜ ＞``) to ``≥ ≤ = < >`` unless ``operators`` is false (the value parser reports some of
    them as ``operator-alias``, so a value cell may want them kept)."""
    return text.translate(_TABLES[operators])


# --------------------------------------------------------------------------- traditional → simplified

@functools.lru_cache(maxsize=1)
def _converter() -> tuple[str, Callable[[str], str]]:
    try:
        import opencc

        for config in ("t2s", "t2s.json"):  # 1.1.x wants the file name, newer versions either
            try:
                convert = opencc.OpenCC(config).convert
            except Exception:  # noqa: BLE001 - try the other spelling
                continue
            if convert("績效") == "绩效":
                return "opencc", convert
    except Exception:  # noqa: BLE001 - missing, or another package that took the module name
        pass
    from perfscore.values import default_vocabulary

    chars = default_vocabulary().data.get("normalise", {}).get("characters") or {}
    table = {ord(str(k)): str(v) for k, v in chars.items() if len(str(k)) == 1 and ord(str(k)) >= 0x3400}
    return "vocabulary", lambda s: s.translate(table)


def converter_name() -> str:
    """``"opencc"``, or ``"vocabulary"`` when OpenCC is not installed (the hand-made table is used)."""
    return _converter()[0]


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC ``t2s``); simplified text comes back unchanged."""
    if text.isascii():
        return text
    return _converter()[1](text)


def normalise(text: str, *, operators: bool = True) -> str:
    """Text ready for label matching: forms folded, pinyin glosses removed, simplified characters.

    ``績(jī)效目標(biāo)自評表`` → ``绩效目标自评表``; ``≧90％`` → ``≥90%``. Line breaks and spacing are kept,
    so a reader can still see the layout; the length changes only where glosses are removed.
    """
    if not text:
        return text
    return to_simplified(strip_pinyin(fold_forms(text, operators=operators)))
