"""Signed, retried job callbacks (n8n's "resume" URL works as a callback_url).

The body is compact, key-sorted JSON: job id, status, artifact URLs, error, the caller's metadata.
With ``Settings.callback_secret`` set, ``X-Reelgraph-Signature: sha256=<hex>`` carries the
HMAC-SHA256 of the exact body bytes. Delivery goes through the guarded fetcher (no private
addresses unless allowlisted) and is retried with exponential backoff; every attempt is recorded
on the job record under ``callback.attempts``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from app.jobstore import JobStore
from common.errors import ReelgraphError
from common.settings import get_settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reelgraph-Signature"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the exact bytes that are sent and signed."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=str)  # fmt: skip
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
    from common import netguard

    return int(netguard.post_json(url, json.loads(body), headers, timeout))


def deliver(store: JobStore, job_id: str) -> bool:
    """POST the job's callback (if any) until a 2xx, a permanent 4xx, or attempts run out."""
    rec = store.get(job_id)
    if not rec or not rec.get("callback_url"):
        return False
    s = get_settings()
    body = body_bytes(callback_payload(rec))
    headers = {"Content-Type": "application/json", "User-Agent": "reelgraph-callback/1"}
    if s.callback_secret:
        headers[SIGNATURE_HEADER] = sign(body, s.callback_secret)
    attempts: list[dict[str, Any]] = []
    delivered = False
    for i in range(max(1, s.callback_attempts)):
        entry: dict[str, Any] = {"at": time.time()}
        try:
            status = _post(rec["callback_url"], body, headers, s.callback_timeout_s)
            entry["status"] = status
        except ReelgraphError as exc:
            status, entry["error"] = 0, exc.message
        except Exception as exc:  # network errors from the HTTP client
            status, entry["error"] = 0, f"{type(exc).__name__}: {exc}"[:300]
        attempts.append(entry)
        store.update(job_id, callback={"attempts": attempts, "delivered": 200 <= status < 300})
        if 200 <= status < 300:
            delivered = True
            break
        if 400 <= status < 500 and status not in (408, 425, 429):
            logger.warning("callback for %s refused with %s; not retrying", job_id, status)
            break
        if i + 1 < s.callback_attempts:
            time.sleep(s.callback_backoff_s * 2**i)
    if not delivered:
        logger.warning("callback for %s not delivered after %d attempts", job_id, len(attempts))
    return delivered
