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
