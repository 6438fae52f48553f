"""Uploaded media: streamed to disk with a size cap, sniffed, stored by content hash.

An asset lives at ``<uploads>/<asset_id><ext>`` with a ``<asset_id>.json`` sidecar (kind, mime,
size, sha256). ``asset_id = "asset_" + sha256[:32]``; names sent by users are never used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from reelgraph.errors import InvalidInput, MediaTooLarge, MissingAsset, UnsupportedMedia
from reelgraph.settings import get_settings
from reelgraph.sniff import Sniffed, sniff

logger = logging.getLogger(__name__)


class _Sink:
    """Receives one file part: hashes, counts, writes to a temp file, keeps the first bytes."""

    def __init__(self, directory: Path, max_bytes: int):
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".upload-", suffix=".partial", dir=directory)
        self.fh = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.max_bytes = max_bytes
        self.size = 0
        self.head = b""
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise MediaTooLarge(f"The upload is larger than the {self.max_bytes}-byte limit.")
        if len(self.head) < 64:
            self.head += data[: 64 - len(self.head)]
        self.sha.update(data)
        self.fh.write(data)


def _validate_decodable(path: Path, sniffed: Sniffed) -> None:
    """A second look with a real decoder: the magic number alone can be faked."""
    try:
        if sniffed.kind == "image":
            from PIL import Image

            with Image.open(path) as im:
                im.verify()
        else:
            from reelgraph.workers.engine.probe import probe

            probe(path)  # PyAV and the FFmpeg that decodes must read it with the same demuxer
    except Exception as exc:
        raise UnsupportedMedia(
            f"The upload looks like {sniffed.mime} but cannot be decoded; send a valid file."
        ) from exc


def finalize(tmp: Path, head: bytes, sha256: str, size: int) -> dict[str, Any]:
    """Sniff, validate and move a finished temp file into place; returns the asset record."""
    sniffed = sniff(head)
    if sniffed is None:
        raise UnsupportedMedia("The upload is not an image, audio or video file we can read.")
    _validate_decodable(tmp, sniffed)
    asset_id = "asset_" + sha256[:32]
    root = get_settings().uploads_dir
    final = root / f"{asset_id}{sniffed.ext}"
    meta = {
        "id": asset_id,
        "kind": sniffed.kind,
        "mime": sniffed.mime,
        "size": size,
        "sha256": sha256,
        "ext": sniffed.ext,
    }
    os.replace(tmp, final)
    side = root / f"{asset_id}.json"
    side_tmp = root / f".{asset_id}.json.partial"
    side_tmp.write_text(json.dumps(meta))
    os.replace(side_tmp, side)
    return meta


#: Bytes of part headers and of form fields besides ``file`` (discarded) an upload may carry.
MAX_OTHER_FIELDS_BYTES = 64 * 1024


class _FilePart:
    """Multipart callbacks that keep the first part named ``file`` and discard the others."""

    def __init__(self, directory: Path, max_bytes: int):
        self.directory, self.max_bytes = directory, max_bytes
        self.sink: _Sink | None = None
        self.done = False
        self.in_file = False
        self.other_bytes = 0
        self._field = b""
        self._value = b""
        self._name: bytes | None = None

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self._name, self.in_file = None, False

    def _count_other(self, n: int) -> None:
        """Part headers and fields other than ``file`` share a small cap."""
        self.other_bytes += n
        if self.other_bytes > MAX_OTHER_FIELDS_BYTES:
            raise MediaTooLarge(
                f"The form fields besides 'file' exceed {MAX_OTHER_FIELDS_BYTES} bytes; "
                "send only the 'file' field."
            )

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_other(end - start)
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_other(end - start)
        self._value += data[start:end]

    def on_header_end(self) -> None:
        if self._field.strip().lower() == b"content-disposition":
            self._name = parse_options_header(self._value)[1].get(b"name")
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        self.in_file = self._name == b"file" and not self.done

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file:
            self._count_other(end - start)
            return
        if self.sink is None:
            self.sink = _Sink(self.directory, self.max_bytes)
        self.sink.write(data[start:end])

    def on_part_end(self) -> None:
        self.done = self.done or self.in_file
        self.in_file = False


async def receive_upload(content_type: str, body: AsyncIterator[bytes]) -> dict[str, Any]:
    """Parse a multipart body as it streams in; store its part named ``file`` as an asset."""
    ctype, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise InvalidInput("Send the file as multipart/form-data with a 'file' field.")
    s = get_settings()
    part = _FilePart(s.uploads_dir, s.max_upload_bytes)
    try:
        try:
            parser = MultipartParser(boundary, part.callbacks())
            async for chunk in body:
                parser.write(chunk)
            parser.finalize()
        except FormParserError as exc:  # a bad boundary or a malformed body
            raise InvalidInput(
                "The multipart body is malformed; send it as multipart/form-data."
            ) from exc
        if not part.done:
            raise InvalidInput(
                "The upload has no 'file' field; send the file in a field named 'file'."
            )
        sink = part.sink
        if sink is None or sink.size == 0:
            raise InvalidInput("The 'file' field is empty; send the file's content in it.")
        sink.fh.close()
        return finalize(sink.path, sink.head, sink.sha.hexdigest(), sink.size)
    finally:
        if part.sink is not None:
            part.sink.fh.close()
            part.sink.path.unlink(missing_ok=True)


def store_base64(value: str) -> str:
    """Decode ``data:<mime>;base64,...`` (or bare base64) into an asset; return its id."""
    s = get_settings()
    payload = value.split(",", 1)[1] if value.startswith("data:") else value
    if value.startswith("data:") and ";base64" not in value.split(",", 1)[0]:
        raise InvalidInput("Inline media must be base64: data:<mime>;base64,<data>.")
    if len(payload) * 3 // 4 > s.max_upload_bytes:
        raise MediaTooLarge("The inline media is larger than the upload limit; upload it instead.")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("Inline media is not valid base64; check the encoding.") from exc
    s.uploads_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".inline-", suffix=".partial", dir=s.uploads_dir)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return str(finalize(tmp, data[:64], hashlib.sha256(data).hexdigest(), len(data))["id"])
    finally:
        tmp.unlink(missing_ok=True)


def resolve_asset(asset_id: str) -> tuple[Path, dict[str, Any]]:
    """The stored file and record of an asset id; MissingAsset when unknown."""
    from reelgraph.app.api.models import ASSET_RE

    if not ASSET_RE.match(asset_id):
        raise InvalidInput(f"'{asset_id[:60]}' is not an asset id (asset_ + 32 hex digits).")
    root = get_settings().uploads_dir
    side = root / f"{asset_id}.json"
    if not side.is_file():
        raise MissingAsset(f"Asset {asset_id} does not exist; upload it with POST /v1/uploads.")
    meta = json.loads(side.read_text())
    path = root / f"{asset_id}{meta['ext']}"
    if not path.is_file():
        raise MissingAsset(f"Asset {asset_id} is missing its file; upload it again.")
    return path, meta
