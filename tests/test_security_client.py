"""Security with the official client over real sockets, configured from the marker."""

from __future__ import annotations

import pytest
from elasticsearch import AuthenticationException, AuthorizationException, Elasticsearch

from fake_tasks import FakeTasks, Security

PROFILE = Security.default()
PROFILE.add_role("tasks-reader", cluster=["monitor"])
PROFILE.add_user("reader", "r3ader", ["tasks-reader"])


@pytest.mark.fake_tasks(security=PROFILE)
def test_basic_auth_api_key_and_bearer_token(fake_tasks: FakeTasks) -> None:
    url = fake_tasks.url
    task = fake_tasks.add_task("indices:data/write/reindex")
    reader = Elasticsearch(url, basic_auth=("reader", "r3ader"))
    assert reader.tasks.get(task_id=str(task.task_id))["completed"] is False
    with pytest.raises(AuthorizationException) as denied:
        reader.tasks.cancel(task_id=str(task.task_id))
    assert denied.value.meta.status == 403
    assert denied.value.message == "security_exception"
    assert denied.value.body["error"]["reason"] == (
        "action [cluster:admin/tasks/cancel] is unauthorized for user [reader] with effective "
        "roles [tasks-reader], this action is granted by the cluster privileges "
        "[cancel_task,manage,all]"
    )
    key = fake_tasks.security.add_api_key("ci", "elastic")
    admin = Elasticsearch(url, api_key=key.encoded)
    assert admin.tasks.cancel(task_id=str(task.task_id))["nodes"]
    assert admin.security.authenticate()["api_key"]["id"] == key.id
    token = fake_tasks.security.add_token("reader")
    assert Elasticsearch(url, bearer_auth=token).security.authenticate()["username"] == "reader"


@pytest.mark.fake_tasks(security=True)
def test_no_or_wrong_credentials(fake_tasks: FakeTasks) -> None:
    with pytest.raises(AuthenticationException) as raised:
        Elasticsearch(fake_tasks.url).tasks.list()
    assert raised.value.meta.status == 401
    assert raised.value.meta.headers.get("WWW-Authenticate", "").startswith(
        'Basic realm="security", charset="UTF-8"'
    )
    with pytest.raises(AuthenticationException):
        Elasticsearch(fake_tasks.url, basic_auth=("elastic", "nope")).tasks.list()
    elastic = Elasticsearch(fake_tasks.url, basic_auth=("elastic", "changeme"))
    assert elastic.security.authenticate()["authentication_realm"]["type"] == "reserved"


def test_each_test_starts_without_the_last_ones_users(fake_tasks: FakeTasks) -> None:
    assert not fake_tasks.security.enabled
    assert "reader" in PROFILE.users  # the profile itself is copied, never changed
    assert "reader" not in fake_tasks.security.users
