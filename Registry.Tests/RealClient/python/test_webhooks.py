"""MLflow 3's webhooks through MlflowClient, with a receiver on loopback that checks signatures as MLflow signs them.

Managing webhooks is for Maintainers: REGISTRY_MAINTAINER_TOKEN is a Maintainer's token in the same project (the
tracking token is a Developer's). The API must allow loopback targets over http (Registry:Webhooks:AllowPrivateTargets).
"""

import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

pytestmark = pytest.mark.mlflow3

SECRET = "whsec-real-client"


class Receiver:
    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
                with receiver.lock:
                    receiver.requests.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"received")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.requests)} of {count} deliveries arrived in {timeout} s")


def signed_as_mlflow_signs(headers, body):
    """MLflow's own signing code (mlflow.webhooks.delivery), compared in constant time as a receiver would."""
    from mlflow.webhooks.constants import (
        WEBHOOK_DELIVERY_ID_HEADER,
        WEBHOOK_SIGNATURE_HEADER,
        WEBHOOK_TIMESTAMP_HEADER,
    )
    from mlflow.webhooks.delivery import _generate_hmac_signature

    expected = _generate_hmac_signature(
        SECRET, headers[WEBHOOK_DELIVERY_ID_HEADER], headers[WEBHOOK_TIMESTAMP_HEADER], body
    )
    return hmac.compare_digest(expected, headers[WEBHOOK_SIGNATURE_HEADER])


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def maintainer(monkeypatch):
    token = os.environ.get("REGISTRY_MAINTAINER_TOKEN")
    if not token:
        pytest.skip("REGISTRY_MAINTAINER_TOKEN is not set")
    developer = os.environ["MLFLOW_TRACKING_TOKEN"]
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    return developer


def test_webhooks_are_created_listed_updated_tested_and_deleted(client, unique, receiver, maintainer):
    name = unique("hook")
    hook = client.create_webhook(
        name=name,
        url=receiver.url,
        events=["registered_model.created", "model_version_alias.created"],
        description="deploy on alias",
        secret=SECRET,
    )
    assert (hook.name, hook.url, hook.description, str(hook.status)) == (name, receiver.url, "deploy on alias", "ACTIVE")
    assert sorted(str(e) for e in hook.events) == ["model_version_alias.created", "registered_model.created"]
    assert hook.secret is None
    assert client.get_webhook(hook.webhook_id).name == name

    other = client.create_webhook(name=unique("hook"), url=receiver.url, events=["model_version.created"])
    first = client.list_webhooks(max_results=1)
    assert len(first) == 1 and first.token
    assert other.webhook_id in [w.webhook_id for w in first] + [w.webhook_id for w in client.list_webhooks(page_token=first.token)]

    disabled = client.update_webhook(hook.webhook_id, status="DISABLED", description="paused")
    assert (str(disabled.status), disabled.description, disabled.url) == ("DISABLED", "paused", receiver.url)

    # Without an event, the client's rule: the webhook's first event. A disabled webhook can still be tested.
    result = client.test_webhook(hook.webhook_id)
    assert result.success, result.error_message
    assert (result.response_status, result.response_body) == (200, "received")
    headers, body = receiver.wait_for(1)[0]
    assert signed_as_mlflow_signs(headers, body)
    assert f"{json.loads(body)['entity']}.{json.loads(body)['action']}" == str(disabled.events[0])

    assert client.test_webhook(hook.webhook_id, event="registered_model.created").success
    headers, body = receiver.wait_for(2)[1]
    assert signed_as_mlflow_signs(headers, body)
    assert (json.loads(body)["entity"], json.loads(body)["action"]) == ("registered_model", "created")

    client.update_webhook(hook.webhook_id, status="ACTIVE")
    model = unique("hooked")
    client.create_registered_model(model, tags={"team": "ml"})
    delivered = [(h, b) for h, b in receiver.wait_for(3)[2:] if json.loads(b)["data"]["name"] == model]
    assert len(delivered) == 1
    headers, body = delivered[0]
    assert signed_as_mlflow_signs(headers, body)
    payload = json.loads(body)
    assert (payload["entity"], payload["action"]) == ("registered_model", "created")
    # MLflow sends the request's description: "" when none was given.
    assert payload["data"] == {"name": model, "tags": {"team": "ml"}, "description": ""}

    client.delete_webhook(hook.webhook_id)
    client.delete_webhook(other.webhook_id)
    with pytest.raises(MlflowException) as missing:
        client.get_webhook(hook.webhook_id)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_a_developer_may_not_manage_webhooks(client, unique, receiver, maintainer, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", maintainer)
    with pytest.raises(MlflowException) as denied:
        client.create_webhook(name=unique("hook"), url=receiver.url, events=["model_version.created"])
    assert denied.value.error_code == "PERMISSION_DENIED"
