"""Who is asking: a Slack user mapped to a catalog User, and catalog people mapped back to Slack.

Slack user -> catalog User: Slack's ``users.info`` gives the account's (confirmed) email, and
the User whose ``spec.profile.email`` is that email is the caller. Slack vouches for the email;
the catalog only says which User has it. A ``slack.com/user_id`` annotation never overrides
that: it only picks among several Users that share the caller's email (one of them must carry
the caller's id), and a User whose annotation names the caller but whose email is not the
caller's is ignored. Without an email from Slack, nobody is mapped. What Slack said is cached
in ``slack_users`` for ``slack.user_cache_minutes`` (shared by every replica), and each process
keeps the callers it answered from that cache until their row's time is up; the catalog half
is redone whenever the catalog changes. When Slack cannot be asked the caller is still
answered, unmapped, with the reason in ``Caller.problem``.

Catalog person -> Slack id (for mentions): the annotation, then the cache, then
``users.lookupByEmail`` for the first few people of a reply, all at once (five round trips to
Slack one after the other held a reply up by half a second); the others are looked up by one
background thread per process, so a big team's page is not held up by (rate-limited) lookups
and shows their mentions from the next time on. An email Slack does not know is remembered in
``slack_email_misses`` for as long as a mapping, so no replica or restart asks again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Connection, Engine, Row, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from catalog import Catalog, EntityRef, parse_ref
from catalog.annotations import SLACK_USER_ID
from catalog.database import as_utc, writer
from catalog.groups import Person, person_of, users_with_email
from slackkit.tables import slack_email_misses, slack_users

__all__ = ["Caller", "MembersLearnt", "UserResolver"]

log = logging.getLogger(__name__)
_INLINE_LOOKUPS = 5
_PEOPLE_KEPT = 20_000
_BACKGROUND_QUEUE = 1000
_MEMBERS_PAGE = 200  # Slack's advice for users.list
#: How a caller was mapped (``Caller.mapped_by``); cached rows saying anything else (the old
#: "annotation") are mapped again.
BY_EMAIL = "email"
BY_EMAIL_AND_ID = "email+slack_id"
_MAPPINGS = frozenset({BY_EMAIL, BY_EMAIL_AND_ID})


@dataclass(frozen=True)
class MembersLearnt:
    """What one read of the member list found: members saved, those of them mapped to a
    catalog User, and catalog emails no active member has."""

    members: int
    mapped: int
    unknown_emails: int


@dataclass(frozen=True)
class Caller:
    """The Slack user behind a request, and the catalog User they map to (if any)."""

    team_id: str
    user_id: str
    email: str | None = None
    person: Person | None = None
    mapped_by: str | None = None
    problem: str | None = None

    @property
    def mapped(self) -> bool:
        return self.person is not None


class UserResolver:
    """Resolves callers and finds Slack ids for catalog people, with a shared DB cache."""

    def __init__(self, engine: Engine, catalog: Catalog, *, ttl: timedelta) -> None:
        self.engine = engine
        self.catalog = catalog
        self.ttl = ttl
        self._lock = threading.Lock()
        self._later: queue.Queue[tuple[WebClient, str, str]] = queue.Queue(_BACKGROUND_QUEUE)
        self._queued: set[tuple[str, str]] = set()
        self._worker: threading.Thread | None = None
        self._now: ThreadPoolExecutor | None = None  # the lookups a reply waits for
        # The catalog User behind a cached mapping, per catalog generation: every answer
        # resolves its caller, and reading and parsing the User each time was a query and a
        # validation per answer.
        self._people: dict[str, Person | None] = {}
        self._people_generation: int | None = None
        # Callers answered from a fresh, valid mapping, until it is no longer fresh or the
        # catalog changes: the same answer the cached row gives, without reading the row
        # again on every request (it is read once per caller and generation).
        self._callers: dict[tuple[str, str], tuple[int, datetime, Caller]] = {}

    def resolve(self, client: WebClient, team_id: str, user_id: str) -> Caller:
        """The caller, from the cache when fresh, else by asking Slack."""
        now = datetime.now(UTC)
        generation = self.catalog.generation()
        key = (team_id, user_id)
        known = self._callers.get(key)
        if known is not None and known[0] == generation and known[1] > now - self.ttl:
            return known[2]
        with self.engine.connect() as conn:
            row = conn.execute(_CALLER, {"team_id": team_id, "user_id": user_id}).first()
        fresh = row is not None and as_utc(row.checked_at) > now - self.ttl
        if row is not None and fresh and _still_valid(row, generation):
            person = self._person(row.user_ref, generation)
            caller = Caller(team_id, user_id, row.email, person, row.mapped_by if person else None)
            self._keep(key, generation, as_utc(row.checked_at), caller)
            return caller
        problem = None
        checked_at = as_utc(row.checked_at) if row is not None and fresh else now
        if row is not None and fresh:
            email = row.email
        else:
            email, problem = self._ask_slack(client, user_id)
            if problem is not None and row is not None:
                # Slack did not answer: a stale answer beats none; it stays stale, so the
                # next request asks again.
                email, problem, checked_at = row.email, None, as_utc(row.checked_at)
        person, mapped_by = self._map(user_id, email)
        caller = Caller(team_id, user_id, email, person, mapped_by, problem)
        if problem is None or person is not None:
            self._save(
                team_id,
                user_id,
                email=email,
                person=person,
                mapped_by=mapped_by,
                generation=generation,
                checked_at=checked_at,
            )
            if problem is None:
                self._keep(key, generation, checked_at, caller)
        return caller

    def slack_ids(
        self,
        client: WebClient,
        team_id: str,
        people: Iterable[Person],
        *,
        wait_for: int | None = _INLINE_LOOKUPS,
    ) -> dict[EntityRef, str]:
        """Slack user ids of those ``people`` that can be found (for mentions). At most
        ``wait_for`` are looked up now (None: all, for jobs that must reach everyone); the
        rest in the background."""
        found: dict[EntityRef, str] = {}
        by_email: dict[str, Person] = {}
        for person in people:
            if person.slack_user_id and person.slack_user_id[:1] in {"U", "W"}:
                found[person.ref] = person.slack_user_id
            elif person.email:
                by_email[person.email.strip().lower()] = person
        if not by_email:
            return found
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(slack_users.c.email, slack_users.c.user_id).where(
                    slack_users.c.team_id == team_id, slack_users.c.email.in_(list(by_email))
                )
            )
            for email, slack_id in rows:
                if email in by_email:
                    found[by_email.pop(email).ref] = slack_id
            misses = conn.execute(
                select(slack_email_misses.c.email).where(
                    slack_email_misses.c.team_id == team_id,
                    slack_email_misses.c.email.in_(list(by_email)),
                    slack_email_misses.c.checked_at > datetime.now(UTC) - self.ttl,
                )
            )
            for (email,) in misses:
                by_email.pop(email, None)
        waiting = list(by_email.items())
        now = waiting if wait_for is None else waiting[:wait_for]

        def look_up(item: tuple[str, Person]) -> str | None:
            return self._lookup_by_email(client, team_id, item[0])

        ids = self._lookups_now().map(look_up, now) if len(now) > 1 else map(look_up, now)
        for (_, person), slack_id in zip(now, ids, strict=True):
            if slack_id is not None:
                found[person.ref] = slack_id
        for email, _ in waiting[len(now) :]:
            self._look_up_later(client, team_id, email)
        return found

    def learn_members(self, client: WebClient, team_id: str) -> MembersLearnt:
        """Read the workspace's member list into the cache (``users.list``, 200 members a
        call), and remember every catalog email that no active member has, as a lookup that
        found nobody would: on a new install, replies then find their mentions in the
        database instead of asking Slack one email at a time. Deactivated members and bots
        are nobody to mention; an unconfirmed email maps nobody (as in ``resolve``).
        ``SlackApiError`` and ``SlackClientError`` go to the caller (the job says why)."""
        now = datetime.now(UTC)
        generation = self.catalog.generation()
        people: dict[str, list[Person]] = {}
        for stored in self.catalog.entities(kinds=["user"]):
            user = person_of(stored)
            if user.email:
                people.setdefault(user.email.strip().lower(), []).append(user)
        rows: list[dict[str, Any]] = []
        active: set[str] = set()
        for page in client.users_list(limit=_MEMBERS_PAGE):
            for user in page.get("members") or []:
                email = str((user.get("profile") or {}).get("email") or "").strip().lower()
                if not email or user.get("deleted") or user.get("is_bot"):
                    continue
                active.add(email)
                if user.get("is_email_confirmed") is False:
                    continue
                user_id = str(user["id"])
                person, mapped_by = _choose(user_id, people.get(email, []))
                rows.append(_mapping(team_id, user_id, email, person, mapped_by, generation, now))
        unknown = sorted(people.keys() - active)
        with writer(self.engine).begin() as conn:  # all of it, or nothing when Slack fails
            for row in rows:
                _upsert(conn, slack_users, row, keys={"team_id", "user_id"})
            for email in unknown:
                miss = {"team_id": team_id, "email": email, "checked_at": now}
                _upsert(conn, slack_email_misses, miss, keys={"team_id", "email"})
        with self._lock:
            self._callers.clear()  # answered from the rows just written from now on
        mapped = sum(row["user_ref"] is not None for row in rows)
        return MembersLearnt(members=len(rows), mapped=mapped, unknown_emails=len(unknown))

    def idle(self) -> bool:
        """Whether no background lookup is queued or running (for tests and shutdown)."""
        with self._lock:
            return not self._queued

    def _lookups_now(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._now is None:
                self._now = ThreadPoolExecutor(_INLINE_LOOKUPS, "slack-user-lookups-now")
            return self._now

    def _look_up_later(self, client: WebClient, team_id: str, email: str) -> None:
        key = (team_id, email)
        with self._lock:
            if key in self._queued:
                return
            try:
                self._later.put_nowait((client, team_id, email))
            except queue.Full:
                return  # asked again on a later reply
            self._queued.add(key)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._look_up_queued, name="slack-user-lookups", daemon=True
                )
                self._worker.start()

    def _look_up_queued(self) -> None:
        while True:
            client, team_id, email = self._later.get()
            try:
                self._lookup_by_email(client, team_id, email)
            except Exception:  # a bug must not stop later lookups
                log.exception("looking up a Slack user by email failed")
            finally:
                with self._lock:
                    self._queued.discard((team_id, email))

    def _ask_slack(self, client: WebClient, user_id: str) -> tuple[str | None, str | None]:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            code = str(error.response.get("error") or error.response.status_code)
            log.warning("users.info failed for %s: %s", user_id, code)
            return None, code
        except (SlackClientError, OSError) as error:
            log.warning("users.info failed for %s: %s", user_id, type(error).__name__)
            return None, "no answer from Slack"
        email = (user.get("profile") or {}).get("email")
        if email and user.get("is_email_confirmed") is False:
            log.warning("Slack user %s has an unconfirmed email; not used to map them", user_id)
            return None, None
        return (str(email).strip().lower() if email else None), None

    def _lookup_by_email(self, client: WebClient, team_id: str, email: str) -> str | None:
        now = datetime.now(UTC)
        try:
            user = client.users_lookupByEmail(email=email)["user"]
            user_id = str(user["id"])
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                miss = {"team_id": team_id, "email": email, "checked_at": now}
                with writer(self.engine).begin() as conn:
                    _upsert(conn, slack_email_misses, miss, keys={"team_id", "email"})
            else:
                log.warning("users.lookupByEmail failed: %s", error.response.get("error"))
            return None
        except (SlackClientError, OSError, KeyError):
            return None
        if user.get("is_email_confirmed") is False:
            return user_id  # fine to mention, but not who they are
        generation = self.catalog.generation()
        mapped, mapped_by = self._map(user_id, email)
        self._save(
            team_id,
            user_id,
            email=email,
            person=mapped,
            mapped_by=mapped_by,
            generation=generation,
            checked_at=now,
        )
        return user_id

    def _map(self, user_id: str, email: str | None) -> tuple[Person | None, str | None]:
        if not email:
            return None, None
        return _choose(user_id, users_with_email(self.catalog, email))

    def _keep(
        self, key: tuple[str, str], generation: int, checked: datetime, caller: Caller
    ) -> None:
        with self._lock:
            if len(self._callers) >= _PEOPLE_KEPT:
                self._callers.clear()
            self._callers[key] = (generation, checked, caller)

    def _person(self, ref: str | None, generation: int) -> Person | None:
        if not ref:
            return None
        with self._lock:
            if self._people_generation != generation:
                self._people, self._people_generation = {}, generation
            if ref in self._people:
                return self._people[ref]
        stored = self.catalog.get(parse_ref(ref))
        person = person_of(stored) if stored else None
        with self._lock:
            if self._people_generation == generation and len(self._people) < _PEOPLE_KEPT:
                self._people[ref] = person
        return person

    def _save(
        self,
        team_id: str,
        user_id: str,
        *,
        email: str | None,
        person: Person | None,
        mapped_by: str | None,
        generation: int,
        checked_at: datetime,
    ) -> None:
        row = _mapping(team_id, user_id, email, person, mapped_by, generation, checked_at)
        with writer(self.engine).begin() as conn:
            _upsert(conn, slack_users, row, keys={"team_id", "user_id"})


def _mapping(
    team_id: str,
    user_id: str,
    email: str | None,
    person: Person | None,
    mapped_by: str | None,
    generation: int,
    checked_at: datetime,
) -> dict[str, Any]:
    """A ``slack_users`` row: what Slack said about a user, and who they are in the catalog."""
    return {
        "team_id": team_id,
        "user_id": user_id,
        "email": email,
        "user_ref": str(person.ref) if person else None,
        "mapped_by": mapped_by if person else None,
        "catalog_generation": generation,
        "checked_at": checked_at,
    }


def _choose(user_id: str, people: list[Person]) -> tuple[Person | None, str | None]:
    """The catalog User among ``people`` (those with the Slack user's email) they are."""
    if len(people) == 1:
        return people[0], BY_EMAIL
    chosen = [p for p in people if p.slack_user_id == user_id]
    if len(chosen) == 1:
        return chosen[0], BY_EMAIL_AND_ID
    if people:
        refs = ", ".join(sorted(str(p.ref) for p in people))
        log.warning(
            "Slack user %s is not mapped: several catalog users have their email (%s) and "
            "not exactly one of them has their id as %s",
            user_id,
            refs,
            SLACK_USER_ID,
        )
    return None, None


_CALLER = select(slack_users).where(
    slack_users.c.team_id == bindparam("team_id"), slack_users.c.user_id == bindparam("user_id")
)


def _upsert(conn: Connection, table: Table, values: dict[str, Any], *, keys: set[str]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=sorted(keys),
            set_={k: statement.excluded[k] for k in values if k not in keys},
        )
    )


def _still_valid(row: Row[Any], generation: int) -> bool:
    """A cached mapping made for this catalog, by a rule that still holds."""
    return bool(
        row.catalog_generation == generation
        and (row.user_ref is None or row.mapped_by in _MAPPINGS)
    )
