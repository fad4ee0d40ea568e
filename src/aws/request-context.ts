/**
 * What the edge has established about a request before the provider sees it. Filled one
 * fact at a time: the request id on arrival, the caller by authentication.
 */
export interface Caller {
  /** Connect API: the access key that signed the request. */
  accessKeyId: string;
  accountId: string;
}

export interface RequestContext {
  requestId: string;
  operation: string;
  region: string;
  /** Set for SigV4-authenticated (Connect API) requests. */
  caller?: Caller;
  /** Set for bearer-authenticated (Participant API) requests: the raw X-Amz-Bearer value. */
  bearerToken?: string;
}
