"""Fixtures for the webhook tests: a fresh app per test on its own data directory."""

from __future__ import annotations

import os
import shutil
import typing as t
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import settings

from webhook import create_app

# Property tests run a bounded number of examples in CI; HYPOTHESIS_PROFILE=long runs a longer campaign
# (tests that fix their own max_examples keep it).
settings.register_profile("ci", max_examples=100)
settings.register_profile("long", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WEBHOOK_POLICY = Path(__file__).parent / "policies" / "webhook"
#: The bearer token every test app is configured with; its test clients send it unless a test overrides it.
TOKEN = "test-token"


class BearerClient(FlaskClient):
    """A test client that authenticates to ``/v1`` as a configured caller would."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"


@pytest.fixture
def make_app(tmp_path: Path) -> t.Iterator[t.Callable[..., t.Any]]:
    """Build apps with overrides; every app's store and outbox are closed afterwards."""
    apps = []

    def make(**overrides: t.Any) -> t.Any:
        config = {"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "HANDLE_SIGHUP": False, "API_TOKEN": TOKEN}
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = BearerClient
        apps.append(app)
        return app

    yield make
    for app in apps:
        st = app.extensions["moderation"]
        if st.outbox is not None:
            st.outbox.stop()
        st.store.close()


@pytest.fixture
def app(make_app: t.Callable[..., t.Any]) -> t.Any:
    """The bundled default policy; only the /v1 token is configured."""
    return make_app()


@pytest.fixture
def client(app: t.Any) -> t.Any:
    return app.test_client()


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """A writable copy of the small webhook test policy."""
    target = tmp_path / "policy"
    shutil.copytree(WEBHOOK_POLICY, target)
    return target
