/**
 * ObjectSink through the AWS SDK's S3 client: PutObject, to AWS or to the S3-compatible
 * server the node's configuration names (addressed path-style, as such servers expect).
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectSink, StoredObject } from '../../ports/object-sink.ts';
import { outboundClientConfig, toSinkError, type OutboundOptions } from '../aws-outbound/outbound-client.ts';

export class S3ObjectSink implements ObjectSink {
  readonly #client: S3Client;

  constructor(options: OutboundOptions) {
    const custom = options.endpoint !== undefined;
    this.#client = new S3Client({
      ...outboundClientConfig(options),
      forcePathStyle: custom,
      // On AWS a bucket in another region answers with a redirect to it.
      followRegionRedirects: !custom,
    });
  }

  async put({ bucket, key, body, contentType }: StoredObject): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (err) {
      throw toSinkError(err, `S3 PutObject s3://${bucket}/${key}`);
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
