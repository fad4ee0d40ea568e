"""Shared setup for the boto3 end-to-end scripts.

The node test (test/e2e/boto3.test.ts) starts a localconnect node and runs each script with:
  LOCALCONNECT_URL, LOCALCONNECT_REGION, LOCALCONNECT_INSTANCE_ID, LOCALCONNECT_FLOW_ID
and the AWS environment the node generated (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE,
AWS_PROFILE=localconnect), so the clients here use the generated profile's credentials.
"""

import os
import re
import sys
import unittest
import uuid
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run this script through test/e2e/boto3.test.ts")
    return value


URL = env("LOCALCONNECT_URL")
REGION = env("LOCALCONNECT_REGION")
INSTANCE_ID = env("LOCALCONNECT_INSTANCE_ID")
FLOW_ID = env("LOCALCONNECT_FLOW_ID")
PROFILE = os.environ.get("AWS_PROFILE", "localconnect")

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# One attempt: the server's answer, not a retried one, is what the tests look at.
NO_RETRIES = {"total_max_attempts": 1, "mode": "standard"}


def _require_request_id(http_response, parsed, model, **_):
    """after-call hook: every response, success or error, must carry x-amzn-RequestId."""
    if not parsed.get("ResponseMetadata", {}).get("RequestId"):
        raise AssertionError(
            f"{model.name}: no RequestId in the response (HTTP {http_response.status_code}, "
            f"headers {dict(http_response.headers)})"
        )


def checked(c):
    """Makes every call on client c fail unless its response has a RequestId."""
    c.meta.events.register("after-call.connect", _require_request_id)
    return c


def client(**config):
    """A Connect client on the generated profile; `config` goes into botocore's Config."""
    session = boto3.session.Session(profile_name=PROFILE)
    return checked(
        session.client(
            "connect",
            endpoint_url=URL,
            region_name=REGION,
            config=Config(retries=NO_RETRIES, **config),
        )
    )


def keyed_client(access_key, secret_key):
    """A Connect client with explicit credentials instead of the profile's."""
    return checked(
        boto3.client(
            "connect",
            endpoint_url=URL,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(retries=NO_RETRIES),
        )
    )


def unchecked_client():
    """A client that skips botocore's client-side validation (it checks min values)."""
    return client(parameter_validation=False)


def profile_credentials():
    return boto3.session.Session(profile_name=PROFILE).get_credentials().get_frozen_credentials()


def start_chat(c, **overrides):
    params = {
        "InstanceId": INSTANCE_ID,
        "ContactFlowId": FLOW_ID,
        "ParticipantDetails": {"DisplayName": "Jane"},
        "Attributes": {"customerTier": "gold", "lang": "en"},
        "InitialMessage": {"ContentType": "text/plain", "Content": "Hello"},
        "ChatDurationInMinutes": 90,
    }
    params.update(overrides)
    return c.start_chat_contact(**params)


def new_token():
    return f"4c1f{uuid.uuid4().hex}"


def now():
    return datetime.now(timezone.utc)


class ConnectTestCase(unittest.TestCase):
    maxDiff = None

    def assertRequestId(self, response):
        """Every response, success or error, carries x-amzn-RequestId."""
        meta = response.get("ResponseMetadata", {})
        request_id = meta.get("RequestId")
        self.assertTrue(request_id, f"ResponseMetadata.RequestId missing: {meta}")
        self.assertRegex(request_id, UUID_RE)
        return response

    def assertClientError(self, code, status, fn, *args, **kwargs):
        """Calls fn, expects a ClientError with this code and HTTP status; returns it."""
        with self.assertRaises(ClientError) as caught:
            fn(*args, **kwargs)
        err = caught.exception
        self.assertEqual(err.response["Error"]["Code"], code, f"wrong error: {err}")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], status, f"wrong status for {err}")
        self.assertTrue(err.response["Error"].get("Message"), f"{code} has no message")
        self.assertRequestId(err.response)
        return err


def main():
    result = unittest.main(verbosity=2, exit=False).result
    if not result.wasSuccessful():
        print(
            f"\nFAILED: {len(result.failures)} failure(s), {len(result.errors)} error(s) "
            f"against {URL} (instance {INSTANCE_ID})",
            file=sys.stderr,
        )
        sys.exit(1)
