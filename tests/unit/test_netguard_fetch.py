"""The guarded fetcher refuses private targets (also after redirects) and caps body size."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reelgraph import netguard
from reelgraph.errors import FetchRefused, MediaTooLarge
from reelgraph.settings import get_settings

BODY = b"hello from a local server\n" * 100


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.server.seen_host = self.headers.get("Host")  # type: ignore[attr-defined]
        if self.path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/secret")
            self.end_headers()
            return
        if self.path == "/redirect-local":
            self.send_response(301)
            self.send_header("Location", "/file")
            self.end_headers()
            return
        if self.path == "/big-chunked":
            self.send_response(200)  # no Content-Length: the cap must apply while streaming
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 4096)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up at its cap, as the test wants
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.posted = self.rfile.read(length)  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOWLIST", raising=False)
    monkeypatch.delenv("REELGRAPH_FETCH_ALLOW_PRIVATE", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _allow_loopback(mp: pytest.MonkeyPatch) -> None:
    mp.setenv("REELGRAPH_FETCH_ALLOWLIST", '["127.0.0.0/8"]')
    get_settings.cache_clear()


def _fake_dns(mp: pytest.MonkeyPatch, table: dict[str, str]) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: int, *args: object, **kw: object) -> list:
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]
        return real(host, port, *args, **kw)  # type: ignore[arg-type]

    mp.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/x", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "cloud-metadata"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://192.168.1.10/", "private"),
        ("http://100.64.0.5/", "carrier-grade NAT"),
        ("http://[fd00:ec2::254]/", "cloud-metadata"),
        ("http://224.0.0.1/", "multicast"),
    ],
)
def test_private_and_metadata_addresses_are_refused(settings_env, url: str, reason: str) -> None:
    with pytest.raises(FetchRefused) as err:
        netguard.check_url(url)
    assert reason in str(err.value)
    assert "REELGRAPH_FETCH_ALLOWLIST" in str(err.value)


def test_hostname_resolving_to_private_address_is_refused(settings_env) -> None:
    _fake_dns(settings_env, {"innocent.example": "10.0.0.1"})
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.1, a private address"):
        netguard.check_url("https://innocent.example/cat.jpg")


def test_metadata_hostname_refused_even_with_allow_private(settings_env) -> None:
    _fake_dns(settings_env, {"metadata.google.internal": "169.254.169.254"})
    settings_env.setenv("REELGRAPH_FETCH_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    with pytest.raises(FetchRefused, match="cloud-metadata"):
        netguard.check_url("http://metadata.google.internal/computeMetadata/v1/")
    netguard.check_url("http://127.0.0.1/ok")  # plain loopback is permitted by the switch


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://a/", "//x"])
def test_non_http_schemes_are_refused(settings_env, url: str) -> None:
    with pytest.raises(FetchRefused, match="http"):
        netguard.check_url(url)


def test_public_address_passes_the_check(settings_env) -> None:
    _fake_dns(settings_env, {"cdn.example": "93.184.216.34"})
    target = netguard.check_target("https://cdn.example/a.png")
    assert str(target.ip) == "93.184.216.34" and target.port == 443


def test_loopback_refused_then_allowlisted_fetch_works(settings_env, server, tmp_path) -> None:
    url = f"http://127.0.0.1:{server.server_port}/file"
    dest = tmp_path / "out" / "f.bin"
    with pytest.raises(FetchRefused):
        netguard.fetch_to_file(url, dest, max_bytes=10_000)
    assert not dest.exists()
    _allow_loopback(settings_env)
    assert netguard.fetch_to_file(url, dest, max_bytes=10_000) == dest
    assert dest.read_bytes() == BODY
    assert list(dest.parent.iterdir()) == [dest]  # no temp file left


def test_pinned_connection_keeps_the_host_name(settings_env, server, tmp_path) -> None:
    _fake_dns(settings_env, {"media.local.test": "127.0.0.1"})
    settings_env.setenv("REELGRAPH_FETCH_ALLOWLIST", '["media.local.test"]')
    get_settings.cache_clear()
    dest = netguard.fetch_to_file(
        f"http://media.local.test:{server.server_port}/file", tmp_path / "f", max_bytes=10_000
    )
    assert dest.read_bytes() == BODY
    assert server.seen_host == f"media.local.test:{server.server_port}"  # type: ignore[attr-defined]


def test_redirect_to_private_address_is_refused(settings_env, server, tmp_path) -> None:
    _allow_loopback(settings_env)
    dest = tmp_path / "f.bin"
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.1"):
        netguard.fetch_to_file(
            f"http://127.0.0.1:{server.server_port}/redirect-private", dest, max_bytes=10_000
        )
    assert not dest.exists() and list(tmp_path.iterdir()) == []


def test_relative_redirect_is_followed(settings_env, server, tmp_path) -> None:
    _allow_loopback(settings_env)
    dest = netguard.fetch_to_file(
        f"http://127.0.0.1:{server.server_port}/redirect-local", tmp_path / "f", max_bytes=10_000
    )
    assert dest.read_bytes() == BODY


@pytest.mark.parametrize("path", ["/file", "/big-chunked"])
def test_too_large_body_is_cut_off_and_leaves_no_file(settings_env, server, tmp_path, path) -> None:
    _allow_loopback(settings_env)
    dest = tmp_path / "f.bin"
    with pytest.raises(MediaTooLarge):
        netguard.fetch_to_file(f"http://127.0.0.1:{server.server_port}{path}", dest, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_post_json_is_guarded_and_delivers(settings_env, server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/hook"
    with pytest.raises(FetchRefused):
        netguard.post_json(url, {"id": "j1"}, {"X-Sig": "abc"}, 5)
    _allow_loopback(settings_env)
    assert netguard.post_json(url, {"id": "j1"}, {"X-Sig": "abc"}, 5) == 204
    assert server.posted == b'{"id":"j1"}'  # type: ignore[attr-defined]
    exact = b'{ "b": 1, "a": "\xc3\xa9" }'
    assert netguard.post_json(url, {}, {}, 5, body=exact) == 204
    assert server.posted == exact  # type: ignore[attr-defined]
    assert netguard.post_json(url, {"z": 1, "a": "é"}, None, 5) == 204
    assert server.posted == '{"z":1,"a":"é"}'.encode()  # type: ignore[attr-defined]
