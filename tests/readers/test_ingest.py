import pytest

from extractor.errors import InputError
from extractor.readers.ingest import read

TEXT = "兴安区人民政府自评报告：普惠性幼儿园覆盖率85.71%。"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""),
                                          ("gbk", b""), ("utf-16", b"")])
def test_encodings_are_detected(tmp_path, encoding, bom):
    p = tmp_path / "r.txt"
    p.write_bytes(bom + TEXT.encode(encoding))
    src = read(p)
    assert src.text == TEXT
    assert src.doc == "r"


def test_crlf_is_kept_so_offsets_index_the_file_text(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes("一、基本情况\r\n在园幼儿899人。".encode("utf-8"))
    assert "\r\n" in read(p).text


@pytest.mark.parametrize("content,kind", [
    (b"", "empty"),
    (b"   \n\n ", "empty"),
    (bytes(range(256)) * 20, "corrupt"),
    ("中文".encode("utf-8")[:-1] + b"\xff\xfe\xfa" * 50, "corrupt"),
])
def test_bad_text_gives_one_line_naming_file(tmp_path, content, kind):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        read(p)
    msg = str(e.value)
    assert e.value.kind == kind and str(p) in msg and "\n" not in msg


def test_missing_and_unsupported(tmp_path):
    with pytest.raises(InputError) as e:
        read(tmp_path / "nope.txt")
    assert e.value.kind == "missing"
    q = tmp_path / "x.xyz"
    q.write_text("abc")
    with pytest.raises(InputError) as e:
        read(q)
    assert e.value.kind == "unsupported"


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        InputError("broken", "x.txt", "cause")


def test_a_report_needs_its_least_count_of_chinese_characters():
    """check_is_report counts Chinese characters only as far as the least a report has (min_han): one short of it is
    refused for having no Chinese, exactly that many is taken, whatever else the text holds."""
    from extractor import data
    from extractor.readers.ingest import check_is_report
    least = data.load("lexicon/report.yaml")["min_han"]
    word = data.load("lexicon/report.yaml")["vocabulary"][0]
    enough = (word * least)[:least]
    check_is_report("r.txt", "abc 12 " + enough + " xyz")
    with pytest.raises(InputError) as e:
        check_is_report("r.txt", "abc 12 " + enough[:-1] + " xyz" * 50)
    assert e.value.kind == "not-a-report"
