"""The fake Discord itself rejects what Discord would: otherwise the end-to-end tests prove
less than they claim."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakediscord import FakeDiscord


@pytest.mark.parametrize(
    ("path", "body", "broken"),
    [
        ("/channels/1/messages", {"embeds": [{"title": "x" * 257}]}, "embeds/0/title"),
        (
            "/channels/1/messages",
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "x" * 81, "custom_id": "a"}
                        ],
                    }
                ]
            },
            "components/0",
        ),
        (
            "/interactions/1/token/callback",
            {
                "type": 8,
                "data": {"choices": [{"name": f"c{n}", "value": f"c{n}"} for n in range(26)]},
            },
            "<body>",
        ),
    ],
)
async def test_bodies_that_break_discords_spec_get_400(
    fake: FakeDiscord, path: str, body: dict, broken: str
) -> None:  # type: ignore[type-arg]
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_base + path, json=body) as response,
    ):
        assert response.status == 400
        payload = await response.json()
    assert payload["code"] == 50035
    [(record, errors)] = fake.violations
    assert record.path == path
    assert any(e.startswith(broken) for e in errors), errors


async def test_unknown_routes_are_404(fake: FakeDiscord) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(fake.api_base + "/guilds/1/bans") as response,
    ):
        assert response.status == 404


async def test_valid_message_is_accepted(fake: FakeDiscord) -> None:
    body = {"content": "hi", "allowed_mentions": {"parse": []}, "embeds": [{"title": "t" * 256}]}
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_base + "/channels/1/messages", json=body) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
    assert fake.violations == []


async def _post(fake: FakeDiscord, path: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_base + path, json=body) as response,
    ):
        return response.status, await response.json()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/channels/1/messages", {"content": "hi"}),
        ("/channels/1/messages", {"content": "hi", "allowed_mentions": {"parse": ["everyone"]}}),
        (
            "/channels/1/messages",
            {"content": "hi", "allowed_mentions": {"parse": [], "users": ["123"]}},
        ),
        (
            "/channels/1/messages",
            {"content": "hi", "allowed_mentions": {"parse": [], "replied_user": True}},
        ),
        ("/webhooks/1/token-1", {"content": "hi"}),
    ],
)
async def test_a_message_that_could_ping_gets_400(
    fake: FakeDiscord,
    path: str,
    body: dict,  # type: ignore[type-arg]
) -> None:
    status, payload = await _post(fake, path, body)
    assert status == 400
    assert payload["code"] == 50035
    [(_record, errors)] = fake.violations
    assert all(e.startswith("allowed_mentions") for e in errors), errors


async def test_interaction_callbacks_carrying_a_message_must_not_ping(fake: FakeDiscord) -> None:
    interaction = fake.slash("ask", {"question": "hi"})
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    status, _ = await _post(fake, path, {"type": 4, "data": {"content": "hi"}})
    assert status == 400
    # A deferral carries no message, so it needs no allowed_mentions.
    status, _ = await _post(fake, path, {"type": 5, "data": {"flags": 64}})
    assert status == 200


async def test_one_response_per_interaction_then_follow_ups(fake: FakeDiscord) -> None:
    interaction = fake.slash("ask", {"question": "hi"})
    callback = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    webhook = f"/webhooks/1/{interaction['token']}"
    body = {"content": "hi", "allowed_mentions": {"parse": []}}
    status, payload = await _post(fake, webhook, body)
    assert (status, payload["code"]) == (404, 10015)  # no follow-up before the response
    assert (await _post(fake, callback, {"type": 4, "data": body}))[0] == 200
    status, payload = await _post(fake, callback, {"type": 4, "data": body})
    assert (status, payload["code"]) == (400, 40060)
    assert (await _post(fake, webhook, body))[0] == 200


async def test_a_response_after_the_deadline_is_unknown_interaction(fake: FakeDiscord) -> None:
    fake.interaction_deadline = 0.0
    interaction = fake.slash("ask", {"question": "hi"})
    path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    status, payload = await _post(fake, path, {"type": 5})
    assert (status, payload["code"]) == (404, 10062)
    status, payload = await _post(fake, "/interactions/1/token-1/callback", {"type": 5})
    assert (status, payload["code"]) == (404, 10062)  # never created
