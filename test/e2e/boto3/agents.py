"""boto3 against localconnect: a supervisor's view of agents (status, user data, queue figures)."""

import time
import uuid
from datetime import datetime

from common import INSTANCE_ID, ConnectTestCase, client, main, now, start_chat


class Agents(ConnectTestCase):
    def setUp(self):
        self.c = client()

    def ids(self):
        profiles = self.c.list_routing_profiles(InstanceId=INSTANCE_ID)["RoutingProfileSummaryList"]
        security = self.c.list_security_profiles(InstanceId=INSTANCE_ID)["SecurityProfileSummaryList"]
        queues = self.c.list_queues(InstanceId=INSTANCE_ID)["QueueSummaryList"]
        statuses = self.c.list_agent_statuses(InstanceId=INSTANCE_ID)["AgentStatusSummaryList"]
        return (
            next(p["Id"] for p in profiles if p["Name"] == "Basic Routing Profile"),
            next(s["Id"] for s in security if s["Name"] == "Agent"),
            next(q for q in queues if q["Name"] == "BasicQueue"),
            {s["Name"]: s for s in statuses},
        )

    def new_user(self, profile_id, security_id):
        return self.c.create_user(
            InstanceId=INSTANCE_ID,
            Username=f"boto3-agent-{uuid.uuid4().hex[:8]}",
            Password="Agent-Passw0rd",
            PhoneConfig={"PhoneType": "SOFT_PHONE"},
            RoutingProfileId=profile_id,
            SecurityProfileIds=[security_id],
        )

    def test_put_user_status_then_get_current_user_data(self):
        profile_id, security_id, _, statuses = self.ids()
        user = self.new_user(profile_id, security_id)
        custom = self.c.create_agent_status(
            InstanceId=INSTANCE_ID, Name=f"Training-{uuid.uuid4().hex[:6]}", State="ENABLED", DisplayOrder=4
        )
        self.assertEqual(
            self.c.describe_agent_status(InstanceId=INSTANCE_ID, AgentStatusId=custom["AgentStatusId"])[
                "AgentStatus"
            ]["Type"],
            "CUSTOM",
        )

        before = now()
        r = self.c.put_user_status(
            InstanceId=INSTANCE_ID, UserId=user["UserId"], AgentStatusId=custom["AgentStatusId"]
        )
        self.assertRequestId(r)
        data = self.c.get_current_user_data(InstanceId=INSTANCE_ID, Filters={"Agents": [user["UserArn"]]})
        self.assertEqual(data["ApproximateTotalCount"], 1)
        [entry] = data["UserDataList"]
        self.assertEqual(entry["User"], {"Id": user["UserId"], "Arn": user["UserArn"]})
        self.assertEqual(entry["RoutingProfile"]["Id"], profile_id)
        self.assertEqual(entry["Status"]["StatusArn"], custom["AgentStatusARN"])
        self.assertEqual(entry["Status"]["StatusName"].split("-")[0], "Training")
        started = entry["Status"]["StatusStartTimestamp"]
        self.assertIsInstance(started, datetime)
        self.assertLess(abs((started - before).total_seconds()), 5)
        self.assertEqual(entry["MaxSlotsByChannel"], {"VOICE": 1, "CHAT": 2, "TASK": 10})
        self.assertEqual(entry["AvailableSlotsByChannel"], {"VOICE": 0, "CHAT": 0, "TASK": 0})
        self.assertEqual(entry["Contacts"], [])

        self.c.put_user_status(
            InstanceId=INSTANCE_ID, UserId=user["UserId"], AgentStatusId=statuses["Offline"]["Id"]
        )
        self.assertEqual(
            self.c.get_current_user_data(InstanceId=INSTANCE_ID, Filters={"Agents": [user["UserId"]]})[
                "UserDataList"
            ],
            [],
            "Offline with no workspace open: not active",
        )
        self.assertClientError(
            "ResourceNotFoundException",
            404,
            self.c.put_user_status,
            InstanceId=INSTANCE_ID,
            UserId=str(uuid.uuid4()),
            AgentStatusId=custom["AgentStatusId"],
        )

    def test_get_current_metric_data_for_a_waiting_chat(self):
        _, _, basic_queue, _ = self.ids()
        chat = start_chat(self.c)
        try:
            time.sleep(1.1)
            r = self.c.get_current_metric_data(
                InstanceId=INSTANCE_ID,
                Filters={"Queues": [basic_queue["Arn"]], "Channels": ["CHAT"]},
                Groupings=["QUEUE", "CHANNEL"],
                CurrentMetrics=[
                    {"Name": "CONTACTS_IN_QUEUE", "Unit": "COUNT"},
                    {"Name": "OLDEST_CONTACT_AGE", "Unit": "SECONDS"},
                    {"Name": "AGENTS_ONLINE", "Unit": "COUNT"},
                ],
            )
            self.assertRequestId(r)
            self.assertIsInstance(r["DataSnapshotTime"], datetime)
            [result] = r["MetricResults"]
            self.assertEqual(
                result["Dimensions"],
                {"Queue": {"Id": basic_queue["Id"], "Arn": basic_queue["Arn"]}, "Channel": "CHAT"},
            )
            values = {m["Metric"]["Name"]: m["Value"] for m in result["Collections"]}
            self.assertEqual(
                [m["Metric"]["Unit"] for m in result["Collections"]], ["COUNT", "SECONDS", "COUNT"]
            )
            self.assertGreaterEqual(values["CONTACTS_IN_QUEUE"], 1)
            self.assertGreaterEqual(values["OLDEST_CONTACT_AGE"], 1)
            self.assertEqual(values["AGENTS_ONLINE"], 0)
        finally:
            self.c.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat["ContactId"])

        self.assertClientError(
            "InvalidParameterException",
            400,
            self.c.get_current_metric_data,
            InstanceId=INSTANCE_ID,
            Filters={"Queues": [basic_queue["Id"]]},
            Groupings=["ROUTING_PROFILE"],
            CurrentMetrics=[{"Name": "AGENTS_ONLINE", "Unit": "COUNT"}],
        )


if __name__ == "__main__":
    main()
