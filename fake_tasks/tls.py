"""HTTPS for the hosts: a throwaway CA (trustme) and a server certificate for the loopback names."""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TLS_HOSTS", "TlsFiles", "make_tls"]

TLS_HOSTS = ("127.0.0.1", "localhost", "::1")
"""The names the server certificate is valid for."""


@dataclass(frozen=True)
class TlsFiles:
    """A CA and the server certificate it signed, written as PEM files.

    Clients verify the server with `ca_path` (`Elasticsearch(url, ca_certs=...)`) or pin it with
    `fingerprint`, the SHA-256 of the server certificate in hex
    (`ssl_assert_fingerprint=...`).
    """

    ca_path: Path
    cert_path: Path
    key_path: Path
    fingerprint: str

    def server_context(self) -> ssl.SSLContext:
        """The server side; handshakes happen in the connection's thread, never in `accept`."""
        context = _LazyHandshakeContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.cert_path), str(self.key_path))
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting this CA only (for `urllib` and friends)."""
        return ssl.create_default_context(cafile=str(self.ca_path))


class _LazyHandshakeContext(ssl.SSLContext):
    """Wraps sockets without a handshake on connect: the listening socket then hands accepted
    connections over before their handshake, so a client that never completes one (or speaks
    plain HTTP) occupies its own request thread, not the accept loop."""

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        kwargs["do_handshake_on_connect"] = False
        return super().wrap_socket(sock, *args, **kwargs)


def make_tls(directory: Path, hosts: tuple[str, ...] = TLS_HOSTS) -> TlsFiles:
    """A new CA and server certificate for `hosts`, written into `directory` (created)."""
    import trustme  # only where HTTPS is asked for

    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="fake-tasks throwaway CA")
    cert = ca.issue_cert(*hosts)
    ca_path = directory / "ca.pem"
    cert_path = directory / "server.pem"
    key_path = directory / "server-key.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_pem.write_to_path(str(key_path))
    leaf = cert.cert_chain_pems[0].bytes()
    cert_path.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    der = ssl.PEM_cert_to_DER_cert(leaf.decode("ascii"))
    return TlsFiles(ca_path, cert_path, key_path, hashlib.sha256(der).hexdigest())
