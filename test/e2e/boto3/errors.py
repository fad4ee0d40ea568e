"""boto3 against localconnect: error codes, HTTP statuses and request ids as botocore sees them."""

import uuid

from botocore.exceptions import ClientError, ParamValidationError

from common import (
    INSTANCE_ID,
    ConnectTestCase,
    client,
    keyed_client,
    main,
    new_token,
    profile_credentials,
    start_chat,
    unchecked_client,
)


class Errors(ConnectTestCase):
    def setUp(self):
        self.c = client()

    def test_resource_not_found_is_404(self):
        unknown = str(uuid.uuid4())
        self.assertClientError(
            "ResourceNotFoundException", 404, self.c.describe_contact, InstanceId=INSTANCE_ID, ContactId=unknown
        )
        self.assertClientError(
            "ResourceNotFoundException", 404, self.c.describe_contact, InstanceId=unknown, ContactId=unknown
        )
        self.assertClientError(
            "ResourceNotFoundException", 404, start_chat, self.c, ContactFlowId=unknown, ClientToken=new_token()
        )

    def test_chat_duration_below_60_is_invalid_parameter_400(self):
        # botocore itself refuses 59 (the model's min is 60) before sending anything...
        with self.assertRaises(ParamValidationError):
            start_chat(self.c, ChatDurationInMinutes=59)
        # ...so the server's check is reached only with client-side validation off.
        err = self.assertClientError(
            "InvalidParameterException", 400, start_chat, unchecked_client(), ChatDurationInMinutes=59
        )
        self.assertIn("chatDurationInMinutes", err.response["Error"]["Message"])
        self.assertClientError(
            "InvalidParameterException", 400, start_chat, unchecked_client(), ChatDurationInMinutes=10081
        )

    def test_client_token_with_other_parameters_is_idempotency_exception_409(self):
        token = new_token()
        start_chat(self.c, ClientToken=token)
        self.assertClientError(
            "IdempotencyException", 409, start_chat, self.c, ClientToken=token, Attributes={"other": "value"}
        )

    def test_second_stop_is_contact_not_found_410(self):
        contact_id = start_chat(self.c, ClientToken=new_token())["ContactId"]
        self.assertRequestId(self.c.stop_contact(InstanceId=INSTANCE_ID, ContactId=contact_id))
        self.assertClientError(
            "ContactNotFoundException", 410, self.c.stop_contact, InstanceId=INSTANCE_ID, ContactId=contact_id
        )

    def test_wrong_secret_is_invalid_signature_403(self):
        creds = profile_credentials()
        bad = keyed_client(creds.access_key, creds.secret_key + "x")
        err = self.assertClientError("InvalidSignatureException", 403, bad.describe_instance, InstanceId=INSTANCE_ID)
        self.assertIn("signature", err.response["Error"]["Message"].lower())
        # The right secret works: it was the signature, not the key or the request.
        self.assertRequestId(self.c.describe_instance(InstanceId=INSTANCE_ID))

    def test_unknown_access_key_is_unrecognized_client_403(self):
        bad = keyed_client("LKIAUNKNOWNKEY00000", "whatever")
        self.assertClientError("UnrecognizedClientException", 403, bad.list_instances)

    def test_error_is_a_modelled_exception_class(self):
        # botocore maps modelled error codes onto client.exceptions.<Name>.
        with self.assertRaises(self.c.exceptions.ResourceNotFoundException):
            self.c.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=str(uuid.uuid4()))
        self.assertTrue(issubclass(self.c.exceptions.ContactNotFoundException, ClientError))


if __name__ == "__main__":
    main()
