"""The HTML report's text, from real small objects (rendered in headless Chromium:
tests/commands/test_insights.py)."""

from __future__ import annotations

import json
import re

from overseer.decision import Criterion, Decision
from overseer.htmlreport import ReportData, render_html
from overseer.insights import Insights


def _insights() -> Insights:
    return Insights(target="t", effects=[], window={}, fragile_tasks=[], error_classes_by_session=[],
                    trend=[], by_model=[], by_complexity=[])


def test_what_came_from_outside_is_escaped_and_the_data_cannot_close_its_script() -> None:
    hostile = Decision(outcome="rejected", hypothesis="<script>alert(1)</script>",
                       criteria=[Criterion(name="p-value", value=0.3, limit=0.05, passed=False, note="</script>")])
    page = render_html(ReportData(target="t<b>", insights=_insights(), versions=[], decisions=[hostile], heat=[]))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "overseer report: t&lt;b&gt;" in page
    blob = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S)
    assert blob is not None and json.loads(blob.group(1))["versions"] == []
    assert "1 decisions, 0 kept" in page


def test_an_empty_history_says_so() -> None:
    page = render_html(ReportData(target="t", insights=_insights(), versions=[], decisions=[], heat=[]))
    assert "<p>No decisions yet.</p>" in page
