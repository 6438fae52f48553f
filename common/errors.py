"""One error hierarchy: a stable ``code``, an HTTP status and a sentence a person can act on."""

from __future__ import annotations


class ReelgraphError(Exception):
    """Base class. ``str(err)`` is the user-facing one-sentence message."""

    code = "internal_error"
    status = 500
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail  # log-only context (argv, stderr tail); never shown to users

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInput(ReelgraphError):
    """The request itself is wrong (empty prompt, absurd resolution)."""

    code = "invalid_input"
    status = 422


class MissingAsset(ReelgraphError):
    code = "missing_asset"
    status = 404


class UnsupportedMedia(ReelgraphError):
    """A file that is not the media type it claims to be, or that we cannot decode."""

    code = "unsupported_media"
    status = 415


class MediaTooLarge(ReelgraphError):
    code = "too_large"
    status = 413


class CorruptMedia(ReelgraphError):
    code = "corrupt_media"
    status = 422


class FetchRefused(ReelgraphError):
    """A URL we will not fetch (scheme, private address, size)."""

    code = "fetch_refused"
    status = 422


class FetchFailed(ReelgraphError):
    code = "fetch_failed"
    status = 502
    retryable = True


class OutputNotWritable(ReelgraphError):
    code = "output_not_writable"
    status = 500


class RenderFailed(ReelgraphError):
    code = "render_failed"
    status = 500


class DependencyMissing(ReelgraphError):
    code = "dependency_missing"
    status = 503


class ServiceUnavailable(ReelgraphError):
    code = "service_unavailable"
    status = 503
    retryable = True


class LLMError(ReelgraphError):
    """The chat model endpoint refused the request or could not be reached."""

    code = "llm_error"
    status = 502


class LLMUnavailable(LLMError):
    """The endpoint stayed unreachable or overloaded through every retry."""

    code = "llm_unavailable"
    status = 503
    retryable = True


class TransientError(ReelgraphError):
    """Worth retrying with backoff (429, network, CUDA OOM)."""

    code = "transient"
    status = 503
    retryable = True


class Canceled(ReelgraphError):
    code = "canceled"
    status = 409


class ProviderError(ReelgraphError):
    """A stock provider or image generator failed, rate-limited or answered nonsense."""

    code = "provider_error"
    status = 502
    retryable = True


class ProviderAuthError(ProviderError):
    """A stock provider or image generator refused the API key (HTTP 401 / 403)."""

    code = "provider_auth"
    retryable = False
