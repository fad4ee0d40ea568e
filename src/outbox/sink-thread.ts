/**
 * The sink thread (SinkThreadDeliverer): the node's SNS and S3 clients live here, so that the
 * AWS SDK's work for each Publish and PutObject (signing, serializing, parsing the answer,
 * retrying) takes none of the domain thread's time, and a destination that is down, however
 * often it is tried, slows no chat. It answers `deliverer.deliver(entry)` calls (rpc.ts) with
 * the deliverers of the sns and s3 schemes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SnsTopicPublisher } from '../adapters/sns/sns-topic-publisher.ts';
import { S3ObjectSink } from '../adapters/s3/s3-object-sink.ts';
import type { OutboundOptions } from '../adapters/aws-outbound/outbound-client.ts';
import { serveCalls } from '../domain-thread/rpc.ts';
import { DelivererByScheme, ObjectDeliverer, TopicDeliverer } from './deliverers.ts';

/** What the thread builds its clients with. */
export interface SinkThreadData {
  sns: OutboundOptions;
  s3: OutboundOptions;
}

const data = workerData as SinkThreadData;
const publisher = new SnsTopicPublisher(data.sns);
const sink = new S3ObjectSink(data.s3);
const deliverer = new DelivererByScheme({
  sns: new TopicDeliverer(publisher),
  s3: new ObjectDeliverer(sink),
});

serveCalls(parentPort!, { deliverer }, (m) => {
  if (m !== 'close') return;
  publisher.close();
  sink.close();
  parentPort!.close();
});
