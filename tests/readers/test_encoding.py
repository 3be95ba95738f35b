"""Bytes to text: every encoding Chinese forms arrive in is detected and named; non-text is one line."""

from __future__ import annotations

import pytest

from perfscore.errors import ReadError
from perfscore.readers.encoding import decode

FORM = (
    "2023年度项目支出绩效自评表\n"
    "项目名称\t巡察专项经费\n"
    "项目资金（万元）\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n"
    "年度资金总额\t80\t79.988524\t79.988524\t10\t100%\t10\n"
    "产出指标\t数量指标\t开展巡察轮次\t≥2轮\t2轮\t20\t20\n"
    "满意度指标\t服务对象满意度\t群众满意度\t≥95%\t96%\t10\t10\n"
)
TRADITIONAL = "績效目標自評表\t全年預算數\t全年執行數\t年度資金總額\t項目名稱\n"


@pytest.mark.parametrize(("codec", "name"), [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16-le"),  # Python writes a little-endian BOM
    ("utf-16-le", "utf-16-le"),  # no BOM: found by the NULs of the ASCII digits and tabs
    ("utf-16-be", "utf-16-be"),
    ("utf-32", "utf-32-le"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("gb2312", "gb18030"),
])
def test_each_encoding_is_detected_and_named(codec, name):
    text = FORM if codec == "gb2312" else FORM + TRADITIONAL
    got, used = decode(text.encode(codec), "form.txt")
    assert got == text
    assert used == name


def test_big5_is_not_read_as_gbk_mojibake():
    text = TRADITIONAL * 3 + "產出指標\t數量指標\t2輪\n"
    got, used = decode(text.encode("big5"), "form.txt")
    assert (got, used) == (text, "big5")


def test_gb18030_four_byte_characters():
    text = FORM + "㐀䶵 𠀀 €\n"  # CJK extension A/B and the euro sign: four-byte GB18030 sequences
    assert decode(text.encode("gb18030"), "form.txt") == (text, "gb18030")


def test_damaged_utf8_stays_utf8():
    data = (FORM * 3).encode()
    cut = data + "績".encode()[:2]  # a download cut inside its last character
    got, used = decode(cut, "form.txt")
    assert got.startswith(FORM * 3) and used == "utf-8 (1 invalid byte replaced)"
    broken = data[:40] + b"\xff" + data[40:]
    got, used = decode(broken, "form.txt")
    assert used.startswith("utf-8 (") and "项目支出绩效自评表" in got


def test_gbk_is_not_taken_for_damaged_utf8():
    got, used = decode((FORM * 20).encode("gbk"), "form.txt")
    assert used == "gb18030" and got == FORM * 20


def test_empty_and_ascii():
    assert decode(b"", "f.txt") == ("", "utf-8")
    assert decode(b"total 100\n", "f.txt") == ("total 100\n", "utf-8")


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 40,
    b"\x00\x01\x02\x03\xfe\xff" * 500,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    b"\xfe\xff\xd8\x00",  # a UTF-16 BOM, then an unpaired surrogate
])
def test_binary_is_one_line(data):
    with pytest.raises(ReadError) as err:
        decode(data, "x.txt")
    assert str(err.value).startswith("x.txt: ") and "\n" not in str(err.value)

