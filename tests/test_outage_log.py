"""The outage log: one line when a dependency fails, then one a minute with a count."""

import logging

from partner42.outage import OutageLog


def test_it_logs_an_outage_once_then_once_an_interval_with_a_count(caplog):
    clock = [100.0]
    log = OutageLog(logging.getLogger("test.outage"), "Redis", interval=60, clock=lambda: clock[0])

    with caplog.at_level(logging.WARNING, logger="test.outage"):
        for _ in range(100):
            clock[0] += 0.1
            log.failed(ConnectionError("refused"), "serving without it")
        clock[0] += 55
        log.failed(ConnectionError("refused"), "serving without it")
        log.recovered()
        log.recovered()

    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0] == "Redis is unavailable (ConnectionError: refused): serving without it"
    assert "still unavailable" in lines[1]
    assert "100 failures" in lines[1]
    assert "answers again" in lines[2]


def test_it_takes_a_failure_after_a_quiet_interval_for_a_new_outage(caplog):
    clock = [0.0]
    logger = logging.getLogger("test.outage")
    log = OutageLog(logger, "MariaDB", interval=60, clock=lambda: clock[0])

    with caplog.at_level(logging.WARNING, logger="test.outage"):
        log.failed("gone away", "503")
        clock[0] += 3600
        log.failed("gone away", "503")

    expected = "MariaDB is unavailable (gone away): 503"
    assert [r.getMessage() for r in caplog.records] == [expected, expected]
