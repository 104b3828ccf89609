"""device.logs: a time stamp on every line, except in systemd's journal."""

import os

from device.logs import to_journal


def test_the_journal_is_told_by_the_stream_itself(tmp_path, monkeypatch):
    with open(tmp_path / "journal", "w") as journal, open(tmp_path / "other", "w") as other:
        st = os.fstat(journal.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        assert to_journal(journal)
        assert not to_journal(other), "a child of a service, with its own stderr"
        monkeypatch.setenv("JOURNAL_STREAM", "garbage")
        assert not to_journal(journal)
        monkeypatch.delenv("JOURNAL_STREAM")
        assert not to_journal(journal)
