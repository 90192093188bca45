import logging

import pytest

from common.logging import REDACTED, configure_logging, describe_exception, get_logger, safe


def test_unmarked_strings_are_redacted_and_numbers_kept(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("INFO")
    logging.getLogger("haven").propagate = True
    log = get_logger("test")
    with caplog.at_level(logging.INFO, logger="haven"):
        log.info(
            "claims.loaded",
            pid="85.07.30-033.28",
            table=safe("silver/claims"),
            rows=12,
            nested={"note": "Jan Peeters", "count": 3},
        )
    line = caplog.records[-1].getMessage()
    assert line == (
        f"claims.loaded pid={REDACTED} table=silver/claims rows=12 "
        f"nested={{'note': '{REDACTED}', 'count': 3}}"
    )


def test_exception_description_drops_the_message() -> None:
    try:
        raise ValueError("value 'Jan Peeters' cannot be cast")
    except ValueError as exc:
        described = describe_exception(exc)
    assert described.startswith("ValueError at test_logging.py:")
    assert "Peeters" not in described
