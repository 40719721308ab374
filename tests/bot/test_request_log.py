"""The request id of the per-request log record: the ingress's, else one derived from Slack's
signature (equal in every process that sees the request), else a fresh one."""

from __future__ import annotations

from bot.request_log import request_id


def test_the_ingress_request_id_is_kept() -> None:
    assert request_id({"x-request-id": ["9f86d081884c7d65"]}) == "9f86d081884c7d65"


def test_without_one_the_id_follows_from_the_signature_alone() -> None:
    signed = {"x-slack-signature": ["v0=abc123"], "x-slack-request-timestamp": ["1"]}
    again = {"x-slack-signature": ["v0=abc123"], "x-slack-request-timestamp": ["2"]}
    other = {"x-slack-signature": ["v0=def456"]}

    assert request_id(signed) == request_id(again) != request_id(other)
    assert len(request_id(signed)) == 16
    assert "abc123" not in request_id(signed)


def test_a_request_id_header_that_could_forge_log_lines_is_ignored() -> None:
    forged = {
        "x-request-id": ['x", "user_id": "U0ADMIN\n{"level": "INFO"'],
        "x-slack-signature": ["s"],
    }
    assert request_id(forged) == request_id({"x-slack-signature": ["s"]})
    assert request_id({"x-request-id": ["a" * 129]}) != "a" * 129


def test_socket_mode_requests_get_fresh_ids() -> None:
    assert request_id({}) != request_id({})
