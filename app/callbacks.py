"""Signed, retried job callbacks (n8n's "resume" URL works as a callback_url).

The body is compact, key-sorted JSON: job id, status, artifact URLs, error, the caller's metadata.
With ``Settings.callback_secret`` set, ``X-Reelgraph-Signature: sha256=<hex>`` carries the
HMAC-SHA256 of the exact body bytes. Delivery goes through the guarded fetcher (no private
addresses unless allowlisted): the URL is checked at submission (``check_callback_url``) and
again at delivery, where a refused address is final. A delivery is its own RQ job on the
``cpu`` queue (``enqueue_delivery``) that makes one attempt: a failure worth retrying raises a
retryable error and RQ's scheduler runs it again after the next backoff interval, so no worker,
graph or media, ever sleeps on a receiver. Every attempt is recorded on the job record under
``callback.attempts``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import time
from typing import Any

from redis import Redis
from rq import Retry

from reelgraph.app.jobstore import JobStore
from reelgraph.errors import FetchFailed, FetchRefused, InvalidInput, ReelgraphError
from reelgraph.settings import get_settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reelgraph-Signature"
CALLBACK_TASK = "reelgraph.app.api.tasks.deliver_callback"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the exact bytes that are sent and signed."""
    text = json.dumps(
        payload,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=str,
    )
    return text.encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, secret: str) -> bool:
    """What a receiver does: recompute the HMAC over the raw body and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), signature)


def artifact_urls(job_id: str, artifacts: dict[str, Any] | None) -> dict[str, str]:
    base = get_settings().public_base_url.rstrip("/")
    return {name: f"{base}/v1/jobs/{job_id}/artifacts/{name}" for name in sorted(artifacts or {})}


def callback_payload(rec: dict[str, Any]) -> dict[str, Any]:
    base = get_settings().public_base_url.rstrip("/")
    return {
        "id": rec["id"],
        "job_id": rec["id"],
        "kind": rec.get("kind"),
        "status": rec.get("status"),
        "error": rec.get("error"),
        "artifacts": artifact_urls(rec["id"], rec.get("artifacts")),
        "result_url": f"{base}/v1/jobs/{rec['id']}/result",
        "metadata": rec.get("metadata") or {},
        "finished_at": rec.get("finished_at"),
    }


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST through the guarded fetcher. It serialises compactly without re-sorting, so the
    key-sorted dict decoded from ``body`` goes out as exactly ``body`` (a test checks this)."""
    from reelgraph import netguard

    return int(netguard.post_json(url, json.loads(body), headers, timeout))


def check_callback_url(url: str) -> None:
    """InvalidInput (422) naming the reason unless the guarded fetcher would POST to ``url``:
    http(s) only, and a host whose addresses are public or in REELGRAPH_FETCH_ALLOWLIST.
    Resolves the host, so call it off the event loop."""
    from reelgraph import netguard

    try:
        netguard.check_url(url)
    except (FetchRefused, FetchFailed) as exc:
        raise InvalidInput(f"callback_url: {exc.message}") from exc


class CallbackNotDelivered(ReelgraphError):
    """One delivery attempt failed in a way a later one may not (network, 408, 429, 5xx)."""

    code = "callback_not_delivered"
    status = 502
    retryable = True


def backoff_intervals() -> list[int]:
    """Seconds before each retry of a delivery: ``callback_backoff_s`` doubling (at least 1)."""
    s = get_settings()
    return [max(1, math.ceil(s.callback_backoff_s * 2**i)) for i in range(s.callback_attempts - 1)]


def enqueue_delivery(conn: Redis, job_id: str) -> None:
    """Queue the delivery of a job's callback: ``callback_attempts`` tries at most, spaced by
    ``backoff_intervals()`` (RQ's scheduler runs the retries)."""
    from reelgraph.workers.jobs.queueing import get_queue

    intervals = backoff_intervals()
    get_queue("cpu", conn).enqueue_call(
        CALLBACK_TASK,
        kwargs={"job_id": job_id},
        timeout=600,
        result_ttl=3600,
        failure_ttl=7 * 86400,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        description=f"callback of {job_id}",
    )


def _attempt(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """One POST; the attempt as recorded: status, or error (and ``refused`` when final)."""
    entry: dict[str, Any] = {"at": time.time()}
    try:
        entry["status"] = _post(url, body, headers, get_settings().callback_timeout_s)
    except FetchRefused as exc:  # the address is not allowed: no later attempt can succeed
        entry["status"], entry["error"], entry["refused"] = 0, exc.message, True
    except ReelgraphError as exc:
        entry["status"], entry["error"] = 0, exc.message
    except Exception as exc:  # network errors from the HTTP client
        entry["status"], entry["error"] = 0, f"{type(exc).__name__}: {exc}"[:300]
    return entry


def _final(entry: dict[str, Any]) -> bool:
    """Whether no further attempt is worth making after ``entry``."""
    status = int(entry["status"])
    permanent_4xx = 400 <= status < 500 and status not in (408, 425, 429)
    return 200 <= status < 300 or permanent_4xx or bool(entry.get("refused"))


def deliver(store: JobStore, job_id: str) -> bool:
    """One attempt at POSTing the job's callback (if any); True once delivered.

    A permanent refusal (a 4xx other than 408/425/429, an address the fetcher refuses) or the
    last allowed attempt returns False; any other failure raises CallbackNotDelivered, which RQ
    retries after the next backoff interval.
    """
    rec = store.get(job_id)
    if not rec or not rec.get("callback_url"):
        return False
    s = get_settings()
    body = body_bytes(callback_payload(rec))
    headers = {"Content-Type": "application/json", "User-Agent": "reelgraph-callback/1"}
    if s.callback_secret:
        headers[SIGNATURE_HEADER] = sign(body, s.callback_secret)
    entry = _attempt(rec["callback_url"], body, headers)
    attempts = [*((rec.get("callback") or {}).get("attempts") or []), entry]
    delivered = 200 <= entry["status"] < 300
    store.update(job_id, callback={"attempts": attempts, "delivered": delivered})
    if delivered:
        return True
    why = entry.get("error") or f"HTTP {entry['status']}"
    if _final(entry) or len(attempts) >= s.callback_attempts:
        logger.warning("callback of %s not delivered (%d attempts): %s", job_id, len(attempts), why)
        return False
    raise CallbackNotDelivered(
        f"The callback of {job_id} failed ({why}); attempt {len(attempts)} of "
        f"{s.callback_attempts}, retrying."
    )
