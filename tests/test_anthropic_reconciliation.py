"""Reconciling with Anthropic's usage and cost reports, offline: the SDK is handed an
``httpx2`` client whose mock transport answers with responses shaped like the Usage and
Cost Analytics API's (pages, cursors, errors)."""

from __future__ import annotations

from datetime import date, datetime

import httpx2
import pytest

from dashboard import anthropic_usage
from dashboard.policy import ai as ai_policy
from queries import ai_usage as ai_q
from tests.builders import Builder

KEY = "apikey_01Zivo"
STRANGER = "apikey_01Unknown"


def usage_item(day: str, model: str, key: str | None, *, uncached=0, output=0, write_5m=0,
               write_1h=0, read=0) -> dict:
    return {
        "starting_at": f"{day}T00:00:00Z", "ending_at": f"{day}T23:59:59Z",
        "group": {"model": model, "api_key_id": key},
        "usage": {"uncached_input_tokens": uncached, "output_tokens": output,
                  "cache_creation": {"ephemeral_5m_input_tokens": write_5m,
                                     "ephemeral_1h_input_tokens": write_1h},
                  "cache_read_input_tokens": read, "requests": 1,
                  "server_tool_use": {"web_search_requests": 0},
                  "total_tokens": uncached + output + write_5m + write_1h + read},
    }


def cost_item(day: str, model: str, key: str | None, cents: str) -> dict:
    return {"starting_at": f"{day}T00:00:00Z", "ending_at": f"{day}T23:59:59Z",
            "group": {"model": model, "api_key_id": key},
            "cost": {"amount": cents, "currency": "USD", "list_amount": cents, "requests": 1}}


class Recorded:
    """The mock Anthropic: answers from pages by endpoint and cursor, and keeps the
    requests it was sent."""

    def __init__(self, pages: dict[tuple[str, str | None], dict], failing: dict[str, int] | None = None):
        self.pages, self.failing, self.requests = pages, failing or {}, []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        endpoint = request.url.path.rsplit("/", 1)[1]
        if endpoint in self.failing:
            status = self.failing[endpoint]
            return httpx2.Response(status, json={"type": "error", "error": {
                "type": "permission_error", "message": "not allowed"}})
        return httpx2.Response(200, json=self.pages[endpoint, request.url.params.get("page")])

    def api(self):
        http = httpx2.Client(transport=httpx2.MockTransport(self))
        return anthropic_usage.client("sk-ant-admin-test", http_client=http, max_retries=0)


def page(data, next_page=None):
    return {"data": data, "has_more": next_page is not None, "next_page": next_page,
            "data_refreshed_at": "2026-11-28T06:00:00Z"}


NOVEMBER_3 = ((date(2026, 11, 3), date(2026, 11, 4)),)


def test_every_page_of_both_reports_is_read_and_named_as_in_ai_calls():
    anthropic = Recorded({
        ("usage", None): page([usage_item("2026-11-03", "claude-haiku-4-5", KEY, uncached=1000,
                                          output=200, write_5m=30, write_1h=40, read=500)],
                              next_page="cursor-2"),
        ("usage", "cursor-2"): page([usage_item("2026-11-03", "claude-opus-4-1", STRANGER,
                                                uncached=7)]),
        ("cost", None): page([cost_item("2026-11-03", "claude-haiku-4-5", KEY, "123.5")]),
    })

    usage, cost = anthropic_usage.fetch(anthropic.api(), NOVEMBER_3)

    assert usage.to_dict("records") == [
        {"day": "2026-11-03", "model": "claude-haiku-4-5", "api_key_id": KEY,
         "input_tokens": 1000, "output_tokens": 200, "cache_creation_5m_input_tokens": 30,
         "cache_creation_1h_input_tokens": 40, "cache_read_input_tokens": 500},
        {"day": "2026-11-03", "model": "claude-opus-4-1", "api_key_id": STRANGER,
         "input_tokens": 7, "output_tokens": 0, "cache_creation_5m_input_tokens": 0,
         "cache_creation_1h_input_tokens": 0, "cache_read_input_tokens": 0},
    ]
    assert cost.to_dict("records") == [
        {"day": "2026-11-03", "model": "claude-haiku-4-5", "api_key_id": KEY, "cost_usd": 1.235}]
    first = anthropic.requests[0]
    assert first.headers["authorization"] == "Bearer sk-ant-admin-test"
    assert "analytics-usage-cost" in first.headers["anthropic-beta"]
    sent = first.url.params
    assert sent.get_list("group_by[]") == ["model", "api_key_id"]
    assert sent["time_bucket_width"] == "1d"
    assert sent["starting_at"].startswith("2026-11-03T00:00:00")
    assert sent["ending_at"].startswith("2026-11-04T00:00:00")
    assert [r.url.path.rsplit("/", 1)[1] for r in anthropic.requests] == ["usage", "usage", "cost"]


def test_a_period_longer_than_31_days_is_asked_for_in_ranges():
    plan = ai_policy.report_plan(date(2026, 9, 1), date(2026, 11, 28), today=date(2026, 11, 29))
    anthropic = Recorded({("usage", None): page([]), ("cost", None): page([])})

    anthropic_usage.fetch(anthropic.api(), plan.ranges)

    assert len(anthropic.requests) == 2 * len(plan.ranges) == 6


@pytest.mark.parametrize("status, says", [(401, "refused the admin key"),
                                          (403, "read:analytics"),
                                          (429, "Try again in a minute"),
                                          (500, "HTTP 500")])
def test_an_error_from_anthropic_is_a_message_not_a_traceback(status, says):
    anthropic = Recorded({("usage", None): page([])}, failing={"cost": status})

    with pytest.raises(anthropic_usage.ReportsUnavailable, match=says) as failed:
        anthropic_usage.fetch(anthropic.api(), NOVEMBER_3)

    assert "sk-ant" not in str(failed.value)


def test_an_unreachable_anthropic_is_a_message():
    def unreachable(request):
        raise httpx2.ConnectError("no route", request=request)

    api = anthropic_usage.client("sk-ant-admin-test", max_retries=0,
                                 http_client=httpx2.Client(transport=httpx2.MockTransport(unreachable)))
    with pytest.raises(anthropic_usage.ReportsUnavailable, match="did not answer"):
        anthropic_usage.fetch(api, NOVEMBER_3)


def test_reconciling_our_calls_with_the_reports_shows_differences_and_unknown_keys(engine):
    b = Builder(engine)
    ws = b.workspace()
    # 3 Nov in UTC (and the small hours of 4 Nov in India: Anthropic counts UTC days).
    b.ai_call(ws, model="claude-haiku-4-5", api_key_id=KEY, input_tokens=1000, output_tokens=200,
              occurred_at=datetime(2026, 11, 3, 20))
    b.ai_call(ws, model="claude-sonnet-4-5", api_key_id=KEY, input_tokens=1_000_000,
              occurred_at=datetime(2026, 11, 3, 9))
    b.ai_call(ws, model="claude-haiku-4-5", api_key_id=KEY, input_tokens=99,
              occurred_at=datetime(2026, 11, 4, 1))  # another UTC day
    anthropic = Recorded({
        ("usage", None): page([
            usage_item("2026-11-03", "claude-haiku-4-5", KEY, uncached=1000, output=200),
            usage_item("2026-11-03", "claude-sonnet-4-5", KEY, uncached=900_000),
            usage_item("2026-11-03", "claude-opus-4-1", STRANGER, uncached=5_000),
        ]),
        ("cost", None): page([
            cost_item("2026-11-03", "claude-haiku-4-5", KEY, "0.2"),  # $0.002
            cost_item("2026-11-03", "claude-sonnet-4-5", KEY, "270"),  # $2.70
            cost_item("2026-11-03", "claude-opus-4-1", STRANGER, "7.5"),
        ]),
    })

    ours = ai_policy.with_cost(ai_q.usage_by_utc_day(engine, date(2026, 11, 3), date(2026, 11, 3)))
    usage, cost = anthropic_usage.fetch(anthropic.api(), NOVEMBER_3)
    compared, unknown = ai_policy.reconcile(ours, usage, cost)

    assert compared[["day", "model", "our_tokens", "anthropic_tokens", "token_difference",
                     "agrees"]].to_dict("records") == [
        {"day": "2026-11-03", "model": "claude-haiku-4-5", "our_tokens": 1200,
         "anthropic_tokens": 1200, "token_difference": 0, "agrees": True},
        {"day": "2026-11-03", "model": "claude-sonnet-4-5", "our_tokens": 1_000_000,
         "anthropic_tokens": 900_000, "token_difference": 100_000, "agrees": False},
    ]
    assert compared["our_cost_usd"].round(6).tolist() == [0.002, 3.0]
    assert compared["cost_difference_usd"].round(6).tolist() == [0.0, 0.3]
    assert unknown.to_dict("records") == [
        {"api_key_id": STRANGER, "day": "2026-11-03", "model": "claude-opus-4-1",
         "tokens": 5000, "cost_usd": 0.075}]
