"""A small fake Discord (REST + gateway) on 127.0.0.1 for driving the real discord.py.

It records every request the bot makes and validates each JSON body against Discord's
official OpenAPI spec (tests/data/discord-openapi.json, MIT), answering 400 as Discord
would when a body breaks it. Routes it does not implement answer 404, so gaps are loud.

It also holds the bot to what Discord enforces on interactions: a first response within
`interaction_deadline` seconds of the interaction (3 s, as on Discord; else 10062 Unknown
interaction), one response only (else 40060), and follow-ups only after a response. And to
one rule of ours that Discord does not enforce: every request that creates or edits a
message carries `allowed_mentions` that ping nobody, else 400.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import WSMsgType, web
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).parent / "data" / "discord-openapi.json"
API = "/api/v10"

APP_ID = 900000000000000001
BOT_ID = 900000000000000001
GUILD_ID = 900000000000000100
CHANNEL_ID = 900000000000000200
OWNER_ID = 900000000000000300
ADMIN_PERMISSIONS = str(1 << 3 | 1 << 5 | 1 << 10 | 1 << 11 | 1 << 14 | 1 << 16)  # admin etc.
MEMBER_PERMISSIONS = str(1 << 10 | 1 << 11 | 1 << 14 | 1 << 16)  # view, send, embed, history
INTERACTION_DEADLINE = 3.0  # seconds Discord waits for an interaction's first response

# A bot token of the right shape, which only the fake accepts.
TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.fake.token-value"
# `python -c LAUNCH API_BASE GATEWAY ARGS...`: the real CLI, with only Discord's addresses
# pointed at a fake.
LAUNCH = (
    "import sys, yarl, discord.http, discord.gateway\n"
    "discord.http.Route.BASE = sys.argv[1]\n"
    "discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])\n"
    "from bot.cli import main\n"
    "sys.exit(main(sys.argv[3:]))\n"
)

# Requests that create or edit a message, and so could ping someone.
MESSAGE_ROUTES = (
    ("POST", re.compile(r"/channels/\d+/messages")),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+")),
    ("POST", re.compile(r"/webhooks/\d+/[^/]+")),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/[^/]+")),
    ("POST", re.compile(r"/interactions/\d+/[^/]+/callback")),
)
MESSAGE_CALLBACKS = (4, 7)  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE

_counter = itertools.count()
DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake() -> str:
    # Time-based like Discord's: discord.py reads an interaction's age from its id.
    return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) % 4096))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def ping_errors(method: str, path: str, body: Any) -> list[str]:
    """Why a request could ping someone: it sends a message without `parse: []` (or names
    users or roles, or pings the author replied to). Empty when it pings nobody."""
    if not any(m == method and p.fullmatch(path) for m, p in MESSAGE_ROUTES):
        return []
    if path.endswith("/callback"):
        if not isinstance(body, dict) or body.get("type") not in MESSAGE_CALLBACKS:
            return []
        body = body.get("data") or {}
    mentions = body.get("allowed_mentions") if isinstance(body, dict) else None
    if not isinstance(mentions, dict):
        return ["allowed_mentions: missing; the bot must ping nobody (parse: [])"]
    errors = []
    if mentions.get("parse") != []:
        errors.append(f"allowed_mentions/parse: {mentions.get('parse')!r}, must be []")
    for key in ("users", "roles"):
        if mentions.get(key):
            errors.append(f"allowed_mentions/{key}: {mentions[key]!r}, must be empty")
    if mentions.get("replied_user"):
        errors.append("allowed_mentions/replied_user: true pings the author replied to")
    return errors


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def member_payload(user: dict[str, Any], permissions: str | None = None) -> dict[str, Any]:
    member: dict[str, Any] = {
        "user": user,
        "roles": [],
        "joined_at": now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
    }
    if permissions is not None:
        member["permissions"] = permissions
    return member


@dataclass
class Recorded:
    method: str
    path: str  # without /api/v10 and query
    query: dict[str, str]
    body: Any
    status: int = 200
    response: Any = None
    at: float = field(default_factory=time.monotonic)


class SpecValidator:
    """Validates request bodies against the requestBody schema of the matching operation."""

    def __init__(self, spec: dict[str, Any]) -> None:
        # The spec types snowflakes as strings, but Discord also takes JSON integers, and
        # discord.py sends some (message_reference ids) that way. Accept both, as Discord does.
        snowflake_schema = spec["components"]["schemas"]["SnowflakeType"]
        spec["components"]["schemas"]["SnowflakeType"] = {
            "anyOf": [snowflake_schema, {"type": "integer", "minimum": 0}]
        }
        self._registry = Registry().with_resource("urn:discord", DRAFT202012.create_resource(spec))
        self._routes: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        # Literal paths first, so /users/@me wins over /users/{user_id}.
        for path in sorted(spec["paths"], key=lambda p: (p.count("{"), p)):
            parts = ("[^/]+" if seg.startswith("{") else re.escape(seg) for seg in path.split("/"))
            pattern = re.compile("^" + "/".join(parts) + "$")
            self._routes.append((pattern, path, spec["paths"][path]))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template, ops in self._routes:
            if pattern.match(path) and method.lower() in ops:
                return template, ops[method.lower()]
        return None

    @cache  # noqa: B019 - one validator per operation, for the life of the fake
    def _validator(self, template: str, method: str) -> Draft202012Validator:
        pointer = "/".join(
            quote(part.replace("~", "~0").replace("/", "~1"), safe="~@")
            for part in (
                "paths",
                template,
                method,
                "requestBody",
                "content",
                "application/json",
                "schema",
            )
        )
        return Draft202012Validator({"$ref": f"urn:discord#/{pointer}"}, registry=self._registry)

    def errors(self, method: str, path: str, body: Any) -> list[str]:
        found = self.operation(method, path)
        if found is None:
            return [f"{method} {path} is not in Discord's API"]
        template, op = found
        if body is None or "application/json" not in op.get("requestBody", {}).get("content", {}):
            return []
        validator = self._validator(template, method.lower())
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message[:300]}"
            for e in validator.iter_errors(body)
        ]


@cache
def _spec_validator() -> SpecValidator:
    return SpecValidator(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def body_errors(method: str, path: str, body: Any) -> list[str]:
    """Everything wrong with a request: against Discord's spec, then our no-pings rule."""
    return _spec_validator().errors(method, path, body) or ping_errors(method, path, body)


@cache
def _checker() -> ProcessPoolExecutor:
    # Checking a body against the spec costs about 20 ms of CPU. In a process of its own it
    # doesn't take the event loop the bot shares with the fake, so Discord's 3 s deadline
    # measures the bot, not the fake.
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(_spec_validator)  # load the spec in the worker now, not on the first body
    return pool


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.violations: list[tuple[Recorded, list[str]]] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_closes: list[int | None] = []
        self.reject_token = False
        self.interaction_deadline = INTERACTION_DEADLINE
        self._interactions: dict[str, float] = {}  # id -> when it was created (monotonic)
        self._responded: set[str] = set()  # interaction ids that got their one response
        self._rate_limits: list[tuple[re.Pattern[str], int]] = []
        self._fail_next: list[tuple[re.Pattern[str], int]] = []
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._connected = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.validator = _spec_validator()
        self.checker = _checker()
        self.bot_user = user_payload(BOT_ID, "ArticleBot", bot=True)
        self.owner = user_payload(OWNER_ID, "owner")
        self.dm_channels: dict[int, int] = {}

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- waiting on what the bot did ----------------------------------------------------

    async def _note(self, record: Recorded) -> None:
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()

    async def wait_for(self, predicate, count: int = 1, within: float = 15.0) -> list[Recorded]:  # type: ignore[no-untyped-def]
        """The first `count` recorded requests matching `predicate`, waiting as needed."""
        found: list[Recorded] = []
        seen = 0

        def enough() -> bool:
            nonlocal seen  # each request is looked at once, however long the wait
            found.extend(r for r in self.requests[seen:] if predicate(r))
            seen = len(self.requests)
            return len(found) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), within)
            return found[:count]

    async def wait_connected(self, within: float = 15.0) -> None:
        await asyncio.wait_for(self._connected.wait(), within)

    def rate_limit_next(self, path_regex: str, times: int = 1) -> None:
        self._rate_limits.append((re.compile(path_regex), times))

    def fail_next(self, path_regex: str, status: int) -> None:
        self._fail_next.append((re.compile(path_regex), status))

    # -- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        self._connected.clear()
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            op = payload.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                self.identifies.append(payload["d"])
                await self._ready(payload["d"])
            elif op == 6:
                self.resumes.append(payload["d"])
                await self.dispatch("RESUMED", {})
                self._connected.set()
        self.gateway_closes.append(ws.close_code)
        return ws

    async def _ready(self, identify: dict[str, Any]) -> None:
        self._seq = 0
        shard = identify.get("shard", [0, 1])
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if shard[0] == 0 else [],
            "session_id": "session-" + snowflake(),
            "resume_gateway_url": self.gateway_url,
            "shard": shard,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self.dispatch("READY", ready)
        if shard[0] == 0:
            await self.dispatch("GUILD_CREATE", self.guild_payload())
        self._connected.set()

    def guild_payload(self) -> dict[str, Any]:
        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "permissions": MEMBER_PERMISSIONS,
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        channel = {
            **self.channel_payload(),
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }
        return {
            "id": str(GUILD_ID),
            "name": "Reading Group",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "unavailable": False,
            "large": False,
            "member_count": 2,
            "roles": [everyone],
            "channels": [channel],
            "threads": [],
            "members": [member_payload(self.bot_user), member_payload(self.owner)],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": now_iso(),
            "premium_tier": 0,
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "system_channel_flags": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "afk_timeout": 300,
        }

    @staticmethod
    def channel_payload() -> dict[str, Any]:
        return {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
        }

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None, "the bot is not connected"
        self._seq += 1
        await self._ws.send_str(json.dumps({"op": 0, "s": self._seq, "t": event, "d": data}))

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway as Discord does on a server-side hiccup (resumable)."""
        assert self._ws is not None
        self._connected.clear()
        await self._ws.close(code=code, message=b"fake: dropped")

    async def request_reconnect(self) -> None:
        """Op 7 Reconnect: the client should reconnect and resume."""
        await self._send_op(7, None)

    async def invalidate_session(self, *, resumable: bool) -> None:
        """Op 9 Invalid Session: resume when `resumable`, else identify afresh."""
        await self._send_op(9, resumable)

    async def _send_op(self, op: int, data: Any) -> None:
        assert self._ws is not None, "the bot is not connected"
        self._connected.clear()
        await self._ws.send_str(json.dumps({"op": op, "d": data}))

    # -- events the tests send --------------------------------------------------------------

    def message(
        self,
        content: str,
        *,
        author: dict[str, Any] | None = None,
        dm: bool = False,
        mentions: list[dict[str, Any]] | None = None,
        mention_everyone: bool = False,
    ) -> dict[str, Any]:
        author = author or user_payload(OWNER_ID, "owner")
        data: dict[str, Any] = {
            "id": snowflake(),
            "author": author,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": mention_everyone,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if dm:
            data["channel_id"] = str(self.dm_channel_for(int(author["id"])))
        else:
            data["channel_id"] = str(CHANNEL_ID)
            data["guild_id"] = str(GUILD_ID)
            data["member"] = {k: v for k, v in member_payload(author).items() if k != "user"}
        return data

    def mentions_from_many(self, text: str, count: int, first_user_id: int) -> list[dict[str, Any]]:
        """`count` messages mentioning the bot, each from a different user."""
        return [
            self.message(
                f"<@{BOT_ID}> {text}",
                author=user_payload(first_user_id + n, f"reader{n}"),
                mentions=[self.bot_user],
            )
            for n in range(count)
        ]

    def dm_channel_for(self, user_id: int) -> int:
        return self.dm_channels.setdefault(user_id, int(snowflake()))

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        permissions: str = MEMBER_PERMISSIONS,
        dm: bool = False,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        user = user or user_payload(OWNER_ID, "owner")
        iid = snowflake()
        self._interactions[iid] = time.monotonic()
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "token": f"token-{iid}",
            "version": 1,
            "app_permissions": ADMIN_PERMISSIONS,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10_000_000,
        }
        if dm:
            channel_id = self.dm_channel_for(int(user["id"]))
            payload.update(
                user=user,
                channel_id=str(channel_id),
                channel={"id": str(channel_id), "type": 1, "recipients": [user]},
                context=1,
                authorizing_integration_owners={"1": str(user["id"])},
            )
        else:
            payload.update(
                guild_id=str(GUILD_ID),
                channel_id=str(CHANNEL_ID),
                channel=self.channel_payload(),
                member=member_payload(user, permissions),
                guild_locale="en-US",
                context=0,
                authorizing_integration_owners={"0": str(GUILD_ID)},
            )
        if message is not None:
            payload["message"] = message
        return payload

    def slash(self, name: str, options: dict[str, Any], **kw: Any) -> dict[str, Any]:
        opts = [
            {"name": k, "type": 5 if isinstance(v, bool) else 3, "value": v}
            for k, v in options.items()
        ]
        return self.interaction(
            2, {"id": snowflake(), "name": name, "type": 1, "options": opts}, **kw
        )

    def autocomplete(self, name: str, option: str, typed: str, **kw: Any) -> dict[str, Any]:
        opts = [{"name": option, "type": 3, "value": typed, "focused": True}]
        return self.interaction(
            4, {"id": snowflake(), "name": name, "type": 1, "options": opts}, **kw
        )

    def click(self, custom_id: str, message: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return self.interaction(
            3, {"custom_id": custom_id, "component_type": 2}, message=message, **kw
        )

    # -- REST -----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
            elif raw:
                body = {"<non-json>": request.content_type}
        record = Recorded(request.method, path, dict(request.query), body)
        arrived = time.monotonic()  # what Discord's deadline is measured against

        if path == "/users/@me" and self.reject_token:
            record.status = 401
            await self._note(record)
            return _json({"message": "401: Unauthorized", "code": 0}, 401)

        errors = (
            await asyncio.get_running_loop().run_in_executor(
                self.checker, body_errors, request.method, path, body
            )
            if body is not None
            else self.validator.errors(request.method, path, body)
        )
        if errors:
            record.status = 400
            self.violations.append((record, errors))
            await self._note(record)
            return _json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, 400)

        for i, (pattern, times) in enumerate(self._rate_limits):
            if pattern.search(path):
                self._rate_limits[i] = (pattern, times - 1)
                if times - 1 <= 0:
                    del self._rate_limits[i]
                record.status = 429
                await self._note(record)
                headers = {"Via": "1.1 google", "X-RateLimit-Scope": "user", "Retry-After": "0.05"}
                body429 = {
                    "message": "You are being rate limited.",
                    "retry_after": 0.05,
                    "global": False,
                }
                return _json(body429, 429, headers)

        for i, (pattern, status) in enumerate(self._fail_next):
            if pattern.search(path):
                del self._fail_next[i]
                record.status = status
                await self._note(record)
                return _json({"message": f"fake failure {status}", "code": 50013}, status)

        handler = self._handler(request.method, path)
        if handler is None:
            record.status = 404
            await self._note(record)
            return _json({"message": "404: Not Found", "code": 0}, 404)
        status, payload = handler(path, body, arrived)
        record.status = status
        record.response = payload
        await self._note(record)
        return _json(payload, status) if payload is not None else web.Response(status=status)

    def _handler(self, method: str, path: str):  # type: ignore[no-untyped-def]
        table = [
            ("GET", r"/users/@me", lambda *_: (200, self.bot_user)),
            ("GET", r"/oauth2/applications/@me", lambda *_: (200, self._application())),
            ("GET", r"/gateway", lambda *_: (200, {"url": self.gateway_url})),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("POST", r"/interactions/(\d+)/[^/]+/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/[^/]+", self._followup),
            ("PATCH", r"/webhooks/(\d+)/[^/]+/messages/@original", self._followup),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
            ("POST", r"/users/@me/channels", self._create_dm),
        ]
        for m, pattern, fn in table:
            if m == method and re.fullmatch(pattern, path):
                return fn
        return None

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "ArticleBot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner,
            "team": None,
            "flags": 0,
            "summary": "",
        }

    def message_payload(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 19 if body.get("message_reference") else 0,
            "flags": body.get("flags") or 0,
        }

    def _create_message(self, path: str, body: Any, _arrived: float) -> tuple[int, Any]:
        channel_id = path.split("/")[2]
        return 200, self.message_payload(channel_id, body or {})

    def _callback(self, path: str, body: Any, arrived: float) -> tuple[int, Any]:
        iid = path.split("/")[2]
        created = self._interactions.get(iid)
        if created is None or arrived - created > self.interaction_deadline:
            return 404, {"message": "Unknown interaction", "code": 10062}
        if iid in self._responded:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        self._responded.add(iid)
        kind = body["type"]
        data = body.get("data") or {}
        out: dict[str, Any] = {
            "interaction": {
                "id": iid,
                "type": 2,
                "activity_instance_id": None,
                "response_message_id": None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
            }
        }
        if kind in (4, 7):
            message = self.message_payload(str(CHANNEL_ID), data)
            out["interaction"]["response_message_id"] = message["id"]
            out["resource"] = {"type": kind, "message": message}
        else:
            out["resource"] = {"type": kind}
        return 200, out

    def _followup(self, path: str, body: Any, _arrived: float) -> tuple[int, Any]:
        # The webhook of an interaction exists once the interaction got its response.
        token = path.split("/")[3]
        if token.removeprefix("token-") not in self._responded:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        return 200, self.message_payload(str(CHANNEL_ID), body or {})

    def _put_commands(self, path: str, body: Any, _arrived: float) -> tuple[int, Any]:
        guild = path.split("/")[4] if "/guilds/" in path else None
        out = []
        for cmd in body or []:
            full = {
                "id": snowflake(),
                "application_id": str(APP_ID),
                "version": snowflake(),
                "type": cmd.get("type", 1),
                "description": cmd.get("description", ""),
                "default_member_permissions": cmd.get("default_member_permissions"),
                **cmd,
            }
            if guild:
                full["guild_id"] = guild
            out.append(full)
        return 200, out

    def _create_dm(self, path: str, body: Any, _arrived: float) -> tuple[int, Any]:
        user_id = int(body["recipient_id"])
        channel = {
            "id": str(self.dm_channel_for(user_id)),
            "type": 1,
            "last_message_id": None,
            "recipients": [user_payload(user_id, "someone")],
        }
        return 200, channel


def _json(payload: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly application/json: discord.py does not parse a body whose type has a charset.
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
