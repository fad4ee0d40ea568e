/**
 * TopicPublisher through the AWS SDK's SNS client: SNS Publish with string MessageAttributes,
 * to AWS or to the SNS-compatible server the node's configuration names.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { TopicMessage, TopicPublisher } from '../../ports/topic-publisher.ts';
import { outboundClientConfig, toSinkError, type OutboundOptions } from '../aws-outbound/outbound-client.ts';

export class SnsTopicPublisher implements TopicPublisher {
  readonly #client: SNSClient;

  constructor(options: OutboundOptions) {
    this.#client = new SNSClient(outboundClientConfig(options));
  }

  async publish({ topicArn, message, attributes }: TopicMessage): Promise<{ messageId: string }> {
    try {
      const out = await this.#client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: message,
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (err) {
      throw toSinkError(err, `SNS Publish to ${topicArn}`);
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
