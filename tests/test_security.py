"""Security emulation through the app (no sockets): 401s, 403s per action, `_authenticate`."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.errors import FakeTasksError
from fake_tasks.rest.app import App
from fake_tasks.scripting.security import Security, SecurityError
from fake_tasks.versions import parse_version

CHALLENGES = ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]
LIST, GET, CANCEL = (
    "cluster:monitor/tasks/lists",
    "cluster:monitor/task/get",
    "cluster:admin/tasks/cancel",
)


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def secured(version: str = "9.5.0") -> tuple[FakeTasks, Client]:
    fake = FakeTasks(Settings(version=version, security=True))
    return fake, Client(App(fake))


def security_error(reason: str, status: int, **extra: Any) -> dict[str, Any]:
    cause = {"type": "security_exception", "reason": reason, **extra}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


def test_security_is_off_by_default() -> None:
    client = Client(App(FakeTasks()))
    assert client.get("/_tasks").status_code == 200
    response = client.get("/_security/_authenticate")
    assert response.status_code == 500
    assert response.get_json()["error"]["type"] == "exception"
    assert response.get_json()["error"]["reason"].startswith(
        "Security must be explicitly enabled when using a [basic] license."
    )


def test_no_credentials_is_a_401_with_the_challenges_and_no_product_header() -> None:
    _, client = secured()
    response = client.get("/_tasks?detailed")
    assert response.status_code == 401
    assert response.headers.getlist("WWW-Authenticate") == CHALLENGES
    assert "X-elastic-product" not in response.headers
    assert response.headers["content-type"] == "application/json"
    assert response.get_json() == security_error(
        "missing authentication credentials for REST request [/_tasks?detailed]",
        401,
        header={"WWW-Authenticate": CHALLENGES},
    )


@pytest.mark.parametrize(
    ("version", "comma"), [("8.14.3", False), ("8.15.0", True), ("7.17", False)]
)
def test_the_basic_challenge_has_a_comma_from_8_15(version: str, comma: bool) -> None:
    _, client = secured(version)
    challenge = client.get("/").headers.getlist("WWW-Authenticate")[0]
    sep = ", " if comma else " "
    assert challenge == f'Basic realm="security"{sep}charset="UTF-8"'


def test_unauthenticated_beats_routing_and_parameter_errors() -> None:
    _, client = secured()
    assert client.get("/_nothing?pretty=yes").status_code == 401
    assert client.delete("/_tasks").status_code == 401


@pytest.mark.parametrize(
    ("header", "reason", "unsuccessful"),
    [
        (basic("elastic", "wrong"),
         "unable to authenticate user [elastic] for REST request [/_tasks]", None),
        (basic("nobody", "x"),
         "unable to authenticate user [nobody] for REST request [/_tasks]", None),
        ({"Authorization": "Basic " + base64.b64encode(b"nocolon").decode()},
         "invalid basic authentication header value", None),
        ({"Authorization": "ApiKey " + base64.b64encode(b"foo:bar").decode()},
         "unable to authenticate with provided credentials and anonymous access is not allowed "
         "for this request", "API key: unable to find apikey with id foo"),
        ({"Authorization": "Bearer not-a-token"},
         "unable to authenticate with provided credentials and anonymous access is not allowed "
         "for this request", None),
        ({"Authorization": "Digest abc"},
         "missing authentication credentials for REST request [/_tasks]", None),
    ],
)  # fmt: skip
def test_bad_credentials_are_401s(
    header: dict[str, str], reason: str, unsuccessful: str | None
) -> None:
    _, client = secured()
    response = client.get("/_tasks", headers=header)
    assert response.status_code == 401
    extra: dict[str, Any] = {"header": {"WWW-Authenticate": CHALLENGES}}
    if unsuccessful is not None:
        extra = {"additional_unsuccessful_credentials": unsuccessful, **extra}
    assert response.get_json() == security_error(reason, 401, **extra)


@pytest.mark.parametrize(
    ("credential", "cause"),
    [
        ("%%%", "Illegal base64 character 25"),
        ("ab cd", "Illegal base64 character 20"),
        ("YWJjZ", "Last unit does not have enough valid bits"),
        ("YQ=", "Input byte array has wrong 4-byte ending unit"),
        ("YQ==x", "Input byte array has incorrect ending byte at 4"),
        ("Y", "Input byte[] should at least have 2 bytes for base64 bytes"),
    ],
)
def test_a_basic_header_java_cannot_decode_keeps_the_decoder_error_as_cause(
    credential: str, cause: str
) -> None:
    # UsernamePasswordToken.extractToken passes the JDK decoder's IAE on as the cause, and the
    # failure handler returns that security exception as it is (docs/es-facts.md, Security)
    _, client = secured()
    response = client.get("/_tasks", headers={"Authorization": f"Basic {credential}"})
    assert response.status_code == 401
    reason = "invalid basic authentication header encoding"
    header = {"WWW-Authenticate": CHALLENGES}
    root = {"type": "security_exception", "reason": reason, "header": header}
    assert response.get_json() == {
        "error": {
            "root_cause": [root],
            "type": "security_exception",
            "reason": reason,
            "caused_by": {"type": "illegal_argument_exception", "reason": cause},
            "header": header,
        },
        "status": 401,
    }


def test_a_basic_header_without_padding_is_decoded_as_the_jdk_does() -> None:
    fake, client = secured()
    fake.security.add_user("ann", "secret1", roles=["superuser"])
    padded = base64.b64encode(b"ann:secret1").decode()
    unpadded = padded.rstrip("=")
    assert unpadded != padded
    response = client.get("/_tasks", headers={"Authorization": f"Basic {unpadded}"})
    assert response.status_code == 200


def test_api_key_wrong_secret_and_expired() -> None:
    fake, client = secured()
    key = fake.security.add_api_key("ci", "elastic")
    wrong = base64.b64encode(f"{key.id}:nope".encode()).decode()
    body = client.get("/_tasks", headers={"Authorization": f"ApiKey {wrong}"}).get_json()
    assert body["error"]["additional_unsuccessful_credentials"] == (
        f"API key: invalid credentials for API key [{key.id}]"
    )
    old = fake.security.add_api_key("old", "elastic", expired=True)
    body = client.get("/_tasks", headers={"Authorization": f"ApiKey {old.encoded}"}).get_json()
    assert body["error"]["additional_unsuccessful_credentials"] == "API key: api key is expired"
    ok = client.get("/_tasks", headers={"Authorization": f"ApiKey {key.encoded}"})
    assert ok.status_code == 200


# -- authorization: every API with every privilege ------------------------------------------------

ROUTES = {
    "info": ("GET", "/", "cluster:monitor/main"),
    "nodes.info": ("GET", "/_nodes", "cluster:monitor/nodes/info"),
    "tasks.list": ("GET", "/_tasks", LIST),
    "tasks.get": ("GET", "/_tasks/{task}", GET),
    "tasks.cancel": ("POST", "/_tasks/{task}/_cancel", CANCEL),
}
GRANTING = {
    "cluster:monitor/main": "monitor,manage,all",
    "cluster:monitor/nodes/info": "monitor,manage,all",
    LIST: "monitor,manage,all",
    GET: "monitor,manage,all",
    CANCEL: "cancel_task,manage,all",
}
PRIVILEGES = {  # privilege -> APIs it opens
    "none": set(),
    "monitor": {"info", "nodes.info", "tasks.list", "tasks.get"},
    "cancel_task": {"tasks.cancel"},
    "manage": set(ROUTES),
    "all": set(ROUTES),
    "manage_rollup": set(),
    "cluster:monitor/tasks/lists": {"tasks.list"},
    "cluster:monitor/task/*": {"tasks.get"},
}


@pytest.mark.parametrize("privilege", PRIVILEGES)
@pytest.mark.parametrize("api", ROUTES)
def test_each_api_with_each_privilege(api: str, privilege: str) -> None:
    fake, client = secured()
    fake.security.add_role("r", cluster=[privilege])
    fake.security.add_user("alice", "pw", ["r"])
    task = fake.add_task("indices:data/write/reindex")
    method, path, action = ROUTES[api]
    response = client.open(
        path.format(task=task.task_id), method=method, headers=basic("alice", "pw")
    )
    if api in PRIVILEGES[privilege]:
        assert response.status_code == 200
        assert response.headers["X-elastic-product"] == "Elasticsearch"
        return
    assert response.status_code == 403
    assert "X-elastic-product" not in response.headers
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json() == security_error(
        f"action [{action}] is unauthorized for user [alice] with effective roles [r], this "
        f"action is granted by the cluster privileges [{GRANTING[action]}]",
        403,
    )


def test_the_superuser_may_do_everything() -> None:
    fake, client = secured()
    task = fake.add_task("indices:data/write/reindex")
    for method, path, _ in ROUTES.values():
        url = path.format(task=task.task_id)
        assert (
            client.open(url, method=method, headers=basic("elastic", "changeme")).status_code == 200
        )


@pytest.mark.parametrize(
    ("version", "who"),
    [
        ("8.4.3", "with roles [zeta,alpha,ghost]"),
        ("8.5.0", "with effective roles [alpha,zeta] (assigned roles [ghost] were not found)"),
        ("7.17", "with roles [zeta,alpha,ghost]"),
    ],
)
def test_denials_name_the_roles_as_the_version_does(version: str, who: str) -> None:
    fake, client = secured(version)
    fake.security.add_role("zeta", cluster=["monitor"])
    fake.security.add_role("alpha", cluster=[])
    fake.security.add_user("bob", "pw", ["zeta", "alpha", "ghost"])
    body = client.post("/_tasks/_cancel", headers=basic("bob", "pw")).get_json()
    assert body["error"]["reason"] == (
        f"action [{CANCEL}] is unauthorized for user [bob] {who}, this action is granted by the "
        "cluster privileges [cancel_task,manage,all]"
    )


def test_an_api_key_is_limited_by_its_role_descriptors_and_named_in_the_denial() -> None:
    fake, client = secured()
    key = fake.security.add_api_key(
        "read-only", "elastic", role_descriptors={"r": {"cluster": ["monitor"]}}
    )
    headers = {"Authorization": f"ApiKey {key.encoded}"}
    assert client.get("/_tasks", headers=headers).status_code == 200
    body = client.post("/_tasks/_cancel", headers=headers).get_json()
    assert body["error"]["reason"] == (
        f"action [{CANCEL}] is unauthorized for API key id [{key.id}] of user [elastic], "
        "this action is granted by the cluster privileges [cancel_task,manage,all]"
    )


def test_parameter_errors_come_before_the_authorization_check() -> None:
    fake, client = secured()
    fake.security.add_user("nobody", "pw", [])
    response = client.get("/_tasks?detailed=yes", headers=basic("nobody", "pw"))
    assert response.status_code == 400
    assert client.get("/_tasks", headers=basic("nobody", "pw")).status_code == 403


def test_a_403_carries_a_stack_trace_with_error_trace() -> None:
    fake, client = secured()
    fake.security.add_user("nobody", "pw", [])
    body = client.get("/_tasks?error_trace=true", headers=basic("nobody", "pw")).get_json()
    assert body["error"]["stack_trace"].startswith(
        "org.elasticsearch.ElasticsearchSecurityException: action [cluster:monitor/tasks/lists]"
    )


@pytest.mark.parametrize(
    ("action", "granted"),
    [
        ("cluster:admin/xpack/rollup/stop", "the cluster privileges [manage_rollup,manage,all]"),
        ("cluster:monitor/xpack/rollup/get",
         "the cluster privileges [monitor_rollup,manage_rollup,monitor,manage,all]"),
        ("indices:data/write/reindex", "the index privileges [write,all]"),
        ("indices:data/write/update/byquery", "the index privileges [index,write,all]"),
        ("indices:data/write/delete/byquery", "the index privileges [delete,write,all]"),
    ],
)  # fmt: skip
def test_denials_for_the_other_families_actions(action: str, granted: str) -> None:
    security = Security.default()
    security.add_user("carol", "pw", ["superuser-less"])
    version = parse_version("9.5")
    subject = security.authenticate(basic("carol", "pw")["Authorization"], "/", version)
    with pytest.raises(SecurityError) as raised:
        security.authorize(subject, action, version)
    assert str(raised.value) == (
        f"action [{action}] is unauthorized for user [carol] with effective roles [] "
        f"(assigned roles [superuser-less] were not found), this action is granted by {granted}"
    )


def test_index_privileges_grant_the_reindex_family() -> None:
    security = Security.default()
    security.add_role("writer", indices=[{"names": ["logs-*"], "privileges": ["write"]}])
    security.add_user("w", "pw", ["writer"])
    version = parse_version("9.5")
    subject = security.authenticate(basic("w", "pw")["Authorization"], "/", version)
    security.authorize(subject, "indices:data/write/reindex", version)  # no 403


# -- who am I ------------------------------------------------------------------------------------


def test_authenticate_reports_a_native_user() -> None:
    fake, client = secured()
    fake.security.add_role("watcher", cluster=["monitor"])
    fake.security.add_user(
        "alice", "pw", ["watcher"], full_name="Alice A.", metadata={"team": "ci"}
    )
    body = client.get("/_security/_authenticate", headers=basic("alice", "pw")).get_json()
    assert body == {
        "username": "alice",
        "roles": ["watcher"],
        "full_name": "Alice A.",
        "email": None,
        "metadata": {"team": "ci"},
        "enabled": True,
        "authentication_realm": {"name": "default_native", "type": "native"},
        "lookup_realm": {"name": "default_native", "type": "native"},
        "authentication_type": "realm",
    }


def test_authenticate_reports_api_keys_and_tokens() -> None:
    fake, client = secured()
    key = fake.security.add_api_key("ci", "elastic")
    body = client.get(
        "/_security/_authenticate", headers={"Authorization": f"ApiKey {key.encoded}"}
    ).get_json()
    assert body["username"] == "elastic"
    assert body["roles"] == []
    assert body["authentication_realm"] == {"name": "_es_api_key", "type": "_es_api_key"}
    assert body["authentication_type"] == "api_key"
    assert body["api_key"] == {"id": key.id, "name": "ci"}
    token = fake.security.add_token("elastic")
    body = client.get(
        "/_security/_authenticate", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body["authentication_type"] == "token"
    assert body["authentication_realm"] == {"name": "reserved", "type": "reserved"}
    assert body["roles"] == ["superuser"]


def test_a_users_task_headers_are_what_the_server_copies() -> None:
    """Security adds nothing to `TaskInfo.headers` (only `Task.HEADERS_TO_COPY` are kept)."""
    _, client = secured()
    headers = {**basic("elastic", "changeme"), "X-Opaque-Id": "job-1"}
    body = client.get("/_tasks?group_by=none&actions=cluster:monitor/tasks*", headers=headers)
    assert {t["headers"].get("X-Opaque-Id") for t in body.get_json()["tasks"]} == {"job-1"}
    assert all("Authorization" not in t["headers"] for t in body.get_json()["tasks"])


def test_unknown_privileges_are_refused_when_the_role_is_defined() -> None:
    security = Security(enabled=True)
    with pytest.raises(FakeTasksError, match=r"unknown cluster privilege \[monitr\]"):
        security.add_role("typo", cluster=["monitr"])


def test_security_from_plain_data() -> None:
    security = Security.from_config(
        {
            "roles": {"reader": {"cluster": ["monitor"]}},
            "users": {"alice": {"password": "pw", "roles": ["reader"], "full_name": "Alice"}},
            "api_keys": [{"name": "ci", "user": "alice"}],
        }
    )
    assert security.enabled
    assert set(security.users) == {"elastic", "alice"}
    assert security.users["alice"].full_name == "Alice"
    assert [k.owner for k in security.api_keys.values()] == ["alice"]
    bare = Security.from_config({"builtin_users": False})
    assert bare.enabled
    assert bare.users == {}
    with pytest.raises(FakeTasksError, match=r"unknown security settings \['user'\]"):
        Security.from_config({"user": {}})


@pytest.mark.parametrize(
    "value",
    [
        "Basic \u00e9\u00e9\u00e9",
        "ApiKey \u00e9",
        "Basic " + "A" * 100_000,
        "ApiKey " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Bearer",
        "",
        "Basic =",
    ],
)
def test_hostile_authorization_headers_get_401s_never_500s(value: str) -> None:
    _, client = secured()
    response = client.get("/_tasks", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.get_json()["error"]["type"] == "security_exception"


def test_options_preflights_are_not_authenticated() -> None:
    _, client = secured()
    response = client.options("/_tasks")
    assert response.status_code == 200
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize(
    ("version", "unknown_path", "bad_accept"),
    [("8.7.1", 400, 400), ("8.8.2", 400, 400), ("8.9.0", 401, 401)],
)
def test_before_8_9_routing_and_media_types_come_before_authentication(
    version: str, unknown_path: int, bad_accept: int
) -> None:
    _, client = secured(version)
    assert client.get("/_nothing").status_code == unknown_path
    accept = {"Accept": "application/vnd.elasticsearch+json; compatible-with=5"}
    assert client.get("/_tasks", headers=accept).status_code == bad_accept
    assert client.get("/_tasks").status_code == 401
    assert "stack_trace" not in client.get("/_tasks?error_trace=true").get_json()["error"]


ROLLUP = {
    "rollup.stop_job": ("POST", "/_rollup/job/sensor/_stop", "cluster:admin/xpack/rollup/stop"),
    "rollup.start_job": ("POST", "/_rollup/job/sensor/_start", "cluster:admin/xpack/rollup/start"),
    "rollup.get_jobs": ("GET", "/_rollup/job/sensor", "cluster:monitor/xpack/rollup/get"),
    "rollup.put_job": ("PUT", "/_rollup/job/other", "cluster:admin/xpack/rollup/put"),
    "rollup.delete_job": ("DELETE", "/_rollup/job/sensor", "cluster:admin/xpack/rollup/delete"),
    "rollup.get_rollup_caps": (
        "GET",
        "/_rollup/data/sensor-*",
        "cluster:monitor/xpack/rollup/get/caps",
    ),
}
ADMIN = "manage_rollup,manage,all"
MONITOR = "monitor_rollup,manage_rollup,monitor,manage,all"
ROLLUP_GRANTING = {
    action: MONITOR if ":monitor/" in action else ADMIN for _, _, action in ROLLUP.values()
}
NEW_JOB = {
    "index_pattern": "sensor-*",
    "rollup_index": "other_rollup",
    "cron": "*/30 * * * * ?",
    "page_size": 100,
    "groups": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"}},
    "metrics": [{"field": "value", "metrics": ["avg"]}],
}


@pytest.mark.parametrize("privilege", ["monitor", "monitor_rollup", "manage_rollup", "cancel_task"])
@pytest.mark.parametrize("api", ROLLUP)
def test_rollup_apis_with_each_privilege(api: str, privilege: str) -> None:
    fake, client = secured()
    fake.add_rollup_job("sensor")
    fake.security.add_role("r", cluster=[privilege])
    fake.security.add_user("alice", "pw", ["r"])
    method, path, action = ROLLUP[api]
    body = json.dumps(NEW_JOB) if method == "PUT" else None
    headers = {**basic("alice", "pw"), **({"Content-Type": "application/json"} if body else {})}
    response = client.open(path, method=method, headers=headers, data=body)
    granted = privilege == "manage_rollup" or (
        action.startswith("cluster:monitor/") and privilege in ("monitor", "monitor_rollup")
    )
    if granted:
        assert response.status_code == 200
        return
    assert response.status_code == 403
    assert response.get_json() == security_error(
        f"action [{action}] is unauthorized for user [alice] with effective roles [r], this "
        f"action is granted by the cluster privileges [{ROLLUP_GRANTING[action]}]",
        403,
    )
    assert "Warning" not in response.headers  # denied before the action runs and logs


INDEX_APIS = {  # api: (method, path, action, granted by)
    "indices.create": ("PUT", "/{index}", "indices:admin/create", "create_index,manage,all"),
    "indices.get": ("GET", "/{index}", "indices:admin/get", "view_index_metadata,manage,all"),
    "indices.exists": ("HEAD", "/{index}", "indices:admin/get", "view_index_metadata,manage,all"),
    "indices.get_mapping": (
        "GET",
        "/{index}/_mapping",
        "indices:admin/mappings/get",
        "view_index_metadata,manage,all",
    ),
    "indices.delete": ("DELETE", "/{index}", "indices:admin/delete", "delete_index,manage,all"),
}
INDEX_GRANTS = {  # privilege on logs-* -> APIs it opens there
    "create_index": {"indices.create"},
    "view_index_metadata": {"indices.get", "indices.exists", "indices.get_mapping"},
    "delete_index": {"indices.delete"},
    "manage": set(INDEX_APIS),
    "read": set(),
}


@pytest.mark.parametrize("privilege", INDEX_GRANTS)
@pytest.mark.parametrize("api", INDEX_APIS)
def test_index_apis_are_authorized_per_index(api: str, privilege: str) -> None:
    fake, client = secured()
    fake.add_index("logs-1")
    fake.add_index("metrics-1")
    fake.security.add_role("r", indices=[{"names": ["logs-*"], "privileges": [privilege]}])
    fake.security.add_user("alice", "pw", ["r"])
    method, path, action, granted = INDEX_APIS[api]
    index = "logs-2" if api == "indices.create" else "logs-1"
    on_logs = client.open(path.format(index=index), method=method, headers=basic("alice", "pw"))
    other = "metrics-2" if api == "indices.create" else "metrics-1"
    on_other = client.open(path.format(index=other), method=method, headers=basic("alice", "pw"))
    if api not in INDEX_GRANTS[privilege]:  # no index grants the action: denied up front
        assert on_logs.status_code == on_other.status_code == 403
        if method != "HEAD":
            assert on_logs.get_json()["error"]["reason"] == (
                f"action [{action}] is unauthorized for user [alice] with effective roles [r], "
                f"this action is granted by the index privileges [{granted}]"
            )
        return
    assert on_logs.status_code == 200
    assert on_other.status_code == 403
    if method != "HEAD":
        assert on_other.get_json()["error"]["reason"] == (
            f"action [{action}] is unauthorized for user [alice] with effective roles [r] on "
            f"indices [{other}], this action is granted by the index privileges [{granted}]"
        )


def test_wildcard_expressions_are_never_denied_per_index() -> None:
    fake, client = secured()
    fake.add_index("logs-1")
    fake.security.add_role(
        "r", indices=[{"names": ["logs-*"], "privileges": ["view_index_metadata"]}]
    )
    fake.security.add_user("alice", "pw", ["r"])
    response = client.get("/logs-*,metrics-*", headers=basic("alice", "pw"))
    assert response.status_code == 200


MONITORING = "cluster privileges [monitor,manage,all]"


@pytest.mark.parametrize(
    ("path", "method", "action", "granted"),
    [
        ("/_cat/tasks", "GET", "cluster:monitor/tasks/lists", MONITORING),
        ("/_cluster/health", "GET", "cluster:monitor/health", MONITORING),
        ("/_nodes/hot_threads", "GET", "cluster:monitor/nodes/hot_threads", MONITORING),
        ("/logs-1/_forcemerge", "POST", "indices:admin/forcemerge",
         "index privileges [maintenance,manage,all]"),
    ],
)  # fmt: skip
def test_the_other_families_apis_under_security(
    path: str, method: str, action: str, granted: str
) -> None:
    fake, client = secured()
    fake.add_index("logs-1")
    fake.security.add_role("nothing")
    fake.security.add_user("nobody", "pw", ["nothing"])
    fake.security.add_role(
        "ops", cluster=["monitor"], indices=[{"names": ["logs-*"], "privileges": ["maintenance"]}]
    )
    fake.security.add_user("ops", "pw", ["ops"])
    denied = client.open(path, method=method, headers=basic("nobody", "pw"))
    assert denied.status_code == 403
    assert denied.get_json()["error"]["reason"] == (
        f"action [{action}] is unauthorized for user [nobody] with effective roles [nothing], "
        f"this action is granted by the {granted}"
    )
    assert client.open(path, method=method, headers=basic("ops", "pw")).status_code == 200


def test_by_query_requests_are_authorized_on_their_indices() -> None:
    fake, client = secured()
    fake.add_index("logs-1", docs=10)
    fake.add_index("metrics-1", docs=10)
    fake.security.add_role("w", indices=[{"names": ["logs-*"], "privileges": ["index"]}])
    fake.security.add_user("w", "pw", ["w"])
    url = "/{}/_update_by_query?wait_for_completion=false"
    assert client.post(url.format("logs-1"), headers=basic("w", "pw")).status_code == 200
    denied = client.post(url.format("metrics-1"), headers=basic("w", "pw"))
    assert denied.status_code == 403
    assert denied.get_json()["error"]["reason"] == (
        "action [indices:data/write/update/byquery] is unauthorized for user [w] with effective "
        "roles [w] on indices [metrics-1], this action is granted by the index privileges "
        "[index,write,all]"
    )


def test_every_api_the_fake_serves_is_authorized() -> None:
    """A family that adds an API adds its transport action to `rest/authz.API_ACTIONS`."""
    from fake_tasks.rest.authz import API_ACTIONS
    from fake_tasks.spec import APIS

    assert set(APIS) - set(API_ACTIONS) == {"security.authenticate"}
