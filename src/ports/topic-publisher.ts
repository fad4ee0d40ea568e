/**
 * TopicPublisher: one message with its attributes onto an SNS topic, as Amazon Connect's
 * real-time chat streaming publishes each chat item (StartContactStreaming). Adapter:
 * adapters/sns/sns-topic-publisher.ts, to AWS or any SNS-compatible server.
 *
 * Standard topics have no deduplication: a try whose answer was lost and that is tried again
 * reaches the subscribers twice, as it would from Amazon Connect.
 */
export interface TopicMessage {
  topicArn: string;
  /** The message body, e.g. a chat item serialized as JSON. */
  message: string;
  /** String message attributes, e.g. ContactId, ParticipantRole, MessageVisibility. */
  attributes: Record<string, string>;
}

export interface TopicPublisher {
  /** Resolves with the topic's message id once published; rejects with a SinkError. */
  publish(message: TopicMessage): Promise<{ messageId: string }>;
  /** Releases the connections; publishing after it is an error. */
  close(): void;
}
