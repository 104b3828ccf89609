"""The meeting record (DESIGN.md's JSON) and its Markdown, HTML and CSV renderings."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from engine_helpers import recorded_meeting

from device import export
from device.store import NoSuchMeeting, Store

MIN = 60


@pytest.fixture
def store(tmp_path):
    recorded_meeting(tmp_path).recorder.close()
    with Store(tmp_path, readonly=True) as store:
        yield store


def test_the_record_has_the_shared_format_with_topics_in_discussion_order(store):
    record = export.meeting_record(store)
    meeting = record["meeting"]
    assert {"id", "started", "ended"} <= meeting.keys()
    assert meeting["id"] == 1 and meeting["started"] == "2025-03-04T08:10:00+01:00"
    assert meeting["ended"] == "2025-03-04T08:40:00+01:00"
    assert (
        meeting["topics"],
        meeting["discussed"],
        meeting["skipped"],
        meeting["not_reached"],
    ) == (
        6,
        3,
        1,
        2,
    )
    assert meeting["total_votes"] == 14 and meeting["voters"] == 5
    assert meeting["duration_seconds"] == 12 * MIN + 5 * MIN + 10 + 2 * MIN
    topics = record["topics"]
    for t in topics:
        assert {"rank", "votes", "colour", "status", "seconds", "extensions", "squeaks"} <= t.keys()
        assert "ended_by" in t
    summary = [
        (t["rank"], t["status"], t["seconds"], t["extensions"], t["squeaks"], t["ended_by"])
        for t in topics
    ]
    assert summary == [
        (1, "discussed", 12 * MIN, 1, 2, "time up"),
        (2, "discussed", 5 * MIN, 0, 0, "early"),
        (3, "skipped", 10, 0, 0, "early"),
        (4, "discussed", 2 * MIN, 0, 0, "early"),
        (5, "not reached", 0, 0, 0, None),
        (6, "not reached", 0, 0, 0, None),
    ]
    assert [t["votes"] for t in topics] == [5, 3, 3, 2, 1, 0]
    assert topics[0]["slots"][1] == {
        "number": 2,
        "kind": "extension",
        "planned_seconds": 4 * MIN,
        "seconds": 4 * MIN,
        "start_seconds": 8 * MIN,
        "end_seconds": 12 * MIN,
        "ended_by": "time up",
    }
    assert json.loads(export.to_json(record)) == record


def test_an_unfinished_meeting_exports_as_it_stands(tmp_path):
    recorded_meeting(tmp_path, finish=False).recorder.close()
    with Store(tmp_path, readonly=True) as store:
        record = export.meeting_record(store)
        assert record["meeting"]["ended"] is None
        current = record["topics"][3]
        assert (current["status"], current["ended_by"]) == ("discussed", None)
        # Topic 4 had been running for 2 minutes at the last save: the record says so.
        assert current["seconds"] == pytest.approx(2 * 60, abs=2)
        assert "unfinished" in export.to_markdown(record)


def test_csv_has_one_row_per_topic(store):
    rows = list(csv.DictReader(io.StringIO(export.to_csv(export.meeting_record(store)))))
    assert list(rows[0]) == list(export.CSV_COLUMNS)
    assert [r["status"] for r in rows] == ["discussed"] * 2 + ["skipped", "discussed"] + [
        "not reached"
    ] * 2
    assert rows[0]["minutes"] == "12.0" and rows[0]["ended_by"] == "time up"
    assert rows[4]["order"] == "" and rows[1]["tied"] == "yes"


def test_markdown_puts_the_pictures_beside_it(store, tmp_path):
    out = tmp_path / "out" / "Tuesday breakfast.md"
    out.parent.mkdir()
    text, pictures = export.render(store, None, "md", out)
    assert len(pictures) == 6 and all(
        p.parent == out.parent / "Tuesday breakfast-pictures" for p in pictures
    )
    # CommonMark takes a link target with spaces only inside angle brackets.
    links = re.findall(r"!\[[^\]]*\]\(<([^>]+)>\)", text)
    assert len(links) == 6
    for link in links:
        assert (out.parent / link).read_bytes().startswith(b"\x89PNG")
    assert text.startswith("# Lean Coffee, Tuesday 04 March 2025, 08:10\n")
    assert "| 1 |" in text and "discussed (time up)" in text


def test_markdown_to_stdout_has_no_picture_links(store):
    text, pictures = export.render(store, None, "md", None)
    assert pictures == [] and "](" not in text


class _Checker(HTMLParser):
    VOID = {"meta", "img", "br", "link", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        for name in ("src", "href"):
            if attrs.get(name, "data:").split(":")[0] not in ("data",):
                self.external.append(attrs[name])
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def test_html_is_one_self_contained_well_formed_page(store):
    text, pictures = export.render(store, None, "html", None)
    assert pictures == []
    checker = _Checker()
    checker.feed(text)
    assert checker.open == [] and checker.external == []
    assert len(checker.images) == 6
    assert all(src.startswith("data:image/png;base64,") for src in checker.images)
    assert "<title>Lean Coffee, Tuesday 04 March 2025, 08:10</title>" in text
    assert text.count('class="tag skipped"') == 1


def test_unknown_meetings_and_formats_are_refused(store):
    with pytest.raises(NoSuchMeeting, match="no meeting 9"):
        export.meeting_record(store, 9)
    with pytest.raises(ValueError, match="unknown format"):
        export.render(store, None, "pdf", None)
