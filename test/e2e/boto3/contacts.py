"""boto3 against localconnect: starting chats, idempotency, describe, attributes, stop."""

import json
from datetime import datetime, timedelta

from common import (
    INSTANCE_ID,
    REGION,
    UUID_RE,
    ConnectTestCase,
    client,
    main,
    new_token,
    now,
    start_chat,
)


class StartChatContact(ConnectTestCase):
    def setUp(self):
        self.c = client()

    def test_returns_the_three_ids(self):
        r = self.assertRequestId(start_chat(self.c, ClientToken=new_token()))
        for key in ("ContactId", "ParticipantId", "ParticipantToken"):
            self.assertIsInstance(r.get(key), str, f"{key} missing from {r}")
            self.assertTrue(r[key])
        self.assertRegex(r["ContactId"], UUID_RE)
        self.assertNotIn("ContinuedFromContactId", r)

    def test_client_token_is_idempotent(self):
        token = new_token()
        first = self.assertRequestId(start_chat(self.c, ClientToken=token))
        again = self.assertRequestId(start_chat(self.c, ClientToken=token))
        ids = ("ContactId", "ParticipantId", "ParticipantToken")
        self.assertEqual({k: again[k] for k in ids}, {k: first[k] for k in ids})
        other = start_chat(self.c, ClientToken=new_token())
        self.assertNotEqual(other["ContactId"], first["ContactId"])

    def test_boto3_fills_in_a_client_token(self):
        sent = []

        def capture(request, **_):
            sent.append(json.loads(request.body))

        self.c.meta.events.register("before-send.connect.StartChatContact", capture)
        a = start_chat(self.c)
        b = start_chat(self.c)
        self.assertEqual(len(sent), 2)
        for body in sent:
            self.assertRegex(body.get("ClientToken", ""), UUID_RE, "botocore should auto-fill ClientToken")
        self.assertNotEqual(sent[0]["ClientToken"], sent[1]["ClientToken"])
        self.assertNotEqual(a["ContactId"], b["ContactId"], "two calls without a token are two contacts")


class ContactLifecycle(ConnectTestCase):
    def setUp(self):
        self.c = client()
        self.started = start_chat(self.c, ClientToken=new_token(), Attributes={"a": "1", "b": "2"})
        self.contact_id = self.started["ContactId"]

    def describe(self):
        r = self.assertRequestId(self.c.describe_contact(InstanceId=INSTANCE_ID, ContactId=self.contact_id))
        return r["Contact"]

    def attributes(self):
        r = self.c.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=self.contact_id)
        return self.assertRequestId(r)["Attributes"]

    def assertNearNow(self, value, what):
        self.assertIsInstance(value, datetime, f"{what} should be a datetime, got {value!r}")
        self.assertIsNotNone(value.tzinfo, f"{what} should be timezone-aware")
        self.assertLess(abs(now() - value), timedelta(minutes=2), f"{what} {value} is not near now")

    def test_describe_contact(self):
        contact = self.describe()
        self.assertEqual(contact["Id"], self.contact_id)
        self.assertEqual(contact["InitialContactId"], self.contact_id)
        self.assertEqual(contact["Channel"], "CHAT")
        self.assertEqual(contact["InitiationMethod"], "API")
        arn = rf"^arn:aws:connect:{REGION}:\d{{12}}:instance/{INSTANCE_ID}/contact/{self.contact_id}$"
        self.assertRegex(contact["Arn"], arn)
        self.assertNearNow(contact["InitiationTimestamp"], "InitiationTimestamp")
        self.assertIn("LastUpdateTimestamp", contact)
        self.assertNearNow(contact["LastUpdateTimestamp"], "LastUpdateTimestamp")
        self.assertGreaterEqual(contact["LastUpdateTimestamp"], contact["InitiationTimestamp"])
        self.assertNotIn("DisconnectTimestamp", contact)
        self.assertEqual(contact.get("Attributes"), {"a": "1", "b": "2"})

    def test_attributes_merge(self):
        self.assertEqual(self.attributes(), {"a": "1", "b": "2"})
        self.assertRequestId(
            self.c.update_contact_attributes(
                InstanceId=INSTANCE_ID, InitialContactId=self.contact_id, Attributes={"b": "3", "c": "4"}
            )
        )
        self.assertEqual(self.attributes(), {"a": "1", "b": "3", "c": "4"}, "update adds and replaces")
        self.c.update_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=self.contact_id, Attributes={"a": ""})
        self.assertEqual(self.attributes(), {"b": "3", "c": "4"}, 'a value of "" removes the key')
        self.c.update_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=self.contact_id, Attributes={})
        self.assertEqual(self.attributes(), {"b": "3", "c": "4"}, "an empty update changes nothing")

    def test_stop_contact(self):
        before = self.describe()
        self.assertRequestId(self.c.stop_contact(InstanceId=INSTANCE_ID, ContactId=self.contact_id))
        contact = self.describe()
        self.assertNearNow(contact.get("DisconnectTimestamp"), "DisconnectTimestamp")
        self.assertEqual(contact.get("DisconnectReason"), "API")
        self.assertGreaterEqual(contact["LastUpdateTimestamp"], before["LastUpdateTimestamp"])
        # Attributes stay readable and updatable after the contact ended, as on AWS.
        self.c.update_contact_attributes(
            InstanceId=INSTANCE_ID, InitialContactId=self.contact_id, Attributes={"wrap": "up"}
        )
        self.assertEqual(self.attributes()["wrap"], "up")


if __name__ == "__main__":
    main()
