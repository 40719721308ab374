from __future__ import annotations

from catalog.yaml_reader import YamlLimits, read_yaml_documents

BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""


def test_each_document_is_read_with_its_first_line() -> None:
    docs, errors = read_yaml_documents(b"# header\nkind: A\n---\n\nkind: B\n")
    assert errors == []
    assert [(d.data, d.line) for d in docs] == [({"kind": "A"}, 2), ({"kind": "B"}, 5)]


def test_a_syntax_error_loses_only_its_own_document() -> None:
    docs, errors = read_yaml_documents(b"kind: A\n---\nkind: [\n---\nkind: C\n")
    assert [d.data["kind"] for d in docs] == ["A", "C"]
    assert len(errors) == 1
    assert errors[0].message.startswith("YAML syntax error")
    assert errors[0].line is not None and errors[0].line >= 3


def test_empty_and_null_documents_are_skipped() -> None:
    docs, errors = read_yaml_documents(b"---\n---\n~\n---\nkind: A\n")
    assert [d.data for d in docs] == [{"kind": "A"}]
    assert errors == []


def test_yaml_1_2_core_schema_keeps_yes_and_dates_as_strings() -> None:
    docs, _ = read_yaml_documents(b"a: yes\nb: on\nc: 2024-01-31\nd: 010\ne: 0o17\nf: 0x1F\n")
    assert docs[0].data == {"a": "yes", "b": "on", "c": "2024-01-31", "d": 10, "e": 15, "f": 31}


def test_true_false_null_numbers_are_typed() -> None:
    docs, _ = read_yaml_documents(b"a: true\nb: False\nc: null\nd: ~\ne: 1.5\nf: -3\ng: .inf\n")
    assert docs[0].data == {
        "a": True,
        "b": False,
        "c": None,
        "d": None,
        "e": 1.5,
        "f": -3,
        "g": float("inf"),
    }


def test_merge_keys_are_ordinary_keys_as_in_backstage() -> None:
    docs, _ = read_yaml_documents(b"base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\n")
    assert docs[0].data["obj"] == {"<<": {"x": 1}, "y": 2}


def test_duplicate_keys_are_errors() -> None:
    docs, errors = read_yaml_documents(b"metadata:\n  name: a\n  name: b\n")
    assert docs == []
    assert "unique" in errors[0].message and "'name'" in errors[0].message


def test_non_string_keys_become_strings_like_javascript() -> None:
    docs, _ = read_yaml_documents(b"1: one\ntrue: yes\n")
    assert docs[0].data == {"1": "one", "true": "yes"}


def test_billion_laughs_is_refused_without_building_it() -> None:
    docs, errors = read_yaml_documents(BOMB)
    assert docs == []
    assert "alias" in errors[0].message


def test_ordinary_anchors_and_aliases_still_work() -> None:
    docs, errors = read_yaml_documents(b"owner: &o team-a\nother: *o\n")
    assert errors == [] and docs[0].data == {"owner": "team-a", "other": "team-a"}


def test_recursive_aliases_are_refused() -> None:
    _, errors = read_yaml_documents(b"a: &x [1, *x]\n")
    assert "recursive" in errors[0].message


def test_python_tags_never_run() -> None:
    docs, errors = read_yaml_documents(b"a: !!python/object/apply:os.getpid []\n")
    assert docs == [] and "python/object/apply" in errors[0].message


def test_binary_and_set_tags_are_refused() -> None:
    _, errors = read_yaml_documents(b"a: !!binary aGVsbG8=\n")
    assert "not allowed" in errors[0].message


def test_oversized_files_are_refused_with_the_limit_named() -> None:
    docs, errors = read_yaml_documents(b"a: " + b"x" * 2000, limits=YamlLimits(max_bytes=1024))
    assert docs == []
    assert "over the limit of 1,024 bytes" in errors[0].message


def test_too_many_documents_are_cut_with_an_error() -> None:
    data = b"\n---\n".join(b"n: %d" % i for i in range(5))
    docs, errors = read_yaml_documents(data, limits=YamlLimits(max_documents=3))
    assert len(docs) == 3 and "limit is 3" in errors[0].message


def test_binary_files_are_refused() -> None:
    _, errors = read_yaml_documents(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "UTF-8" in errors[0].message or "NUL" in errors[0].message


def test_utf8_bom_is_accepted() -> None:
    docs, _ = read_yaml_documents("\ufeffkind: Component\n".encode())
    assert docs[0].data == {"kind": "Component"}
