"""HTTPS through the pinned address: SNI and certificate checks use the host name, not the IP."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from reelgraph import netguard
from reelgraph.errors import FetchFailed
from reelgraph.settings import get_settings

crypto = pytest.importorskip("cryptography", reason="cryptography makes the test certificate")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

NAME = "media.local.test"


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen_host = self.headers.get("Host")  # type: ignore[attr-defined]
        body = b"secure bytes"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[ThreadingHTTPServer, Path]]:
    cert, key = _self_signed(tmp_path)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv, cert
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def pinned_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tls_server) -> Path:
    _, cert = tls_server
    real = __import__("socket").getaddrinfo

    def fake_dns(host: str, port: int, *a: object, **kw: object) -> list:
        if host.endswith(".local.test"):
            return [(2, 1, 6, "", ("127.0.0.1", port))]
        return real(host, port, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("socket.getaddrinfo", fake_dns)
    monkeypatch.setenv("REELGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELGRAPH_FETCH_ALLOWLIST", '[".local.test"]')
    get_settings.cache_clear()
    trust = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(
        netguard,
        "guarded_client",
        lambda timeout: httpx.Client(
            verify=trust, timeout=timeout, follow_redirects=False, trust_env=False
        ),
    )
    yield cert
    get_settings.cache_clear()


def test_https_to_pinned_ip_verifies_the_name(pinned_env, tls_server, tmp_path: Path) -> None:
    srv, _ = tls_server
    dest = netguard.fetch_to_file(
        f"https://{NAME}:{srv.server_port}/a", tmp_path / "a", max_bytes=1000
    )
    assert dest.read_bytes() == b"secure bytes"
    assert srv.seen_host == f"{NAME}:{srv.server_port}"  # type: ignore[attr-defined]


def test_certificate_for_another_name_is_rejected(pinned_env, tls_server, tmp_path) -> None:
    srv, _ = tls_server
    with pytest.raises(FetchFailed):
        netguard.fetch_to_file(
            f"https://other.local.test:{srv.server_port}/a", tmp_path / "b", max_bytes=1000
        )
    assert not (tmp_path / "b").exists()
