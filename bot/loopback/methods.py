"""The Web API methods of the loopback Slack (``bot/loopback/slack.py``), in Slack's shapes,
with the Block Kit limits Slack enforces (``invalid_blocks``)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.loopback.slack import LoopbackSlack

__all__ = ["METHODS", "blocks_problem", "message_problem", "slack_file_problem", "view_problem"]

_MESSAGE_BLOCKS, _VIEW_BLOCKS = 50, 100
_MODAL_TEXT, _METADATA, _ID = 24, 3000, 255


def _auth_test(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{team.lower()}.slack.com/",
        "team": slack.team_name,
        "user": "greenroom",
        "team_id": team,
        "user_id": slack.bot_user_id,
        "bot_id": "B0GREENROOM",
        "is_enterprise_install": False,
    }


def _users_info(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    user = slack._state.users.get(str(args.get("user")))
    if user is None:
        return {"ok": False, "error": "user_not_found"}
    return {"ok": True, "user": user.to_api()}


def _lookup_by_email(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    email = str(args.get("email", "")).lower()
    for user in slack._state.users.values():
        if user.email and user.email.lower() == email and user.team_id == team:
            return {"ok": True, "user": user.to_api()}
    return {"ok": False, "error": "users_not_found"}


def _users_list(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    """The workspace's members in pages: ``limit`` each (at most 1,000), from ``cursor`` on
    (here the base64 of the next member's place), ``next_cursor`` empty on the last page."""
    members = [u for u in slack._state.users.values() if u.team_id == team]
    try:
        start = int(base64.b64decode(str(args.get("cursor") or "MA==")).decode())
        limit = min(int(args.get("limit") or 1000), 1000)
    except ValueError:
        return {"ok": False, "error": "invalid_cursor"}
    end = start + max(limit, 1)
    cursor = base64.b64encode(str(end).encode()).decode() if end < len(members) else ""
    page = [u.to_api() for u in members[start:end]]
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}


def _post_message(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    channel = str(args.get("channel") or "")
    if not channel:
        return {"ok": False, "error": "channel_not_found"}
    problem = message_problem(args)
    if problem:
        return {"ok": False, "error": problem}
    if refused := _file_refusal(slack, _blocks(args)):
        return refused
    ts = slack._next_ts()
    message = {"type": "message", "text": args.get("text", ""), "blocks": _blocks(args), "ts": ts}
    slack._state.messages[(channel, ts)] = message
    return {"ok": True, "channel": channel, "ts": ts, "message": message}


def _post_ephemeral(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    if not args.get("channel"):
        return {"ok": False, "error": "channel_not_found"}
    if not args.get("user"):
        return {"ok": False, "error": "user_not_in_channel"}
    problem = message_problem(args)
    if problem:
        return {"ok": False, "error": problem}
    return _file_refusal(slack, _blocks(args)) or {"ok": True, "message_ts": slack._next_ts()}


def _update(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    key = (str(args.get("channel")), str(args.get("ts")))
    if key not in slack._state.messages:
        return {"ok": False, "error": "message_not_found"}
    problem = message_problem(args)
    if problem:
        return {"ok": False, "error": problem}
    if refused := _file_refusal(slack, _blocks(args)):
        return refused
    slack._state.messages[key].update(text=args.get("text", ""), blocks=_blocks(args))
    return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text", "")}


def _ok(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    return {"ok": True}


def _unfurl(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    # Slack's chat.unfurl: the message (channel + ts) or the composer (unfurl_id + source), and
    # a JSON object of URL -> attachment, here with Block Kit blocks.
    if not (args.get("channel") and args.get("ts")) and not (
        args.get("unfurl_id") and args.get("source")
    ):
        return {"ok": False, "error": "cannot_find_message"}
    unfurls = _json_arg(args.get("unfurls"))
    if not isinstance(unfurls, dict) or not unfurls:
        return {"ok": False, "error": "invalid_unfurls_format"}
    for attachment in unfurls.values():
        blocks = attachment.get("blocks") if isinstance(attachment, dict) else None
        if not isinstance(blocks, list) or len(blocks) > _MESSAGE_BLOCKS or blocks_problem(blocks):
            return {"ok": False, "error": "invalid_blocks"}
    return {"ok": True}


def _view(slack: LoopbackSlack, args: dict[str, Any], team: str, method: str) -> dict[str, Any]:
    view = _json_arg(args.get("view"))
    if not isinstance(view, dict) or "type" not in view:
        return {"ok": False, "error": "invalid_arguments"}
    if method in {"views.open", "views.push"}:
        trigger = str(args.get("trigger_id") or "")
        if not trigger:
            return {"ok": False, "error": "invalid_trigger_id"}
        if trigger in slack._state.triggers:
            return {"ok": False, "error": "exchanged_trigger_id"}
        slack._state.triggers.add(trigger)
    if method == "views.update":
        stored = slack._state.views.get(str(args.get("view_id")))
        if stored is None:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != stored["hash"]:
            return {"ok": False, "error": "hash_conflict"}
    limit = _VIEW_BLOCKS
    if len(view.get("blocks") or []) > limit or blocks_problem(view.get("blocks") or []):
        return {"ok": False, "error": "invalid_blocks"}
    if refused := _file_refusal(slack, view.get("blocks") or []):
        return refused
    problem = view_problem(view)
    if problem:
        return {
            "ok": False,
            "error": "invalid_arguments",
            "response_metadata": {"messages": [problem]},
        }
    view_id = str(args.get("view_id") or f"V{next(slack._ids):08d}")
    stored = {
        **view,
        "id": view_id,
        "hash": f"{time.time():.0f}.{next(slack._ids)}",
        "team_id": team,
    }
    slack._state.views[view_id] = stored
    if method == "views.publish":
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        slack._state.home_views[str(args["user_id"])] = stored
    return {"ok": True, "view": stored}


def _conversations_open(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    users = str(args.get("users") or "")
    if not users:
        return {"ok": False, "error": "users_list_not_supplied"}
    return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("UW")}}


def _upload_url(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    if not args.get("filename") or not str(args.get("length", "")).isdigit():
        return {"ok": False, "error": "invalid_arguments"}
    file_id = f"F{next(slack._ids):08d}"
    return {"ok": True, "upload_url": f"{slack.url}/upload/{file_id}", "file_id": file_id}


def _complete_upload(slack: LoopbackSlack, args: dict[str, Any], team: str) -> dict[str, Any]:
    files = _json_arg(args.get("files"))
    if not isinstance(files, list) or not files:
        return {"ok": False, "error": "invalid_arguments"}
    missing = [f.get("id") for f in files if f.get("id") not in slack._state.uploads]
    if missing:
        return {"ok": False, "error": "file_not_found"}
    done = [_file_object(slack, team, f["id"], f.get("title") or f["id"]) for f in files]
    for file in done:
        slack._state.files[file["id"]] = file
    return {"ok": True, "files": done}


def _file_object(slack: LoopbackSlack, team: str, file_id: str, title: str) -> dict[str, Any]:
    # Slack's file object, trimmed: a file completed without channel_id is shared nowhere
    # (only the uploader, the app, can use it), and its URLs are private.
    content = slack._state.uploads[file_id]
    kind = _image_type(content)
    name = f"{title}"[:80]
    return {
        "id": file_id,
        "title": title,
        "name": name,
        "filetype": kind or "binary",
        "mimetype": f"image/{kind}" if kind else "application/octet-stream",
        "size": len(content),
        "user": slack.bot_user_id,
        "is_public": False,
        "url_private": f"https://files.slack.com/files-pri/{team}-{file_id}/{name}",
        "permalink": f"https://{team.lower()}.slack.com/files/{slack.bot_user_id}/{file_id}/{name}",
    }


def _image_type(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content[:6] in {b"GIF87a", b"GIF89a"}:
        return "gif"
    return None


def slack_file_problem(slack: LoopbackSlack, blocks: list[Any]) -> str | None:
    """Slack's complaint about an image block's ``slack_file`` (or None): exactly one of
    ``id`` / ``url`` (the file's ``url_private`` or ``permalink``), naming a completed upload
    that is a png, jpg or gif; an image block has ``alt_text`` and one of ``image_url`` /
    ``slack_file``."""
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or block.get("type") != "image":
            continue
        pointer = f"[json-pointer:/blocks/{index}"
        if not str(block.get("alt_text") or "") or len(str(block["alt_text"])) > 2000:
            return f"must provide alt_text of at most 2000 characters {pointer}/alt_text]"
        source = block.get("slack_file")
        if ("image_url" in block) == (source is not None):
            return f"must provide exactly one of image_url or slack_file {pointer}]"
        if source is None:
            continue
        if not isinstance(source, dict) or ("id" in source) == ("url" in source):
            return f"invalid slack file {pointer}/slack_file]"
        if "id" in source:
            file = slack._state.files.get(str(source["id"]))
        else:
            file = next(
                (
                    f
                    for f in slack._state.files.values()
                    if source["url"] in {f["url_private"], f["permalink"]}
                ),
                None,
            )
        if file is None or not file["mimetype"].startswith("image/"):
            return f"invalid slack file {pointer}/slack_file]"
    return None


def _file_refusal(slack: LoopbackSlack, blocks: list[Any]) -> dict[str, Any] | None:
    problem = slack_file_problem(slack, blocks)
    if problem is None:
        return None
    message = f"[ERROR] {problem}"
    return {
        "ok": False,
        "error": "invalid_blocks",
        "errors": [problem],
        "response_metadata": {"messages": [message]},
    }


METHODS: dict[str, Callable[[LoopbackSlack, dict[str, Any], str], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "users.info": _users_info,
    "users.lookupByEmail": _lookup_by_email,
    "users.list": _users_list,
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "chat.delete": _ok,
    "chat.unfurl": _unfurl,
    "conversations.open": _conversations_open,
    "files.getUploadURLExternal": _upload_url,
    "files.completeUploadExternal": _complete_upload,
    **{
        name: (lambda method: lambda s, a, t: _view(s, a, t, method))(name)
        for name in ("views.open", "views.push", "views.update", "views.publish")
    },
}


def _json_arg(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = _json_arg(args.get("blocks"))
    return blocks if isinstance(blocks, list) else []


def message_problem(args: dict[str, Any]) -> str | None:
    blocks = _blocks(args)
    if not args.get("text") and not blocks and not args.get("delete_original"):
        return "no_text"
    if len(blocks) > _MESSAGE_BLOCKS or blocks_problem(blocks):
        return "invalid_blocks"
    return None


def view_problem(view: dict[str, Any]) -> str | None:
    """What Slack would refuse in a modal (beyond the blocks' own limits), or None."""
    if view.get("type") != "modal":
        return None
    for key in ("title", "submit", "close"):
        text = (view.get(key) or {}).get("text", "")
        if len(text) > _MODAL_TEXT or (key == "title" and not text):
            return f"[ERROR] {key} must be 1 to {_MODAL_TEXT} characters [json-pointer:/view/{key}]"
    if len(str(view.get("private_metadata") or "")) > _METADATA:
        return "[ERROR] private_metadata must be at most 3000 characters"
    if len(str(view.get("callback_id") or "")) > _ID:
        return "[ERROR] callback_id must be at most 255 characters"
    blocks = view.get("blocks") or []
    ids = [b["block_id"] for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(ids) != len(set(ids)) or any(len(str(i)) > _ID for i in ids):
        return "[ERROR] block_id must be unique and at most 255 characters"
    inputs = [b for b in blocks if b.get("type") == "input"]
    if inputs and not view.get("submit"):
        return "[ERROR] a view with input blocks needs a submit button"
    for block in inputs:
        label = (block.get("label") or {}).get("text", "")
        if not label or len(label) > 2000 or not isinstance(block.get("element"), dict):
            return "[ERROR] an input block needs a label (at most 2000 characters) and an element"
        problem = _element_problem(block["element"])
        if problem:
            return problem
    return None


def _element_problem(element: dict[str, Any]) -> str | None:
    kind = element.get("type")
    options = element.get("options") or []
    shown = [*options, *element.get("initial_options", []), element.get("initial_option") or {}]
    for option in (o for o in shown if o):
        if len(option["text"]["text"]) > 75 or len(str(option.get("value", ""))) > 150:
            return "[ERROR] option text must be at most 75 and values 150 characters"
    if kind == "static_select" and not 1 <= len(options) <= 100:
        return "[ERROR] a static_select has 1 to 100 options"
    if kind in {"checkboxes", "radio_buttons"} and not 1 <= len(options) <= 10:
        return f"[ERROR] {kind} have 1 to 10 options"
    if kind == "plain_text_input":
        limit = int(element.get("max_length") or 3000)
        if limit > 3000 or len(str(element.get("initial_value") or "")) > limit:
            return "[ERROR] plain_text_input: max_length at most 3000, initial_value within it"
    placeholder = (element.get("placeholder") or {}).get("text", "")
    if len(placeholder) > 150:
        return "[ERROR] placeholder must be at most 150 characters"
    return None


def blocks_problem(blocks: list[Any]) -> bool:
    """True when a block breaks one of Block Kit's limits Slack enforces."""
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            return True
        texts: list[dict[str, Any]] = [block["text"]] if isinstance(block.get("text"), dict) else []
        if block["type"] == "header" and len(texts[0]["text"] if texts else "") > 150:
            return True
        texts.extend(
            e for e in block.get("elements") or [] if e.get("type") in {"mrkdwn", "plain_text"}
        )
        if any(len(str(t.get("text", ""))) > 3000 for t in texts):
            return True
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            if element.get("type") != "button":
                continue
            if len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000:
                return True
            if len(element.get("action_id", "")) > 255:
                return True
        if block["type"] == "actions" and len(block.get("elements") or []) > 25:
            return True
        if block["type"] == "context" and len(block.get("elements") or []) > 10:
            return True
    return False
