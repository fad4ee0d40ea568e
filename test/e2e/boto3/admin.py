"""boto3 against localconnect: admin listings with boto3's own paginator, flow validation."""

import json

from common import INSTANCE_ID, ConnectTestCase, client, main


def small_flow():
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "hello",
            "Actions": [
                {
                    "Identifier": "hello",
                    "Type": "MessageParticipant",
                    "Parameters": {"Text": "Hello from boto3"},
                    "Transitions": {
                        "NextAction": "bye",
                        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}],
                    },
                },
                {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
            ],
        }
    )


class Admin(ConnectTestCase):
    def setUp(self):
        self.c = client()

    def test_list_queues_paginator_over_several_pages(self):
        hours = self.assertRequestId(self.c.list_hours_of_operations(InstanceId=INSTANCE_ID))
        hours_id = hours["HoursOfOperationSummaryList"][0]["Id"]
        created = set()
        for i in range(4):
            r = self.c.create_queue(InstanceId=INSTANCE_ID, Name=f"boto3-queue-{i}", HoursOfOperationId=hours_id)
            self.assertRequestId(r)
            created.add(r["QueueId"])

        pages = list(
            self.c.get_paginator("list_queues").paginate(InstanceId=INSTANCE_ID, PaginationConfig={"PageSize": 2})
        )
        for page in pages:
            self.assertRequestId(page)
            self.assertLessEqual(len(page["QueueSummaryList"]), 2)
        self.assertGreaterEqual(len(pages), 3, "5 queues at 2 a page take at least 3 pages")
        self.assertIn("NextToken", pages[0])
        self.assertNotIn("NextToken", pages[-1])
        queues = [q for page in pages for q in page["QueueSummaryList"]]
        ids = [q["Id"] for q in queues]
        self.assertEqual(len(ids), len(set(ids)), "no queue appears on two pages")
        self.assertLessEqual(created, set(ids))
        self.assertIn("BasicQueue", {q["Name"] for q in queues})

        # MaxItems: botocore stops early and hands back its own resume token.
        limited = self.c.get_paginator("list_queues").paginate(
            InstanceId=INSTANCE_ID, PaginationConfig={"PageSize": 2, "MaxItems": 3}
        )
        result = limited.build_full_result()
        self.assertEqual(len(result["QueueSummaryList"]), 3)
        self.assertIn("NextToken", result)

    def test_bad_next_token_is_invalid_parameter(self):
        self.assertClientError(
            "InvalidParameterException", 400, self.c.list_queues, InstanceId=INSTANCE_ID, NextToken="not-a-token"
        )

    def test_create_contact_flow(self):
        r = self.assertRequestId(
            self.c.create_contact_flow(
                InstanceId=INSTANCE_ID, Name="boto3 flow", Type="CONTACT_FLOW", Content=small_flow()
            )
        )
        flow = self.c.describe_contact_flow(InstanceId=INSTANCE_ID, ContactFlowId=r["ContactFlowId"])["ContactFlow"]
        self.assertEqual(flow["Name"], "boto3 flow")
        self.assertEqual(json.loads(flow["Content"])["StartAction"], "hello")

    def test_invalid_flow_is_invalid_contact_flow_exception(self):
        broken = json.loads(small_flow())
        broken["Actions"][0]["Transitions"]["NextAction"] = "nowhere"
        err = self.assertClientError(
            "InvalidContactFlowException",
            400,
            self.c.create_contact_flow,
            InstanceId=INSTANCE_ID,
            Name="broken flow",
            Type="CONTACT_FLOW",
            Content=json.dumps(broken),
        )
        self.assertIsInstance(err, self.c.exceptions.InvalidContactFlowException)
        self.assertClientError(
            "InvalidContactFlowException",
            400,
            self.c.create_contact_flow,
            InstanceId=INSTANCE_ID,
            Name="not json",
            Type="CONTACT_FLOW",
            Content="{not json",
        )


if __name__ == "__main__":
    main()
