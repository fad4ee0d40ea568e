"""boto3 against localconnect: the Participant Service (connectparticipant) from a customer's side.

Chats are started with the Connect client on the generated profile; the participant client
signs with made-up keys, as the service authenticates by the X-Amz-Bearer token alone.
Run one class with `participant.py <ClassName>` (test/e2e/boto3-participant.test.ts does).
"""

import json
import re
import unittest
import uuid
from datetime import datetime, timedelta

import boto3
from botocore.config import Config

from common import (
    INSTANCE_ID,
    NO_RETRIES,
    REGION,
    URL,
    UUID_RE,
    ConnectTestCase,
    _require_request_id,
    client,
    main,
    new_token,
    now,
    start_chat,
)

EVENT = "application/vnd.amazonaws.connect.event."
TYPING = f"{EVENT}typing"
READ = f"{EVENT}message.read"
DELIVERED = f"{EVENT}message.delivered"
JOINED = f"{EVENT}participant.joined"
MILLIS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def participant_client():
    """A connectparticipant client as the brief's user makes it: endpoint, region, dummy keys."""
    c = boto3.client(
        "connectparticipant",
        endpoint_url=URL,
        region_name=REGION,
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
        config=Config(retries=NO_RETRIES),
    )
    c.meta.events.register("after-call.connectparticipant", _require_request_id)
    return c


def parse_iso(value):
    """An ISO-8601 string as an aware datetime (fromisoformat before 3.11 does not take a Z)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise AssertionError(f"{value!r} has no time zone")
    return parsed


def read_all(p, token):
    """Every item of a chat, oldest first, read FORWARD a page of 100 at a time."""
    items, kwargs = [], {"MaxResults": 100, "ScanDirection": "FORWARD", "SortOrder": "ASCENDING"}
    while True:
        page = p.get_transcript(ConnectionToken=token, **kwargs)
        items += page["Transcript"]
        if "NextToken" not in page:
            return items
        kwargs["NextToken"] = page["NextToken"]


class ParticipantTestCase(ConnectTestCase):
    """A Connect client, a participant client, and helpers to start and join chats."""

    @classmethod
    def setUpClass(cls):
        # Making a botocore client takes a while: one of each per class.
        cls.c = client()
        cls.p = participant_client()

    def start(self, **overrides):
        overrides.setdefault("ClientToken", new_token())
        return self.assertRequestId(start_chat(self.c, **overrides))

    def connect(self, chat, types=("CONNECTION_CREDENTIALS",)):
        return self.assertRequestId(
            self.p.create_participant_connection(ParticipantToken=chat["ParticipantToken"], Type=list(types))
        )

    def joined(self, **overrides):
        """Starts a chat and connects its customer: (StartChatContact response, ConnectionToken)."""
        chat = self.start(**overrides)
        return chat, self.connect(chat)["ConnectionCredentials"]["ConnectionToken"]

    def send(self, token, content, content_type="text/plain", **kwargs):
        return self.assertRequestId(
            self.p.send_message(ConnectionToken=token, ContentType=content_type, Content=content, **kwargs)
        )

    def transcript(self, token, **kwargs):
        return self.assertRequestId(self.p.get_transcript(ConnectionToken=token, **kwargs))

    def full_transcript(self, token):
        return read_all(self.p, token)

    def assertDenied(self, fn, **kwargs):
        err = self.assertClientError("AccessDeniedException", 403, fn, **kwargs)
        self.assertIsInstance(err, self.p.exceptions.AccessDeniedException)
        return err

    def assertInvalid(self, fn, **kwargs):
        err = self.assertClientError("ValidationException", 400, fn, **kwargs)
        self.assertIsInstance(err, self.p.exceptions.ValidationException)
        return err

    def assertFuture(self, value, what, at_least=timedelta(0), at_most=None):
        self.assertIsInstance(value, str, f"{what} should be an ISO string, got {value!r}")
        when = parse_iso(value)
        ahead = when - now()
        self.assertGreater(ahead, at_least, f"{what} {value} is not far enough in the future")
        if at_most is not None:
            self.assertLess(ahead, at_most, f"{what} {value} is too far in the future")
        return when

    def assertStamp(self, response):
        """Id and AbsoluteTime as SendMessage and SendEvent answer them."""
        self.assertIsInstance(response.get("Id"), str, f"Id missing from {response}")
        self.assertTrue(response["Id"])
        self.assertRegex(response.get("AbsoluteTime", ""), MILLIS_RE)
        self.assertLess(abs(now() - parse_iso(response["AbsoluteTime"])), timedelta(minutes=2))


class CreateParticipantConnection(ParticipantTestCase):
    def test_websocket_and_connection_credentials(self):
        chat = self.start()
        conn = self.connect(chat, ["WEBSOCKET", "CONNECTION_CREDENTIALS"])
        self.assertIn("Websocket", conn)
        self.assertIn("ConnectionCredentials", conn)
        # chatjs accepts a plain ws:// URL only on 127.0.0.1.
        self.assertRegex(conn["Websocket"]["Url"], r"^ws://127\.0\.0\.1:\d+/")
        self.assertFuture(conn["Websocket"]["ConnectionExpiry"], "Websocket.ConnectionExpiry")
        creds = conn["ConnectionCredentials"]
        self.assertTrue(creds["ConnectionToken"])
        self.assertNotEqual(creds["ConnectionToken"], chat["ParticipantToken"])
        # The ConnectionToken lasts a day, whatever the chat's duration.
        self.assertFuture(
            creds["Expiry"], "ConnectionCredentials.Expiry", timedelta(hours=23), timedelta(hours=25)
        )
        self.assertNotIn("WebRTCConnection", conn)

    def test_only_the_requested_parts(self):
        chat = self.start()
        ws = self.connect(chat, ["WEBSOCKET"])
        self.assertIn("Websocket", ws)
        self.assertNotIn("ConnectionCredentials", ws)
        creds = self.connect(chat, ["CONNECTION_CREDENTIALS"])
        self.assertIn("ConnectionCredentials", creds)
        self.assertNotIn("Websocket", creds)

    def test_may_be_called_again_and_every_token_works(self):
        # chatjs calls it again on every reconnect and before the token expires.
        chat = self.start()
        first = self.connect(chat)["ConnectionCredentials"]["ConnectionToken"]
        second = self.connect(chat)["ConnectionCredentials"]["ConnectionToken"]
        for token in (first, second):
            self.assertStamp(self.send(token, f"from {token[:8]}"))

    def test_a_websocket_url_token_is_not_a_connection_token(self):
        chat = self.start()
        url = self.connect(chat, ["WEBSOCKET"])["Websocket"]["Url"]
        ws_token = re.search(r"[?&]token=([^&]+)", url)
        self.assertIsNotNone(ws_token, f"no token in the websocket URL {url}")
        self.assertDenied(self.p.get_transcript, ConnectionToken=ws_token.group(1))


class SendMessage(ParticipantTestCase):
    def test_returns_id_and_absolute_time(self):
        chat, token = self.joined()
        sent = self.send(token, "I need help")
        self.assertStamp(sent)
        item = next(i for i in self.full_transcript(token) if i["Id"] == sent["Id"])
        self.assertEqual(item["Content"], "I need help")
        self.assertEqual(item["ContentType"], "text/plain")
        self.assertEqual(item["Type"], "MESSAGE")
        self.assertEqual(item["ParticipantId"], chat["ParticipantId"])
        self.assertEqual(item["ParticipantRole"], "CUSTOMER")
        self.assertEqual(item["DisplayName"], "Jane")
        self.assertEqual(item["AbsoluteTime"], sent["AbsoluteTime"])

    def test_client_token_is_idempotent(self):
        _, token = self.joined()
        client_token = new_token()
        first = self.send(token, "once", ClientToken=client_token)
        again = self.send(token, "once", ClientToken=client_token)
        self.assertEqual(again["Id"], first["Id"])
        self.assertEqual(again["AbsoluteTime"], first["AbsoluteTime"])
        other = self.send(token, "once", ClientToken=new_token())
        self.assertNotEqual(other["Id"], first["Id"])
        # botocore fills in a fresh ClientToken when none is given: two calls are two messages.
        self.send(token, "once")
        contents = [i.get("Content") for i in self.full_transcript(token)]
        self.assertEqual(contents.count("once"), 3, f"the repeat is one item, the others count: {contents}")

    def test_text_plain_is_limited_to_1024_characters(self):
        _, token = self.joined()
        self.assertStamp(self.send(token, "x" * 1024))
        err = self.assertInvalid(
            self.p.send_message, ConnectionToken=token, ContentType="text/plain", Content="x" * 1025
        )
        self.assertIn("1024", err.response["Error"]["Message"])

    def test_a_type_the_chat_does_not_support_is_validation_exception(self):
        _, token = self.joined()
        self.assertInvalid(
            self.p.send_message, ConnectionToken=token, ContentType="text/markdown", Content="**bold**"
        )
        self.assertInvalid(self.p.send_message, ConnectionToken=token, ContentType="image/png", Content="x")
        self.assertNotIn("text/markdown", [i["ContentType"] for i in self.full_transcript(token)])

    def test_markdown_when_the_chat_supports_it(self):
        _, token = self.joined(SupportedMessagingContentTypes=["text/plain", "text/markdown"])
        sent = self.send(token, "**bold**", "text/markdown")
        self.assertStamp(sent)
        item = next(i for i in self.full_transcript(token) if i["Id"] == sent["Id"])
        self.assertEqual((item["ContentType"], item["Content"]), ("text/markdown", "**bold**"))
        self.assertInvalid(
            self.p.send_message, ConnectionToken=token, ContentType="text/markdown", Content="x" * 1025
        )


class SendEvent(ParticipantTestCase):
    def test_typing_is_answered_but_not_kept(self):
        _, token = self.joined()
        typing = self.assertRequestId(self.p.send_event(ConnectionToken=token, ContentType=TYPING))
        self.assertStamp(typing)
        items = self.full_transcript(token)
        self.assertNotIn(TYPING, [i["ContentType"] for i in items])
        self.assertNotIn(typing["Id"], [i["Id"] for i in items])

    def test_receipts_are_folded_into_the_message(self):
        chat, token = self.joined()
        read_msg = self.send(token, "read me")
        delivered_msg = self.send(token, "deliver me")
        untouched = self.send(token, "nobody looks at me")
        delivered = self.p.send_event(
            ConnectionToken=token, ContentType=DELIVERED, Content=json.dumps({"messageId": read_msg["Id"]})
        )
        self.assertStamp(delivered)
        read = self.p.send_event(
            ConnectionToken=token, ContentType=READ, Content=json.dumps({"messageId": read_msg["Id"]})
        )
        self.assertStamp(read)
        self.assertStamp(
            self.p.send_event(
                ConnectionToken=token,
                ContentType=DELIVERED,
                Content=json.dumps({"messageId": delivered_msg["Id"]}),
            )
        )

        items = self.full_transcript(token)
        by_id = {i["Id"]: i for i in items}
        self.assertNotIn(read["Id"], by_id, "a receipt is not an item of its own")
        self.assertEqual(
            [i for i in items if i["ContentType"] in (READ, DELIVERED) or i["Type"] == "MESSAGEMETADATA"], []
        )

        meta = by_id[read_msg["Id"]]["MessageMetadata"]
        self.assertEqual(meta["MessageId"], read_msg["Id"])
        self.assertEqual(len(meta["Receipts"]), 1, f"one receipt per reader: {meta}")
        receipt = meta["Receipts"][0]
        self.assertEqual(receipt["RecipientParticipantId"], chat["ParticipantId"])
        self.assertEqual(receipt["ReadTimestamp"], read["AbsoluteTime"])
        self.assertEqual(receipt["DeliveredTimestamp"], delivered["AbsoluteTime"])

        receipt = by_id[delivered_msg["Id"]]["MessageMetadata"]["Receipts"][0]
        self.assertRegex(receipt.get("DeliveredTimestamp", ""), MILLIS_RE)
        self.assertNotIn("ReadTimestamp", receipt)
        self.assertNotIn("MessageMetadata", by_id[untouched["Id"]])

    def test_client_token_makes_a_receipt_idempotent(self):
        _, token = self.joined()
        message = self.send(token, "read me once")
        receipt = {"ConnectionToken": token, "ContentType": READ, "Content": json.dumps({"messageId": message["Id"]})}
        client_token = new_token()
        first = self.p.send_event(ClientToken=client_token, **receipt)
        again = self.p.send_event(ClientToken=client_token, **receipt)
        self.assertEqual((again["Id"], again["AbsoluteTime"]), (first["Id"], first["AbsoluteTime"]))
        item = next(i for i in self.full_transcript(token) if i["Id"] == message["Id"])
        self.assertEqual(item["MessageMetadata"]["Receipts"][0]["ReadTimestamp"], first["AbsoluteTime"])

    def test_a_receipt_for_an_unknown_message_is_validation_exception(self):
        _, token = self.joined()
        for content in (json.dumps({"messageId": "no-such-message"}), json.dumps({"MessageId": "x"}), "not json"):
            with self.subTest(content=content):
                self.assertInvalid(self.p.send_event, ConnectionToken=token, ContentType=READ, Content=content)
        _, other_token = self.joined()
        elsewhere = self.send(other_token, "in another chat")
        self.assertInvalid(
            self.p.send_event,
            ConnectionToken=token,
            ContentType=READ,
            Content=json.dumps({"messageId": elsewhere["Id"]}),
        )

    def test_an_unknown_event_type_is_validation_exception(self):
        _, token = self.joined()
        for content_type in (f"{EVENT}no.such.event", "text/plain", f"{EVENT}chat.ended"):
            with self.subTest(content_type=content_type):
                self.assertInvalid(self.p.send_event, ConnectionToken=token, ContentType=content_type)


def quiet_flow(c):
    """A flow that queues the chat and says nothing (the default flow greets the customer)."""
    queues = c.list_queues(InstanceId=INSTANCE_ID, QueueTypes=["STANDARD"])["QueueSummaryList"]
    basic = next(q for q in queues if q["Name"] == "BasicQueue")
    content = {
        "Version": "2019-10-30",
        "StartAction": "set-queue",
        "Actions": [
            {
                "Identifier": "set-queue",
                "Type": "UpdateContactTargetQueue",
                "Parameters": {"QueueId": basic["Arn"]},
                "Transitions": {
                    "NextAction": "transfer",
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "end"}],
                },
            },
            {
                "Identifier": "transfer",
                "Type": "TransferContactToQueue",
                "Parameters": {},
                "Transitions": {
                    "NextAction": "end",
                    "Errors": [
                        {"ErrorType": "QueueAtCapacity", "NextAction": "end"},
                        {"ErrorType": "NoMatchingError", "NextAction": "end"},
                    ],
                },
            },
            {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }
    return c.create_contact_flow(
        InstanceId=INSTANCE_ID, Name=f"quiet {uuid.uuid4()}", Type="CONTACT_FLOW", Content=json.dumps(content)
    )["ContactFlowId"]


class GetTranscript(ParticipantTestCase):
    """One chat in a quiet flow: participant.joined, the InitialMessage "Hello", m00 … m24 (27 items)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c, p = cls.c, cls.p
        cls.chat = start_chat(c, ClientToken=new_token(), ContactFlowId=quiet_flow(c))
        cls.token = p.create_participant_connection(
            ParticipantToken=cls.chat["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"]
        )["ConnectionCredentials"]["ConnectionToken"]
        cls.sent = [
            p.send_message(ConnectionToken=cls.token, ContentType="text/plain", Content=f"m{i:02}")
            for i in range(25)
        ]
        cls.items = read_all(p, cls.token)
        cls.ids = [i["Id"] for i in cls.items]

    def ids_of(self, response):
        return [i["Id"] for i in response["Transcript"]]

    def test_the_whole_transcript(self):
        self.assertEqual(len(self.items), 27, [i.get("Content") for i in self.items])
        joined, hello = self.items[0], self.items[1]
        self.assertEqual((joined["Type"], joined["ContentType"]), ("EVENT", JOINED))
        self.assertEqual(joined["ParticipantId"], self.chat["ParticipantId"])
        self.assertEqual(joined["ParticipantRole"], "CUSTOMER")
        # StartChatContact's InitialMessage is the customer's first message.
        self.assertEqual(
            {k: hello.get(k) for k in ("Type", "ContentType", "Content", "ParticipantRole", "ParticipantId")},
            {
                "Type": "MESSAGE",
                "ContentType": "text/plain",
                "Content": "Hello",
                "ParticipantRole": "CUSTOMER",
                "ParticipantId": self.chat["ParticipantId"],
            },
        )
        self.assertEqual(self.ids[2:], [s["Id"] for s in self.sent])
        self.assertEqual(len(set(self.ids)), 27)
        times = [parse_iso(i["AbsoluteTime"]) for i in self.items]
        self.assertEqual(times, sorted(times), "items are in time order")
        for item in self.items:
            self.assertRegex(item["AbsoluteTime"], MILLIS_RE)
            self.assertEqual(item.get("ContactId"), self.chat["ContactId"])

    def test_initial_contact_id_is_the_contact_id(self):
        r = self.transcript(self.token)
        self.assertEqual(r["InitialContactId"], self.chat["ContactId"])
        # ContactId of the chat itself is accepted.
        r = self.transcript(self.token, ContactId=self.chat["ContactId"], MaxResults=1)
        self.assertEqual(r["InitialContactId"], self.chat["ContactId"])

    def test_default_is_the_most_recent_newest_first(self):
        # SortOrder "Default: DESCENDING"; ScanDirection "Default: BACKWARD when no StartPosition
        # is provided" (the connectparticipant model's documentation).
        r = self.transcript(self.token)
        got = self.ids_of(r)
        self.assertGreater(len(got), 0)
        self.assertEqual(got, self.ids[::-1][: len(got)])
        self.assertIn("NextToken", r)

    def test_default_page_is_10_items(self):
        # MaxResults "Default: 10" (the connectparticipant model; chat-protocol.md §1).
        self.assertEqual(len(self.transcript(self.token)["Transcript"]), 10)

    def test_sort_order_ascending(self):
        r = self.transcript(self.token, SortOrder="ASCENDING", MaxResults=10)
        self.assertEqual(self.ids_of(r), self.ids[-10:], "the 10 most recent, oldest first")
        r = self.transcript(self.token, SortOrder="DESCENDING", MaxResults=10)
        self.assertEqual(self.ids_of(r), self.ids[::-1][:10])

    def test_scan_direction(self):
        forward = self.transcript(self.token, ScanDirection="FORWARD", SortOrder="ASCENDING", MaxResults=10)
        self.assertEqual(self.ids_of(forward), self.ids[:10], "FORWARD starts at the oldest")
        forward_desc = self.transcript(self.token, ScanDirection="FORWARD", SortOrder="DESCENDING", MaxResults=10)
        self.assertEqual(self.ids_of(forward_desc), self.ids[:10][::-1])
        backward = self.transcript(self.token, ScanDirection="BACKWARD", SortOrder="ASCENDING", MaxResults=10)
        self.assertEqual(self.ids_of(backward), self.ids[-10:], "BACKWARD starts at the newest")

    def page_through(self, **kwargs):
        pages = []
        while True:
            page = self.transcript(self.token, **kwargs)
            pages.append(page)
            self.assertLessEqual(len(page["Transcript"]), kwargs["MaxResults"])
            if "NextToken" not in page:
                return pages
            self.assertLess(len(pages), 10, "paging does not end")
            kwargs["NextToken"] = page["NextToken"]

    def test_paging_forward_loses_and_repeats_nothing(self):
        pages = self.page_through(MaxResults=10, ScanDirection="FORWARD", SortOrder="ASCENDING")
        self.assertEqual([len(p["Transcript"]) for p in pages], [10, 10, 7])
        self.assertEqual([i for p in pages for i in self.ids_of(p)], self.ids)

    def test_paging_backward_loses_and_repeats_nothing(self):
        pages = self.page_through(MaxResults=10, ScanDirection="BACKWARD", SortOrder="DESCENDING")
        self.assertEqual([len(p["Transcript"]) for p in pages], [10, 10, 7])
        self.assertEqual([i for p in pages for i in self.ids_of(p)], self.ids[::-1])
        # Ascending pages of a backward scan: each page oldest first, pages newest first.
        pages = self.page_through(MaxResults=10, ScanDirection="BACKWARD", SortOrder="ASCENDING")
        self.assertEqual([self.ids_of(p) for p in pages], [self.ids[17:], self.ids[7:17], self.ids[:7]])

    def test_an_exact_number_of_pages_ends_cleanly(self):
        # 27 items at 9 a page: the third page is full and the last.
        pages = self.page_through(MaxResults=9, ScanDirection="FORWARD", SortOrder="ASCENDING")
        self.assertEqual([len(p["Transcript"]) for p in pages], [9, 9, 9])
        self.assertEqual([i for p in pages for i in self.ids_of(p)], self.ids)

    def test_start_position_id(self):
        m10 = self.sent[10]["Id"]
        at = self.ids.index(m10)
        forward = self.transcript(
            self.token, StartPosition={"Id": m10}, MaxResults=3, SortOrder="ASCENDING"
        )  # FORWARD is the default with a StartPosition
        self.assertEqual(self.ids_of(forward), self.ids[at : at + 3])
        backward = self.transcript(
            self.token, StartPosition={"Id": m10}, MaxResults=3, ScanDirection="BACKWARD", SortOrder="ASCENDING"
        )
        self.assertEqual(self.ids_of(backward), self.ids[at - 2 : at + 1])

    def test_start_position_most_recent(self):
        r = self.transcript(self.token, StartPosition={"MostRecent": 5}, SortOrder="ASCENDING", MaxResults=100)
        self.assertEqual(self.ids_of(r), self.ids[-5:])
        self.assertNotIn("NextToken", r)

    def test_start_position_absolute_time(self):
        t = self.sent[10]["AbsoluteTime"]
        when = parse_iso(t)
        forward = self.transcript(
            self.token, StartPosition={"AbsoluteTime": t}, SortOrder="ASCENDING", MaxResults=100
        )
        self.assertEqual(self.ids_of(forward), [i["Id"] for i in self.items if parse_iso(i["AbsoluteTime"]) >= when])
        self.assertIn(self.sent[10]["Id"], self.ids_of(forward))
        backward = self.transcript(
            self.token,
            StartPosition={"AbsoluteTime": t},
            ScanDirection="BACKWARD",
            SortOrder="ASCENDING",
            MaxResults=100,
        )
        self.assertEqual(self.ids_of(backward), [i["Id"] for i in self.items if parse_iso(i["AbsoluteTime"]) <= when])
        later = (now() + timedelta(hours=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.assertEqual(self.transcript(self.token, StartPosition={"AbsoluteTime": later})["Transcript"], [])
        earlier = "2000-01-01T00:00:00.000Z"
        r = self.transcript(self.token, StartPosition={"AbsoluteTime": earlier}, SortOrder="ASCENDING", MaxResults=100)
        self.assertEqual(self.ids_of(r), self.ids)

    def test_empty_start_position_is_no_start_position(self):
        # What chatjs sends when it loads the transcript.
        r = self.transcript(
            self.token, MaxResults=15, ScanDirection="BACKWARD", SortOrder="ASCENDING", StartPosition={}
        )
        self.assertEqual(self.ids_of(r), self.ids[-15:])
        r = self.transcript(self.token, StartPosition={}, SortOrder="ASCENDING", MaxResults=5)
        self.assertEqual(self.ids_of(r), self.ids[-5:], "without a real StartPosition the scan is BACKWARD")

    def test_bad_parameters_are_validation_exception(self):
        self.assertInvalid(self.p.get_transcript, ConnectionToken=self.token, NextToken="not-a-token")
        self.assertInvalid(self.p.get_transcript, ConnectionToken=self.token, MaxResults=101)
        self.assertInvalid(
            self.p.get_transcript, ConnectionToken=self.token, StartPosition={"AbsoluteTime": "yesterday"}
        )


class DisconnectParticipant(ParticipantTestCase):
    def test_disconnect_ends_the_chat_and_revokes_the_token(self):
        chat, token = self.joined()
        self.assertStamp(self.send(token, "bye"))
        r = self.assertRequestId(self.p.disconnect_participant(ConnectionToken=token))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assert_every_call_denied(chat, token)
        contact = self.c.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat["ContactId"])["Contact"]
        self.assertEqual(contact.get("DisconnectReason"), "CUSTOMER_DISCONNECT")
        self.assertIsInstance(contact.get("DisconnectTimestamp"), datetime)
        self.assertLess(abs(now() - contact["DisconnectTimestamp"]), timedelta(minutes=2))

    def test_stop_contact_revokes_every_token(self):
        chat, token = self.joined()
        self.assertRequestId(self.c.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat["ContactId"]))
        self.assert_every_call_denied(chat, token)

    def assert_every_call_denied(self, chat, token):
        calls = {
            "create_participant_connection": (
                self.p.create_participant_connection,
                {"ParticipantToken": chat["ParticipantToken"], "Type": ["CONNECTION_CREDENTIALS"]},
            ),
            "send_message": (
                self.p.send_message,
                {"ConnectionToken": token, "ContentType": "text/plain", "Content": "still there?"},
            ),
            "send_event": (self.p.send_event, {"ConnectionToken": token, "ContentType": TYPING}),
            "get_transcript": (self.p.get_transcript, {"ConnectionToken": token}),
            "disconnect_participant": (self.p.disconnect_participant, {"ConnectionToken": token}),
        }
        for name, (fn, kwargs) in calls.items():
            with self.subTest(operation=name):
                self.assertDenied(fn, **kwargs)


def forge_participant_token(token):
    """Keeps the start of a real ParticipantToken (which may name its participant), forges the rest."""
    return token[:30] + "A" * (len(token) - 30)


class Errors(ParticipantTestCase):
    def setUp(self):
        super().setUp()
        self.a, self.token_a = self.joined()
        self.b, self.token_b = self.joined()

    def every_operation(self, connection_token, participant_token):
        return {
            "create_participant_connection": (
                self.p.create_participant_connection,
                {"ParticipantToken": participant_token, "Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
            ),
            "send_message": (
                self.p.send_message,
                {"ConnectionToken": connection_token, "ContentType": "text/plain", "Content": "x"},
            ),
            "send_event": (self.p.send_event, {"ConnectionToken": connection_token, "ContentType": TYPING}),
            "get_transcript": (self.p.get_transcript, {"ConnectionToken": connection_token}),
            "disconnect_participant": (self.p.disconnect_participant, {"ConnectionToken": connection_token}),
        }

    def assert_all_denied(self, connection_token, participant_token):
        for name, (fn, kwargs) in self.every_operation(connection_token, participant_token).items():
            with self.subTest(operation=name, connection_token=connection_token[:40]):
                self.assertDenied(fn, **kwargs)

    def assert_chats_live(self):
        """The refused calls harmed nothing: both chats still take messages."""
        for token in (self.token_a, self.token_b):
            self.assertStamp(self.send(token, "still here"))

    def test_bad_tokens_are_access_denied_for_every_operation(self):
        for bad in ("not-a-token", "x", "A" * 1000, str(uuid.uuid4())):
            self.assert_all_denied(bad, bad)
        self.assert_chats_live()

    def test_forged_tokens_are_access_denied(self):
        def tamper(token):
            head, last = token[:-2], token[-2:]
            return head + ("AA" if last != "AA" else "BB")

        self.assert_all_denied(tamper(self.token_a), tamper(self.a["ParticipantToken"]))
        # A ConnectionToken whose payload names b's participant, signed as a's.
        payload_a, _, sig_a = self.token_a.partition(".")
        payload_b = self.token_b.partition(".")[0]
        if sig_a:
            self.assert_all_denied(f"{payload_b}.{sig_a}", forge_participant_token(self.b["ParticipantToken"]))
        self.assert_chats_live()

    def test_swapped_tokens_are_access_denied(self):
        # The ParticipantToken is not a ConnectionToken, nor the other way round.
        self.assert_all_denied(self.a["ParticipantToken"], self.token_a)
        self.assert_chats_live()

    def test_a_foreign_contact_id_is_access_denied(self):
        self.assertDenied(self.p.get_transcript, ConnectionToken=self.token_a, ContactId=self.b["ContactId"])

    def test_what_botocore_reports(self):
        err = self.assertDenied(self.p.send_message, ConnectionToken="forged", ContentType="text/plain", Content="x")
        self.assertEqual(err.response["Error"]["Code"], "AccessDeniedException")
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertRegex(err.response["ResponseMetadata"]["RequestId"], UUID_RE)
        self.assertEqual(
            err.response["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype", "").split(":")[0],
            "AccessDeniedException",
        )
        self.assertIn("AccessDeniedException", str(err))
        err = self.assertInvalid(
            self.p.send_message, ConnectionToken=self.token_a, ContentType="text/plain", Content="x" * 1025
        )
        self.assertRegex(err.response["ResponseMetadata"]["RequestId"], UUID_RE)
        # Two requests, two request ids.
        again = self.assertDenied(self.p.get_transcript, ConnectionToken="forged")
        self.assertNotEqual(
            again.response["ResponseMetadata"]["RequestId"], err.response["ResponseMetadata"]["RequestId"]
        )


if __name__ == "__main__":
    main()
