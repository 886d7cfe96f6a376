"""Warnings a newcomer meets in the default run say what to do: the street-level incidents whose street the
network lacks are counted, their commonest street names listed, and the troubleshooting page named."""

from __future__ import annotations

import logging

import pytest

from test_demand import build, incidents, network


def test_unmatched_streets_are_named_with_what_to_do(caplog: pytest.LogCaptureFixture) -> None:
    inc = incidents().iloc[[5, 5, 5, 5, 5, 5, 3]].copy()  # six street-level incidents, one on Fleminggatan
    inc["street"] = ["Okänd gata", "Okänd gata", "Okänd gata", "Vasagatan", "Vasagatan", "Odengatan",
                     "Fleminggatan"]
    with caplog.at_level(logging.WARNING, logger="camsite.demand"):
        build(network(), inc)
    lines = [r.getMessage() for r in caplog.records if "street-level incidents" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith("6 street-level incidents name a street not in the network within the study area "
                               "and its margin (Okänd gata (3), Vasagatan (2), Odengatan (1)): each is used as a "
                               "point where its file puts it.")
    assert "check the spelling of the street column" in lines[0] and "docs/troubleshooting.md" in lines[0]


def test_more_than_three_names_end_with_an_ellipsis(caplog: pytest.LogCaptureFixture) -> None:
    inc = incidents().iloc[[5, 5, 5, 5]].copy()
    inc["street"] = ["A-gatan", "B-gatan", "C-gatan", "D-gatan"]
    with caplog.at_level(logging.WARNING, logger="camsite.demand"):
        build(network(), inc)
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "4 street-level incidents" in text and "(A-gatan (1), B-gatan (1), C-gatan (1), ...)" in text
