"""Bounded memory: the journal's bytes and entries, recorded server errors and their frames."""

from __future__ import annotations

import gc
import weakref

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Journal, Settings
from fake_tasks.cli import build_parser, byte_size
from fake_tasks.rest.app import App
from fake_tasks.scripting.errorlog import MAX_SERVER_ERRORS, ServerErrors
from fake_tasks.scripting.journal import exchange_size
from fake_tasks.scripting.requests import Incoming


def record(journal: Journal, path: str, body: bytes) -> None:
    ticket = journal.begin(Incoming("GET", path), 0)
    journal.finish(ticket, status=200, headers=(), body=body, finished_ns=0)


def test_the_journal_stays_under_its_byte_bound_after_many_large_answers() -> None:
    fake = FakeTasks(Settings(tasks=2_000, tick=0))
    fake.journal.limit(max_bytes=2_000_000)
    client = Client(App(fake))
    sizes = [len(client.get("/_tasks?detailed").get_data()) for _ in range(40)]
    assert sum(sizes) > 10 * 2_000_000  # far more than the bound went through
    journal = fake.journal
    assert journal.size_bytes == sum(exchange_size(e) for e in journal)
    assert journal.size_bytes <= 2_000_000
    assert journal.dropped == 40 - len(journal)
    assert journal.exchanges[-1].seq == 40  # the newest are the ones kept
    assert journal.exchanges[-1].json() is not None


def test_an_exchange_larger_than_the_bound_is_kept_without_its_bodies() -> None:
    journal = Journal(max_bytes=10_000)
    record(journal, "/small", b"x" * 100)
    record(journal, "/huge", b"x" * 50_000)
    small, huge = journal.exchanges
    assert (small.body_dropped, len(small.response_body)) == (False, 100)
    assert (huge.body_dropped, huge.response_body, huge.status) == (True, b"", 200)
    assert journal.size_bytes <= 10_000


def test_the_entry_bound_still_holds_and_bounds_can_change() -> None:
    journal = Journal(max_entries=5)
    for i in range(8):
        record(journal, f"/{i}", b"{}")
    assert [e.path for e in journal] == ["/3", "/4", "/5", "/6", "/7"]
    journal.limit(max_entries=2)
    assert [e.path for e in journal] == ["/6", "/7"]
    assert journal.dropped == 6
    assert "6 older exchange(s) dropped" in journal._listing([])
    with pytest.raises(ValueError, match="max_bytes must be a positive integer"):
        journal.limit(max_bytes=0)
    journal.clear()
    assert (len(journal), journal.size_bytes, journal.dropped) == (0, 0, 0)


def test_serve_keeps_a_small_journal_unless_told_otherwise() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.journal_size == 1024 * 1024
    args = build_parser().parse_args(["serve", "--journal-size", "256mb"])
    assert args.journal_size == 256 * 1024 * 1024
    assert [byte_size(t) for t in ("512", "4kb", "2MB", "1gb")] == [512, 4096, 2 << 20, 1 << 30]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--journal-size", "lots"])


class Payload:
    """Something big a failing request held in a local variable."""


def fail_while_holding(payload: Payload) -> None:
    held = payload  # noqa: F841 - what the frame keeps alive
    raise RuntimeError("boom")


def test_a_recorded_error_keeps_its_traceback_but_not_its_frames_locals() -> None:
    errors = ServerErrors()
    payload = Payload()
    alive = weakref.ref(payload)
    try:
        fail_while_holding(payload)
    except RuntimeError as error:
        errors.record(error)
    del payload
    gc.collect()
    assert alive() is None
    (error,) = errors
    assert error.__traceback__ is not None
    assert error.__traceback__.tb_frame.f_code.co_name == "fail_while_holding"


def test_recorded_errors_are_bounded_and_all_counted() -> None:
    errors = ServerErrors()
    for i in range(MAX_SERVER_ERRORS + 50):
        errors.record(ValueError(i))
    assert len(errors) == MAX_SERVER_ERRORS
    assert errors[0].args == (0,)
    assert errors.total == MAX_SERVER_ERRORS + 50
    errors.clear()
    assert errors == []
    assert errors.total == 0


def test_check_reports_every_failure_even_past_the_bound() -> None:
    fake = FakeTasks(Settings(tasks=0))
    for i in range(MAX_SERVER_ERRORS + 1):
        fake.record_error(ValueError(i))
    with pytest.raises(Exception, match=f"failed {MAX_SERVER_ERRORS + 1} time"):
        fake.check()
