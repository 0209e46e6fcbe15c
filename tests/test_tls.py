"""HTTPS: the throwaway CA, both hosts, the official client verifying (or not trusting) it."""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exceptions
from serving import serving

from fake_tasks import FakeTasks, FakeTasksServer, Settings, TlsFiles, make_tls
from fake_tasks.cli import main

TIMEOUT = 5


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(params=[False, True], ids=["fixture-host", "serve-host"])
def https_server(request: pytest.FixtureRequest, tls: TlsFiles) -> Iterator[FakeTasksServer]:
    with FakeTasksServer(standalone=request.param, tls=tls) as server:
        yield server


def get(url: str, context: ssl.SSLContext | None = None) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=TIMEOUT, context=context) as response:
        return dict(json.loads(response.read()))


def test_the_server_certificate_is_pinned_by_the_fingerprint(
    https_server: FakeTasksServer, tls: TlsFiles
) -> None:
    address = urlsplit(https_server.url)
    assert address.scheme == "https"
    context = tls.client_context()
    with (
        socket.create_connection((address.hostname, address.port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=address.hostname) as wrapped,
    ):
        der = wrapped.getpeercert(binary_form=True)
    assert der is not None
    assert hashlib.sha256(der).hexdigest() == tls.fingerprint
    assert https_server.fake.ca_certs == str(tls.ca_path)
    assert https_server.fake.fingerprint == tls.fingerprint


def test_the_official_client_verifies_with_the_ca(https_server: FakeTasksServer) -> None:
    fake = https_server.fake
    es = Elasticsearch(https_server.url, ca_certs=fake.ca_certs, request_timeout=TIMEOUT)
    task = fake.add_task("indices:data/write/reindex")
    assert es.tasks.get(task_id=str(task.task_id))["completed"] is False
    assert es.info()["tagline"] == "You Know, for Search"


def test_the_official_client_pins_the_fingerprint(https_server: FakeTasksServer) -> None:
    es = Elasticsearch(
        https_server.url,
        ssl_assert_fingerprint=https_server.fake.fingerprint,
        request_timeout=TIMEOUT,
    )
    assert "nodes" in es.tasks.list()


def test_a_client_that_does_not_trust_the_ca_fails(https_server: FakeTasksServer) -> None:
    es = Elasticsearch(https_server.url, request_timeout=TIMEOUT, max_retries=0)
    with pytest.raises(es_exceptions.SSLError) as raised:
        es.tasks.list()
    assert "CERTIFICATE_VERIFY_FAILED" in raised.value.message
    wrong = Elasticsearch(
        https_server.url, ssl_assert_fingerprint="00" * 32, request_timeout=TIMEOUT, max_retries=0
    )
    with pytest.raises(es_exceptions.SSLError) as raised:
        wrong.tasks.list()
    assert raised.value.message.startswith("Fingerprints did not match.")


def test_plain_http_to_the_https_port_is_no_answer(
    https_server: FakeTasksServer, tls: TlsFiles
) -> None:
    plain = https_server.url.replace("https://", "http://")
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        get(plain + "/_tasks")
    assert "nodes" in get(https_server.url + "/_tasks", tls.client_context())  # still serving


def test_https_to_a_plain_port_fails_the_handshake(tls: TlsFiles) -> None:
    with FakeTasksServer() as server:
        secure = server.url.replace("http://", "https://")
        with pytest.raises(urllib.error.URLError, match=r"SSL|WRONG_VERSION|record"):
            get(secure + "/_tasks", tls.client_context())


def test_a_client_stuck_before_its_handshake_blocks_nobody(
    https_server: FakeTasksServer, tls: TlsFiles
) -> None:
    address = urlsplit(https_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT):
        # connected, no ClientHello sent: the accept loop must still take other clients
        assert "nodes" in get(https_server.url + "/_tasks", tls.client_context())


def test_serve_security_requires_the_builtin_superuser(capsys: pytest.CaptureFixture[str]) -> None:
    with serving(capsys, ["--security", "--tasks", "1"], TIMEOUT) as lines:
        url = lines[0].rsplit(" ", 1)[-1]
        assert lines[1] == "fake-tasks: security on: user elastic, password changeme"
        with pytest.raises(urllib.error.HTTPError) as raised:
            get(url + "/_tasks")
        assert raised.value.code == 401
        raised.value.close()
        es = Elasticsearch(url, basic_auth=("elastic", "changeme"), request_timeout=TIMEOUT)
        assert "nodes" in es.tasks.list()


def test_serve_tls_prints_the_ca_and_fingerprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--tls", "--tls-dir", str(tmp_path), "--tasks", "3"]
    with serving(capsys, argv, TIMEOUT) as lines:
        url = lines[0].rsplit(" ", 1)[-1]
        assert url.startswith("https://127.0.0.1:")
        assert lines[1] == f"fake-tasks: CA certificate {tmp_path / 'ca.pem'}"
        fingerprint = lines[2].rsplit(" ", 1)[-1]
        context = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
        assert get(url + "/", context)["tagline"] == "You Know, for Search"
        es = Elasticsearch(url, ssl_assert_fingerprint=fingerprint, request_timeout=TIMEOUT)
        assert "nodes" in es.tasks.list()
    assert (tmp_path / "ca.pem").is_file()  # --tls-dir keeps the files


def test_the_marker_and_the_option_serve_https(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
from elasticsearch import Elasticsearch


@pytest.mark.fake_tasks(tls=True)
def test_https(fake_tasks):
    assert fake_tasks.url.startswith("https://")
    es = Elasticsearch(fake_tasks.url, ca_certs=fake_tasks.ca_certs)
    assert "nodes" in es.tasks.list()


def test_http_by_default(fake_tasks, request):
    tls = request.config.getoption("--fake-tasks-tls")
    assert fake_tasks.url.startswith("https://" if tls else "http://")
    assert (fake_tasks.ca_certs is not None) is tls
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.runpytest("-p", "no:cacheprovider", "--fake-tasks-tls").assert_outcomes(passed=2)


def test_check_verifies_a_secured_https_fake(
    tls: TlsFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTasksServer(FakeTasks(Settings(security=True)), tls=tls) as server:
        url = server.url
        assert main(["check", url, "--cacert", str(tls.ca_path), "-u", "elastic:changeme"]) == 0
        assert main(["check", url, "--cacert", str(tls.ca_path)]) == 1  # 401s are no lists
        assert main(["check", url, "-u", "elastic:changeme", "--timeout", "5"]) == 1  # untrusted
    out = capsys.readouterr().out
    assert "CERTIFICATE_VERIFY_FAILED" in out
