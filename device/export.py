"""A saved meeting as a record people can keep: JSON, Markdown, HTML or CSV.

The JSON is DESIGN.md's "Meeting record JSON": `{"meeting": {"id", "started",
"ended", ...}, "topics": [{"rank", "votes", "colour", "status", "seconds",
"extensions", "squeaks", "ended_by", ...}]}`, topics in discussion order (then
the ones not reached, by rank). Markdown writes the note pictures as files in
a folder beside it; HTML embeds them, so one file can be mailed round.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from device.files import write_atomic
from device.session import Rules, clock_text
from device.store import Store, StoreError
from vision.board import voters

FORMATS = ("json", "md", "html", "csv")


def meeting_record(store: Store, meeting_id: int | None = None) -> dict:
    """The meeting record (None: the latest meeting)."""
    info = store.meeting(meeting_id)
    rules = info.rules
    slots_by_topic: dict[int, list] = {}
    for s in store.slot_rows(info.id):
        slots_by_topic.setdefault(s["topic_key"], []).append(
            {
                "number": s["number"],
                "kind": s["kind"],
                "planned_seconds": round(s["planned_seconds"]),
                "seconds": round(s["seconds"]),
                "start_seconds": round(s["start_seconds"]),
                "end_seconds": None if s["end_seconds"] is None else round(s["end_seconds"]),
                "ended_by": s["ended_by"],
            }
        )
    topics = []
    for t in store.topic_rows(info.id):
        status = {"waiting": "not reached", "skipped": "skipped"}.get(t["status"], "discussed")
        slots = slots_by_topic.get(t["key"], [])
        seconds = round(t["seconds"])
        if t["status"] == "current":  # an unfinished meeting: add the live slot's time so far
            seconds += round(_live_slot_seconds(store, info.id, t["key"]))
        topics.append(
            {
                "rank": t["rank"],
                "votes": t["votes"],
                "tied": bool(t["tied"]),
                "colour": t["colour"],
                "status": status,
                "seconds": seconds,
                "extensions": t["extensions"],
                "squeaks": t["squeaks"],
                "ended_by": t["ended_by"],
                "order": t["discussion_order"],
                "key": t["key"],
                "on_wall": bool(t["on_wall"]),
                "outline": json.loads(t["outline"]),
                "slots": slots,
            }
        )
    topics.sort(
        key=lambda t: (t["order"] is None, t["order"] or 0, not t["on_wall"], t["rank"], t["key"])
    )
    votes_per_person = max(1, int(rules.get("votes_per_person", 3)))
    count = {s: sum(1 for t in topics if t["status"] == s) for s in ("discussed", "skipped")}
    meeting = {
        "id": info.id,
        "started": info.started,
        "ended": info.ended,
        "end_reason": info.end_reason,
        "duration_seconds": round(info.meeting_seconds),
        # The time the topics were discussed (the table's Time column added up); the
        # duration is the meeting clock, board and re-scans included.
        "discussion_seconds": sum(t["seconds"] for t in topics),
        "planned_minutes": round(rules.get("meeting_seconds", 3600) / 60, 1),
        "slot_minutes": round(rules.get("slot_seconds", 480) / 60, 1),
        "extension_minutes": [round(s / 60, 1) for s in rules.get("extension_seconds", [])],
        "scans": info.scans,
        "total_votes": info.total_votes,
        "voters": voters(info.total_votes, votes_per_person),
        "topics": len(topics),
        "discussed": count["discussed"],
        "skipped": count["skipped"],
        "not_reached": len(topics) - count["discussed"] - count["skipped"],
    }
    return {"meeting": meeting, "topics": topics}


def to_json(record: dict) -> str:
    return json.dumps(record, indent=2) + "\n"


CSV_COLUMNS = (
    "order",
    "rank",
    "votes",
    "tied",
    "colour",
    "status",
    "seconds",
    "minutes",
    "extensions",
    "squeaks",
    "ended_by",
)


def to_csv(record: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in record["topics"]:
        row = dict(t, minutes=round(t["seconds"] / 60, 1), tied="yes" if t["tied"] else "no")
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def picture_name(topic: dict) -> str:
    return f"topic-{topic['key']:02d}.png"


def _when(iso: str | None) -> str:
    if not iso:
        return "unknown"
    try:
        return datetime.fromisoformat(iso).strftime("%A %d %B %Y, %H:%M")
    except ValueError:
        return iso


def _live_slot_seconds(store: Store, meeting_id: int, key: int) -> float:
    """How long the running (or paused) slot of topic `key` had run at the last save."""
    try:
        state = store.load_state(meeting_id, Rules(), 0.0)
    except StoreError:
        return 0.0
    slot = state.slot
    return (
        slot.run_seconds(0.0)
        if slot is not None and slot.topic == key and slot.ended is None
        else 0.0
    )


def _outcome(t: dict) -> str:
    if t["status"] == "discussed" and t["ended_by"]:
        return f"discussed ({t['ended_by']})"
    return t["status"]


def _minutes(seconds: float) -> str:
    return f"{round(seconds / 60)} min"


def _headline(record: dict) -> tuple[str, str]:
    m = record["meeting"]
    title = f"Lean Coffee, {_when(m['started'])}"
    parts = [
        f"{_minutes(m['duration_seconds'])} meeting, "
        f"{_minutes(m['discussion_seconds'])} of discussion",
        f"{m['topics']} topics: {m['discussed']} discussed, {m['skipped']} skipped, "
        f"{m['not_reached']} not reached",
        f"{m['total_votes']} dots from about {m['voters']} voters",
    ]
    if m["ended"] is None:
        parts.append("unfinished")
    return title, " · ".join(parts)


def to_markdown(
    record: dict, pictures_folder: str | None = None, have: Collection[int] = ()
) -> str:
    """Markdown; with `pictures_folder`, topics whose key is in `have` link their picture there."""
    title, line = _headline(record)
    out = [f"# {title}", "", line, ""]
    out += ["| # | Topic | Votes | Time | Extensions | Outcome |", "|---|---|---|---|---|---|"]
    for i, t in enumerate(record["topics"], 1):
        label = f"rank {t['rank']}, {t['colour']} note"
        cell = label
        if pictures_folder and t["key"] in have:
            # Angle brackets: CommonMark's way to allow spaces in a link target.
            cell = f"![{label}](<{pictures_folder}/{picture_name(t)}>)"
        votes = f"{t['votes']}{' (tie)' if t['tied'] else ''}"
        out.append(
            f"| {i} | {cell} | {votes} | {clock_text(t['seconds'])} | {t['extensions']} | {_outcome(t)} |"
        )
    out += ["", "Made by leancoffee."]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f1ea;color:#222}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;margin:0 0 4px}
.sub{color:#555;margin:0 0 20px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:16px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.15);overflow:hidden}
.card img{display:block;width:100%;aspect-ratio:1;object-fit:contain;background:#eee}
.noimg{aspect-ratio:1;display:flex;align-items:center;justify-content:center;background:#eee;color:#777}
.body{padding:10px 12px}
.row{display:flex;justify-content:space-between;gap:8px;font-size:.95rem}
.n{font-weight:700;font-size:1.1rem}
.tag{display:inline-block;border-radius:99px;padding:1px 9px;font-size:.8rem;margin-top:6px}
.discussed{background:#d9efd9}.skipped{background:#f3e2b8}.not-reached{background:#e4e4e4}
.muted{opacity:.6}
footer{color:#777;font-size:.8rem;margin-top:24px}
"""


def to_html(record: dict, pictures: dict[int, bytes]) -> str:
    """One self-contained page (pictures as data URIs) that opens tidily in any browser."""
    title, line = _headline(record)
    cards = []
    for i, t in enumerate(record["topics"], 1):
        picture = pictures.get(t["key"])
        label = html.escape(f"rank {t['rank']}, {t['colour']} note")
        if picture:
            data = base64.b64encode(picture).decode("ascii")
            image = f'<img src="data:image/png;base64,{data}" alt="{label}">'
        else:
            image = f'<div class="noimg">{label}</div>'
        status = t["status"].replace(" ", "-")
        extensions = f" · {t['extensions']} ext." if t["extensions"] else ""
        tie = " (tie)" if t["tied"] else ""
        cards.append(
            f'<article class="card{" muted" if status == "not-reached" else ""}">{image}'
            f'<div class="body"><div class="row"><span class="n">{i}</span>'
            f"<span>rank {t['rank']} · {t['votes']} vote{'' if t['votes'] == 1 else 's'}{tie}</span></div>"
            f'<div class="row"><span>{clock_text(t["seconds"])}{extensions}</span></div>'
            f'<span class="tag {status}">{html.escape(_outcome(t))}</span></div></article>'
        )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><main><h1>{html.escape(title)}</h1>"
        f'<p class="sub">{html.escape(line)}</p>\n'
        f'<section class="grid">\n' + "\n".join(cards) + "\n</section>\n"
        "<footer>Topics in the order they were discussed. Made by leancoffee.</footer>"
        "</main></body></html>\n"
    )


def render(
    store: Store, meeting_id: int | None, fmt: str, out: Path | None
) -> tuple[str, list[Path]]:
    """The text of the export, and the picture files written beside `out` (Markdown only).

    Markdown without `out` (to stdout) has no picture links: pictures need a place to go.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    record = meeting_record(store, meeting_id)
    if fmt == "json":
        return to_json(record), []
    if fmt == "csv":
        return to_csv(record), []
    pictures = store.pictures(record["meeting"]["id"])
    if fmt == "html":
        return to_html(record, pictures), []
    if out is None:
        return to_markdown(record), []
    folder = out.with_name(out.stem + "-pictures")
    written = []
    for t in record["topics"]:
        picture = pictures.get(t["key"])
        if picture is not None:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / picture_name(t)
            write_atomic(path, picture)
            written.append(path)
    return to_markdown(record, folder.name, have=pictures.keys()), written
