"""Chinese first (issue #16): every catalogue entry, heading and message in Simplified Chinese by default,
English with --lang en / PERFSCORE_LANG; the message catalogues are gettext .po/.mo kept in step by Babel."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from perfscore import i18n
from perfscore.catalogue import CATALOGUE
from perfscore.i18n import CATALOGUE_FIELDS, catalogue_text, method_label, severity_label
from perfscore.i18n.messages import TEMPLATES, translate, translated
from tests.conftest import REPO, SAMPLES

CJK = re.compile(r"[\u4e00-\u9fff]")


def run_cli(args, lang=None, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "PERFSCORE_LANG"}
    if lang:
        env["PERFSCORE_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "perfscore", *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=REPO, **kwargs)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogue_entry_renders_in_both_languages(code):
    spec = CATALOGUE[code]
    i18n.set_language("zh")
    zh = {field: catalogue_text(spec, field) for field in CATALOGUE_FIELDS}
    i18n.set_language("en")
    en = {field: catalogue_text(spec, field) for field in CATALOGUE_FIELDS}
    assert en == {field: getattr(spec, field) for field in CATALOGUE_FIELDS}
    for field in ("title", "meaning", "fix"):
        assert zh[field] != en[field] and CJK.search(zh[field]), (code, field, "no Chinese: run "
                                                                  "`python -m perfscore.i18n.extract` and translate")
    assert zh["rule"], code


def test_the_compiled_catalogue_is_the_po_file():
    babel = pytest.importorskip("babel.messages.pofile")
    from perfscore.i18n.extract import po_path

    with po_path("zh_CN").open("rb") as fh:
        po = babel.read_po(fh)
    i18n.set_language("zh")
    for message in po:
        if message.id and not message.pluralizable and message.string:
            got = i18n.pgettext(message.context, message.id) if message.context else i18n._(message.id)
            assert got == message.string, message.id


def test_nothing_in_the_code_is_left_untranslated():
    pytest.importorskip("babel")
    from perfscore.i18n.extract import update

    assert update(check=True) == []


def test_words_and_severities():
    i18n.set_language("zh")
    assert (method_label("positive"), method_label("reverse"), method_label("qualitative")) == ("正向", "反向", "定性")
    assert severity_label("error") == "错误" and method_label("my-own-method") == "my-own-method"
    i18n.set_language("en")
    assert method_label("positive") == "positive" and severity_label("error") == "error"


def test_language_choice():
    assert i18n.normalize("zh_CN.UTF-8") == "zh" and i18n.normalize("en-US") == "en"
    with pytest.raises(ValueError):
        i18n.normalize("fr")


def test_finding_messages_of_the_samples_are_translated():
    from perfscore.batch import run
    from perfscore.rules import load_rules

    untranslated = set()
    i18n.set_language("zh")
    for doc in run([SAMPLES], load_rules("national")):
        for finding in [f for form in doc.forms for f in form.findings] + doc.findings:
            if finding.code in TEMPLATES:
                if not translated(finding.code, finding.message):
                    untranslated.add((finding.code, finding.message))
                else:
                    assert CJK.search(translate(finding.code, finding.message).replace(finding.message, ""))
    assert not untranslated, sorted(untranslated)[:5]


def test_a_message_that_fits_no_template_is_shown_as_written():
    i18n.set_language("zh")
    assert translate("total-mismatch", "something new") == "something new"
    assert translate("total-mismatch", "总分 printed 95 but the printed scores add up to 92") == \
        "总分填报 95，但各项填报得分合计为 92"


def test_the_command_speaks_chinese_by_default_and_english_when_asked():
    zh = run_cli(["score", "samples/", "--fail-on", "never"])
    assert zh.returncode == 0, zh.stderr
    assert "汇总：" in zh.stdout and "按规则重算后等级变化" in zh.stdout and "正向" in zh.stdout
    assert "summary:" not in zh.stdout and " positive" not in zh.stdout
    assert "score-deviation" in zh.stdout  # codes stay ASCII
    en = run_cli(["score", "samples/", "--fail-on", "never", "--lang", "en"])
    assert "summary:" in en.stdout and "positive" in en.stdout and "汇总：" not in en.stdout
    env = run_cli(["score", "samples/", "--fail-on", "never"], lang="en")
    assert env.stdout == en.stdout
    explain = run_cli(["explain", "grade-change"])
    assert "按重算总分等级发生变化" in explain.stdout and "改正方法：" in explain.stdout
    assert "How to fix it:" in run_cli(["--lang", "en", "explain", "grade-change"]).stdout
    bad = run_cli(["score", "samples/", "--lang", "fr"])
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_help_is_in_the_language_too():
    assert "重新计分" in run_cli(["score", "--help"]).stdout
    assert "Re-score forms" in run_cli(["score", "--help"], lang="en").stdout


def test_readme_zh_cn_is_linked_and_says_the_same():
    en = (REPO / "README.md").read_text(encoding="utf-8")
    zh = (REPO / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "README.zh-CN.md" in "\n".join(en.splitlines()[:5])
    for text in (en, zh):  # the same commands, in the same order
        assert "pip install -e '.[all]'" in text
    commands = lambda text: re.findall(r"^perfscore [a-z][^#\n]*?(?=\s*(?:#|$))",  # noqa: E731
                                       "\n".join(re.findall(r"```sh\n(.*?)```", text, re.S)), re.M)
    assert commands(zh) == commands(en) and len(commands(en)) > 10
    assert zh.count("\n## ") == en.count("\n## ") and zh.count("\n### ") == en.count("\n### ")
