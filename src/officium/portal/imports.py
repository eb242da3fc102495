"""PF4 / DO3: importing files from another provider, only with the person's authorization.

A person authorizes a source (today a WebDAV server such as Nextcloud, with an app password;
``ImportSource.kind`` leaves room for OAuth providers). The secret is sealed at once under the
organization's vault key, bound to the source's identity; the plaintext is never stored or
logged. The person then picks folders of the source and a space: ``start_import`` records the
job and the worker runs it (``run_job``), opening the secret only for a job its owner started
with a source that is not revoked, checked again before every file.

Each remote file is listed (PROPFIND), checked (its path must stay inside the chosen folder, its
name must be a plain name, its size within the plan), then streamed (GET) through the same
encrypting pipeline as browser uploads: bytes are encrypted as they arrive, in constant memory,
and nothing is written in plaintext. A file that fails (server error, more bytes than announced,
a broken connection) leaves nothing behind; a job that stops half-way is resumed where it
stopped (finished files are skipped, an unfinished one continues with a ranged GET).

The source's name is resolved once per run, the address checked (no loopback, private or
link-local server unless the operator allows them) and every connection of the run made to
that very address, with the name kept for the Host header and TLS (no DNS rebinding between
the check and the connection). Each file has a wall-clock deadline
(``OFFICIUM_PORTAL_IMPORT_FILE_SECONDS``): a server dripping bytes is cut off when it passes,
and a job stops before its files exceed ``OFFICIUM_PORTAL_IMPORT_MAX_BYTES``; either way the
import fails clearly and nothing of the file is kept.

Under a policy that declares the ``content_import`` purpose with consent (officexlr: content
"uploaded automatically with your authorization"), authorizing a source records that consent
in the engine's ledger; revoking the person's last source withdraws it, and withdrawing it on
the consent page revokes every source they authorized (``consent_withdrawn``).
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import posixpath
import socket
import threading
import time
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from officium.accounts.models import Membership
from officium.portal import uploads
from officium.portal.files import unsupersede
from officium.portal.models import (
    File,
    Folder,
    ImportItem,
    ImportJob,
    ImportSource,
    ImportStatus,
    Space,
    Upload,
)
from officium.portal.names import clean_name
from officium.portal.plans import max_file_size
from officium.portal.services import PURPOSE, folder_for
from officium.privacy import audit
from officium.privacy.consent import catalogue as consent_catalogue
from officium.privacy.consent import ledger as consent_ledger
from officium.privacy.consent.models import Method as ConsentMethod
from officium.privacy.consent.models import State as ConsentState
from officium.privacy.vault import keys as vault_keys
from officium.privacy.vault.crypto import CryptoError, pack_parts

if TYPE_CHECKING:  # requests is imported when an import runs, not in every worker at start
    import requests

logger = logging.getLogger(__name__)

TIMEOUT = (5, 30)
"""Seconds to connect, and to wait for each piece of an answer."""
MAX_LISTING = 5 * 1024 * 1024
"""The largest PROPFIND answer read (a server answering more is refused)."""
MAX_ENTRIES = 10_000
MAX_DEPTH = 16
LISTING_SECONDS = 300.0
"""The longest one folder listing may take (at most the per-file deadline)."""
GET_PIECE = 256 * 1024
"""Bytes asked of ``requests`` at a time when it decodes an encoded answer."""
DAV = "{DAV:}"
PROPFIND_BODY = (b'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
                 b"<d:resourcetype/><d:getcontentlength/><d:getetag/></d:prop></d:propfind>")


class SourceError(Exception):
    """The source misbehaved or could not be reached; the message is shown to the person."""


class Interrupted(SourceError):
    """The connection broke inside a file: what arrived is kept, the next run continues it."""


class Stopped(SourceError):
    """The whole import stops (too slow, too large, a forbidden address): nothing of the file
    in progress is kept."""


CONSENT_PURPOSE = "content_import"
"""The policy purpose an import authorization is a consent to, when the policy declares it."""


# --- authorizations -----------------------------------------------------------------------

def _secret_aad(source: ImportSource) -> bytes:
    return pack_parts("officium/portal/import-source", source.organization_id, source.pk,
                      source.owner_id)


def _check_url(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"base_url": "Give the address of the WebDAV folder."})
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"base_url": "Give an https:// address of the WebDAV folder."})
    if parts.username or parts.password or parts.fragment or len(url) > 500:
        raise ValidationError({"base_url": "Give the address without a password, fragment or "
                                           "more than 500 characters."})
    if parts.scheme == "http" and not getattr(settings, "OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS", False):
        raise ValidationError({"base_url": "Use https:// so the password travels encrypted."})
    _check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return url if url.endswith("/") else url + "/"


PRIVATE_MESSAGE = "This server is on a private network; imports reach public servers only."


def _resolve_all(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def resolve_source(host: str, port: int) -> str:
    """The one address an import connects to: resolved once; refused (``ValueError``) when
    the name does not resolve or any of its addresses is loopback, private or link-local,
    unless the deployment allows them. An import must not become a way into the operator's
    own network, neither at authorization nor later by a name that starts resolving elsewhere."""
    try:
        addresses = _resolve_all(host, port)
    except OSError:
        raise ValueError("This server's name does not resolve.") from None
    if not addresses:
        raise ValueError("This server's name does not resolve.")
    if not getattr(settings, "OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS", False) \
            and any(_forbidden(a) for a in addresses):
        raise ValueError(PRIVATE_MESSAGE)
    return addresses[0]


def _check_host(host: str, port: int) -> None:
    """At authorization: a clear 400 for a name that is refused now (the run checks again)."""
    if getattr(settings, "OFFICIUM_PORTAL_IMPORT_PRIVATE_HOSTS", False):
        return
    try:
        resolve_source(host, port)
    except ValueError as error:
        raise ValidationError({"base_url": str(error)}) from None


def _file_seconds() -> float:
    return float(getattr(settings, "OFFICIUM_PORTAL_IMPORT_FILE_SECONDS", 3600))


def _max_bytes() -> int:
    return int(getattr(settings, "OFFICIUM_PORTAL_IMPORT_MAX_BYTES", 100 * 10**9))


# --- consent (policies that make the authorization a consent) ---------------------------------

def consent_purpose() -> str | None:
    """``content_import`` when the active policy asks consent for it, else None."""
    for purpose in consent_catalogue.consent_purposes():
        if purpose.id == CONSENT_PURPOSE:
            return CONSENT_PURPOSE
    return None


def _record_consent(user_id: int, give: bool) -> None:
    purpose = consent_purpose()
    if purpose is None:
        return
    consent_ledger.decide(consent_ledger.Subject(user_id=user_id), purpose,
                          ConsentState.GIVEN if give else ConsentState.WITHDRAWN,
                          ConsentMethod.PREFERENCE_PAGE)


def _consent_withdrawn(user_id: int | None) -> bool:
    purpose = consent_purpose()
    if purpose is None or user_id is None:
        return False
    return not consent_ledger.is_given(consent_ledger.Subject(user_id=user_id), purpose)


def consent_withdrawn(user_id: int) -> int:
    """The person withdrew their consent to imports (on the consent page or through the
    privacy officer): every source they authorized is revoked now. Returns how many."""
    revoked = 0
    for source in ImportSource.objects.filter(owner_id=user_id, revoked_at__isnull=True):
        with transaction.atomic():
            ImportSource.objects.filter(pk=source.pk).update(sealed_secret=b"",
                                                             revoked_at=timezone.now())
            audit.record("portal.import_revoked", actor=user_id,
                         organization=source.organization_id, subject=user_id, target=source,
                         details={"reason": "consent_withdrawn"})
        revoked += 1
    return revoked


def authorize_source(actor: Membership, *, label: object, base_url: object, username: object,
                     password: object) -> ImportSource:
    errors: dict[str, str] = {}
    try:
        label = clean_name(label or "", "label")
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    try:
        url = _check_url(base_url)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not isinstance(username, str) or not username.strip() or len(username) > 200:
        errors["username"] = "Give the user name of the account at the source."
    if not isinstance(password, str) or not password or len(password) > 500:
        errors["password"] = "Give the app password made for this import."  # noqa: S105
    if errors or not (isinstance(password, str) and isinstance(username, str)
                      and isinstance(label, str)):
        raise ValidationError(errors)
    organization = vault_keys.organization_key(actor.organization_id)
    if organization is None:  # pragma: no cover  (create=True always returns keys)
        raise ValidationError({"password": "This organization's key is gone."})
    with transaction.atomic():
        source = ImportSource.objects.create(organization_id=actor.organization_id,
                                             owner=actor.user, label=label, base_url=url,
                                             username=username.strip())
        source.sealed_secret = organization.encrypt(password.encode(), _secret_aad(source))
        source.save(update_fields=["sealed_secret"])
        _record_consent(actor.user_id, give=True)
        audit.record("portal.import_authorized", actor=actor.user,
                     organization=actor.organization_id, subject=actor.user, target=source,
                     details={"kind": source.kind})
    return source


def sources_for(actor: Membership) -> list[ImportSource]:
    """The actor's own authorizations: nobody else sees or uses them."""
    return list(ImportSource.objects.for_purpose(actor, PURPOSE).filter(
        organization_id=actor.organization_id, owner=actor.user))


def source_for(actor: Membership, source_id: int) -> ImportSource:
    source = ImportSource.objects.for_purpose(actor, PURPOSE).filter(
        organization_id=actor.organization_id, owner=actor.user, pk=source_id).first()
    if source is None:
        raise Http404
    return source


def revoke_source(actor: Membership, source: ImportSource) -> None:
    """Destroy the sealed secret now; jobs not yet run fail instead of using it."""
    with transaction.atomic():
        ImportSource.objects.filter(pk=source.pk).update(sealed_secret=b"", revoked_at=timezone.now())
        audit.record("portal.import_revoked", actor=actor.user, organization=source.organization_id,
                     subject=source.owner_id, target=source)
        if not ImportSource.objects.filter(owner_id=source.owner_id,
                                           revoked_at__isnull=True).exists():
            _record_consent(source.owner_id, give=False)  # the last one: consent withdrawn
    source.revoked_at = timezone.now()


def _open_secret(source: ImportSource) -> str:
    if source.revoked_at is not None or not source.sealed_secret \
            or _consent_withdrawn(source.owner_id):
        raise SourceError("The authorization for this source was revoked.")
    organization = vault_keys.organization_key(source.organization_id, create=False)
    if organization is None:
        raise SourceError("This organization's key is gone; the authorization cannot be used.")
    try:
        return bytes(organization.decrypt(bytes(source.sealed_secret), _secret_aad(source))).decode()
    except (CryptoError, UnicodeDecodeError):
        raise SourceError("The sealed authorization could not be opened.") from None


# --- jobs ---------------------------------------------------------------------------------

def _clean_path(value: object) -> str:
    if not isinstance(value, str) or len(value) > 1000:
        raise ValidationError({"paths": "Give each folder as a path such as Documents/2026."})
    segments = [s for s in value.strip().strip("/").split("/") if s]
    for segment in segments:
        clean_name(segment, "paths")
    return "/".join(segments)


def start_import(actor: Membership, *, source_id: int, space: Space, folder_id: int | None,
                 paths: object) -> ImportJob:
    source = source_for(actor, source_id)
    if source.revoked_at is not None:
        raise ValidationError({"source_id": "This authorization was revoked; authorize the "
                                            "source again to import from it."})
    if not isinstance(paths, list) or not 1 <= len(paths) <= 20:
        raise ValidationError({"paths": "Pick 1 to 20 folders to import."})
    cleaned = sorted({_clean_path(p) for p in paths})
    folder = folder_for(actor, space, folder_id) if folder_id else None
    from officium.portal.tasks import run_import

    with transaction.atomic():
        job = ImportJob.objects.create(organization_id=actor.organization_id, source=source,
                                       space=space, folder=folder, started_by=actor.user,
                                       paths=cleaned)
        audit.record("portal.import_started", actor=actor.user, organization=actor.organization_id,
                     subject=actor.user, target=job,
                     details={"source": source.pk, "space": space.pk, "folders": len(cleaned)})
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def jobs_for(actor: Membership) -> list[ImportJob]:
    return list(ImportJob.objects.filter(organization_id=actor.organization_id,
                                         started_by=actor.user).select_related("space", "source")[:20])


def job_for(actor: Membership, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(organization_id=actor.organization_id, started_by=actor.user,
                                   pk=job_id).first()
    if job is None:
        raise Http404
    return job


@dataclass
class Remote:
    path: str  # relative to the source's base, "/"-joined plain names
    size: int
    etag: str
    href: str  # absolute URL


def _pinned_session(address: str, sockets: weakref.WeakSet[socket.socket]) -> requests.Session:
    """A requests session whose every connection goes to ``address`` (the one checked), while
    the URL's name stays in the Host header and in TLS (SNI and certificate check). Each socket
    it opens is remembered in ``sockets`` so a deadline can cut it."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    from urllib3.util import connection as urllib3_connection

    def connect(conn: Any) -> socket.socket:
        try:
            sock = urllib3_connection.create_connection(
                (address, conn.port), conn.timeout, source_address=conn.source_address,
                socket_options=conn.socket_options)
        except TimeoutError as error:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out.") from error
        except OSError as error:
            raise NewConnectionError(conn, f"Failed to connect: {error}") from error
        sockets.add(sock)
        return sock

    class PinnedHTTP(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return connect(self)

    class PinnedHTTPS(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return connect(self)

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTP

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPS

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool,
                                                       "https": PinnedHTTPSPool}

    session = requests.Session()
    adapter = PinnedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class WebDAV:
    """One run's client of a source: its name resolved once, every connection pinned to
    that address, every request under a wall-clock deadline."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base = base_url
        parts = urlsplit(base_url)
        self.base_path = parts.path
        try:
            self.address = resolve_source(parts.hostname or "",
                                          parts.port or (443 if parts.scheme == "https" else 80))
        except ValueError as error:
            raise Stopped(str(error)) from None
        self.sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self.session = _pinned_session(self.address, self.sockets)
        self.session.auth = (username, password)
        self.session.headers["User-Agent"] = "Officium-import/1"
        self.session.trust_env = False  # no proxies or .netrc from the environment
        # One watchdog thread per run keeps the current deadline (not a timer per file).
        self._watch = threading.Condition()
        self._due: tuple[float, threading.Event] | None = None
        self._watcher: threading.Thread | None = None
        self._closed = False

    def close(self) -> None:
        with self._watch:
            self._closed = True
            self._watch.notify()
        self.session.close()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[threading.Event]:
        """Within the block, every request of this client ends by ``seconds`` from now: when
        it passes, the returned event is set and the client's sockets are shut down, so a read
        blocked on a server that drips bytes (each within the per-read timeout) returns. A
        block inside another has its own deadline; the outer one is back when it ends."""
        expired = threading.Event()
        with self._watch:
            outer = self._due
            self._due = (time.monotonic() + seconds, expired)
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watchdog, name="import-deadline",
                                                 daemon=True)
                self._watcher.start()
            self._watch.notify()
        try:
            yield expired
        finally:
            with self._watch:
                self._due = outer if outer is not None and not outer[1].is_set() else None
                self._watch.notify()

    def _watchdog(self) -> None:
        with self._watch:
            while not self._closed:
                if self._due is None:
                    self._watch.wait()
                    continue
                at, expired = self._due
                left = at - time.monotonic()
                if left > 0:
                    self._watch.wait(left)
                    continue
                self._due = None
                expired.set()
                for sock in list(self.sockets):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def url_of(self, path: str) -> str:
        return urljoin(self.base, quote(path))

    def listing(self, path: str) -> list[tuple[str, bool, int | None, str]]:
        """(relative path, is a folder, size, etag) of each entry directly in ``path``."""
        import requests

        url = self.url_of(path.rstrip("/") + "/" if path else "")
        seconds = min(_file_seconds(), LISTING_SECONDS)
        with self.deadline(seconds) as expired:
            try:
                answer = self.session.request("PROPFIND", url, headers={"Depth": "1",
                                              "Content-Type": "application/xml"},
                                              data=PROPFIND_BODY, timeout=TIMEOUT, stream=True,
                                              allow_redirects=False)
                with answer:
                    if answer.status_code in (401, 403):
                        raise SourceError("The source refused the user name or app password.")
                    if answer.status_code != 207:
                        raise SourceError(f"The source answered {answer.status_code} to a "
                                          "folder listing.")
                    body = bytearray()
                    for piece in answer.iter_content(65536):
                        body += piece
                        if len(body) > MAX_LISTING:
                            raise SourceError("The source's folder listing is too large.")
            except requests.RequestException as error:
                if expired.is_set():
                    raise Stopped(f"The source took more than {seconds:g} seconds to list a "
                                  "folder; the import stopped.") from None
                raise SourceError(f"The source could not be reached ({type(error).__name__}).") \
                    from None
        if expired.is_set():
            raise Stopped(f"The source took more than {seconds:g} seconds to list a folder; "
                          "the import stopped.")
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise SourceError("The source's folder listing declares entities; refused.")
        try:
            # No DTD reaches the parser (refused above), so no entity expansion can happen.
            root = ET.fromstring(bytes(body))  # noqa: S314
        except ET.ParseError:
            raise SourceError("The source's folder listing is not valid XML.") from None
        here = posixpath.normpath(posixpath.join(self.base_path, path)).rstrip("/")
        entries = []
        for response in root.iter(f"{DAV}response"):
            href = (response.findtext(f"{DAV}href") or "").strip()
            relative = self._inside(href)
            if relative is None:
                raise SourceError("The source listed a file outside the chosen folder; refused.")
            absolute = posixpath.normpath(posixpath.join(self.base_path, relative)).rstrip("/")
            if absolute == here:
                continue
            if posixpath.dirname(absolute) != here:
                raise SourceError("The source listed a file outside the chosen folder; refused.")
            folder = response.find(f".//{DAV}resourcetype/{DAV}collection") is not None
            length = response.findtext(f".//{DAV}getcontentlength")
            size = int(length) if length and length.strip().isdigit() else None
            etag = (response.findtext(f".//{DAV}getetag") or "").strip()[:200]
            entries.append((relative, folder, size, etag))
        return entries

    def _inside(self, href: str) -> str | None:
        """The path of ``href`` relative to the base, or None if it is anywhere else."""
        parts = urlsplit(href)
        base = urlsplit(self.base)
        if parts.scheme and (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        raw = parts.path
        decoded_segments = [unquote(s) for s in raw.split("/")]
        if any(s in (".", "..") or "\\" in s or "/" in s or "\x00" in s for s in decoded_segments):
            return None
        path = "/".join(decoded_segments)
        if not (path + "/").startswith(self.base_path.rstrip("/") + "/"):
            return None
        return path[len(self.base_path.rstrip("/")):].strip("/")

    def walk(self, path: str) -> Iterator[Remote]:
        pending = [(path, 0)]
        seen = 0
        while pending:
            current, depth = pending.pop()
            for relative, folder, size, etag in self.listing(current):
                seen += 1
                if seen > MAX_ENTRIES:
                    raise SourceError(f"The chosen folders hold more than {MAX_ENTRIES} entries.")
                if folder:
                    if depth + 1 > MAX_DEPTH:
                        raise SourceError("The chosen folders are nested too deep.")
                    pending.append((relative, depth + 1))
                else:
                    yield Remote(relative, -1 if size is None else size, etag,
                                 self.url_of(relative))

    def open(self, remote: Remote, offset: int) -> requests.Response:
        import requests

        # the bytes as stored: read straight into the upload's buffers (see _Stream)
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            answer = self.session.get(remote.href, headers=headers, stream=True, timeout=TIMEOUT,
                                      allow_redirects=False)
        except requests.RequestException as error:
            raise SourceError(f"The source could not be reached ({type(error).__name__}).") from None
        if answer.status_code not in (200, 206):
            answer.close()
            raise SourceError(f"The source answered {answer.status_code} for a file.")
        return answer


class _Stream:
    """A GET's body as ``readinto``/``read``, never giving more than ``limit`` bytes (more on the
    wire is the server lying about the size: ``more`` says so afterwards). A cut connection
    ends the body early: what arrived is kept.

    An answer sent as is (no ``Content-Encoding``, which ``open`` does not ask for) is read
    straight from the connection into the upload's buffers: no piece allocated and copied per
    read (the http.client response under urllib3's, a private attribute: docs/hot-paths.md,
    ``OFFICIUM_PORTAL_IMPORT_DIRECT_READS``). One the server encoded anyway, or with the
    setting off, goes through ``requests``' decoding."""

    def __init__(self, answer: requests.Response, limit: int) -> None:
        self.left = limit
        fp: Any = getattr(answer.raw, "_fp", None)  # the http.client response under urllib3's
        encoding = answer.headers.get("Content-Encoding", "identity").strip().lower()
        self.direct: Callable[[memoryview], int] | None = (
            fp.readinto if getattr(settings, "OFFICIUM_PORTAL_IMPORT_DIRECT_READS", True)
            and encoding in ("", "identity") and hasattr(fp, "readinto") else None)
        self.pieces = answer.iter_content(GET_PIECE) if self.direct is None else iter(())
        self.buffer = memoryview(b"")

    def _fill(self) -> bool:
        import requests

        while not self.buffer:
            try:
                self.buffer = memoryview(next(self.pieces))
            except StopIteration:
                return False
            except (requests.RequestException, OSError):  # a cut connection: keep what arrived
                return False
        return True

    def readinto(self, view: memoryview) -> int:
        """Bytes into the upload's buffer: from the socket itself, or copied from a piece."""
        if self.left <= 0:
            return 0
        if self.direct is not None:
            try:
                count = int(self.direct(view[:self.left]))
            except (OSError, http.client.HTTPException, ValueError):  # cut: keep what arrived
                return 0
        else:
            if not self._fill():
                return 0
            count = min(len(view), len(self.buffer), self.left)
            view[:count] = self.buffer[:count]
            self.buffer = self.buffer[count:]
        self.left -= count
        return count

    def read(self, size: int) -> bytes:
        target = bytearray(size)
        with memoryview(target) as view:
            count = self.readinto(view)
        return bytes(target[:count])

    def more(self) -> bool:
        """Whether the server sends anything past the limit."""
        import requests

        if self.direct is not None:
            try:
                return bool(self.direct(memoryview(bytearray(1))))
            except (OSError, http.client.HTTPException, ValueError):
                return False
        if self.buffer:
            return True
        try:
            return bool(next(self.pieces, b""))
        except (requests.RequestException, OSError):
            return False


def run_job(job_id: int) -> str:
    """Run (or resume) an import; returns its final status."""
    job = ImportJob.objects.select_related("source", "space").filter(pk=job_id).first()
    if job is None or job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job.status if job else "missing"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    actor = (Membership.objects.select_related("organization", "user").filter(
        organization_id=job.organization_id, user=job.started_by).first()
        if job.started_by_id is not None else None)
    try:
        source = job.source
        if source is None or actor is None or source.owner_id != job.started_by_id:
            raise SourceError("The authorization for this source was revoked.")
        if not job.space.members.filter(membership=actor).exists():
            raise SourceError("You are no longer a member of this space.")
        client = WebDAV(source.base_url, source.username, _open_secret(source))
        ImportSource.objects.filter(pk=source.pk).update(last_used_at=timezone.now())
        try:
            for path in job.paths:
                for remote in client.walk(path):
                    _import_one(job, actor, client, remote)
        finally:
            client.close()
    except SourceError as error:
        return _finish(job, ImportStatus.FAILED, str(error))
    except Exception:  # never leave a job "running": fail it, and log what went wrong
        logger.exception("portal: import %s stopped on an unexpected error", job.pk)
        return _finish(job, ImportStatus.FAILED, "The import stopped on an unexpected error; "
                                                 "start it again to continue where it stopped.")
    return _finish(job, ImportStatus.DONE, "")


def _finish(job: ImportJob, status: str, error: str) -> str:
    job.refresh_from_db()
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=status, error=error[:500],
                                                   finished_at=timezone.now())
        audit.record("portal.import_finished" if status == ImportStatus.DONE else "portal.import_failed",
                     actor=job.started_by_id, organization=job.organization_id,
                     subject=job.started_by_id, target=job,
                     details={"files": job.files_done, "failed": job.files_failed,
                              "bytes": job.bytes_done})
    return status


def _import_one(job: ImportJob, actor: Membership, client: WebDAV, remote: Remote) -> None:
    item, _created = ImportItem.objects.get_or_create(
        job=job, remote_path=remote.path[:1000],
        defaults={"organization_id": job.organization_id, "size": remote.size, "etag": remote.etag})
    if item.status == "done":
        return
    if _created:  # idempotent across runs: the same remote file, unchanged, is not imported twice
        earlier = (ImportItem.objects.filter(
            job__source_id=job.source_id, job__space_id=job.space_id, remote_path=item.remote_path,
            size=remote.size, etag=remote.etag).exclude(job=job)
            .select_related("file").order_by("-pk").first())
        if earlier is not None and earlier.status == "done" and earlier.file is not None \
                and earlier.file.trashed_at is None:
            ImportItem.objects.filter(pk=item.pk).update(status="done", file=earlier.file)
            return
        if earlier is not None and earlier.upload_id and remote.etag:  # resume its upload
            ImportItem.objects.filter(pk=item.pk).update(upload_id=earlier.upload_id)
            item.upload_id = earlier.upload_id
    # the authorization is checked again before every file: a revocation stops the import
    source = ImportSource.objects.filter(pk=job.source_id or 0).first()
    if source is None or source.revoked_at is not None or _consent_withdrawn(source.owner_id):
        raise SourceError("The authorization for this source was revoked.")
    limit = _max_bytes()
    if 0 < remote.size <= max_file_size(actor.organization.plan) \
            and job.bytes_done + remote.size > limit:  # (a file over the plan fails alone)
        ImportItem.objects.filter(pk=item.pk).update(status="failed", error="Over the import's size limit.")
        raise Stopped(f"The chosen folders hold more than {limit} bytes, the most one import "
                      "brings in; import fewer folders at a time.")
    try:
        file = _fetch(job, actor, client, remote, item)
    except (SourceError, ValidationError, uploads.TooLarge) as error:
        message = (error.messages[0] if isinstance(error, ValidationError) else str(error))
        interrupted = isinstance(error, Interrupted)
        ImportItem.objects.filter(pk=item.pk).update(
            status="failed", error=message[:300],
            upload_id=ImportItem.objects.get(pk=item.pk).upload_id if interrupted else None)
        ImportJob.objects.filter(pk=job.pk).update(files_failed=job.files_failed + 1)
        job.files_failed += 1
        if interrupted or isinstance(error, Stopped) \
                or (isinstance(error, SourceError) and "reached" in str(error)):
            raise
        return
    ImportItem.objects.filter(pk=item.pk).update(status="done", file=file, upload_id=None, error="")
    job.files_done += 1
    job.bytes_done += file.size
    ImportJob.objects.filter(pk=job.pk).update(files_done=job.files_done, bytes_done=job.bytes_done)


def _fetch(job: ImportJob, actor: Membership, client: WebDAV, remote: Remote,
           item: ImportItem) -> File:
    segments = remote.path.split("/")
    names = [clean_name(s, "path") for s in segments]
    if remote.size < 0:
        raise SourceError("The source did not say how large a file is; refused.")
    limit = max_file_size(actor.organization.plan)
    if remote.size > limit:
        raise SourceError(f"A file of {remote.size} bytes is over this plan's {limit} bytes.")
    upload = (Upload.objects.filter(pk=item.upload_id, size=remote.size).select_related("space").first()
              if item.upload_id else None)
    fits_checked = upload is None
    if upload is not None:  # a previous run stopped inside this file: continue it
        Upload.objects.filter(pk=upload.pk).update(busy_until=None)
    else:
        # BI1: start_upload checks the plan's storage for the declared size once, before any
        # folder is made for the file; receive_chunk then need not ask again right away.
        upload = uploads.start_upload(actor, job.space, name=names[-1], size=remote.size,
                                      sha256=None, folder=job.folder, folder_path=names[:-1])
        ImportItem.objects.filter(pk=item.pk).update(upload_id=upload.pk)
    offset = upload.offset
    seconds = _file_seconds()
    with client.deadline(seconds) as expired:
        try:
            return _receive(job, actor, client, remote, item, upload, offset, expired,
                            fits_checked)
        except Exception:
            if not expired.is_set():
                raise
        # the deadline passed: the file fails whole, nothing of it kept, the import stops
        current = Upload.objects.filter(pk=upload.pk).first()
        if current is not None:
            uploads.discard(current, reason="import_too_slow")
        ImportItem.objects.filter(pk=item.pk).update(upload_id=None)
        raise Stopped(f"A file took longer than {seconds:g} seconds to arrive from the source; "
                      "the import stopped and kept nothing of that file.")


def _receive(job: ImportJob, actor: Membership, client: WebDAV, remote: Remote, item: ImportItem,
             upload: Upload, offset: int, expired: threading.Event, fits_checked: bool) -> File:
    answer = client.open(remote, offset)
    if offset and answer.status_code != 206:  # the source cannot resume: start the file again
        answer.close()
        uploads.discard(Upload.objects.get(pk=upload.pk), reason="import_restarted")
        ImportItem.objects.filter(pk=item.pk).update(upload_id=None)
        item.upload_id = None
        return _fetch(job, actor, client, remote, item)
    try:
        stream = _Stream(answer, remote.size - offset)
        try:
            result = uploads.receive_chunk(actor, upload, offset, stream, remote.size - offset,
                                           fits_checked=fits_checked)
        except Interrupted:
            raise
        except SourceError:
            uploads.discard(Upload.objects.get(pk=upload.pk), reason="import_failed")
            raise
        if expired.is_set():
            if result.file is not None:  # finished just as the deadline passed: not kept either
                with transaction.atomic():
                    unsupersede(result.file)
                    File.objects.filter(pk=result.file.pk).delete()
            raise Stopped("deadline")
        if result.file is None or result.cut:
            raise Interrupted("The connection to the source broke during a file; start the "
                              "import again to continue where it stopped.")
        if stream.more():  # an endless or longer file: the server lied about the size
            with transaction.atomic():
                unsupersede(result.file)
                File.objects.filter(pk=result.file.pk).delete()
            raise SourceError("The source sent more bytes than the file's size; refused.")
        return result.file
    finally:
        answer.close()


def in_space_folder(space: Space, folder: Folder | None) -> str:
    return f"{space.name}/{folder.name}" if folder else space.name


def check_owner(actor: Membership, source: ImportSource) -> None:
    if source.owner_id != actor.user_id:
        raise PermissionDenied("Only the person who authorized a source uses it.")
