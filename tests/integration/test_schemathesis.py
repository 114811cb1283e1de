"""schemathesis against the running server: every implemented operation of
Mastodon's API description, with generated input, must answer without a 5xx
and conform to the description. CI runs a smoke version (few examples per
operation); docs/api.md gives the command for the full run."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.operations import implemented_spec

pytestmark = pytest.mark.integration


def test_implemented_operations_hold_up_under_generated_input(site_factory, make_user, token_for, tmp_path):
    make_user("fuzz")
    user = make_user("ann")
    token = token_for(user, "read write follow push profile openid")
    # OpenID Connect on, as ./dev and production run it.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "oidc.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    site = site_factory(API_RATE_LIMITS_ENABLED="0", OIDC_RSA_PRIVATE_KEY_FILE=key_file)
    spec_path = tmp_path / "implemented.json"
    spec_path.write_text(json.dumps(implemented_spec()))
    examples = os.environ.get("SCHEMATHESIS_EXAMPLES", "3")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", str(spec_path),
        "--url", site.url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--max-examples", examples,
        "--phases", "examples,fuzzing",
        "--workers", "2",
        "--seed", "1",
        "--suppress-health-check", "all",
        "--request-timeout", "20",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    report = result.stdout
    failures = report[report.find("FAILURES") :] if "FAILURES" in report else report[-8000:]
    assert result.returncode == 0, failures[:12000] + result.stderr[-2000:]
