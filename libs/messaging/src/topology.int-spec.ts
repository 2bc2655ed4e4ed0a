import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { rabbitMqUrl } from '../../../test/support/services';
import { testVhost } from '../../../test/support/test-database';
import {
  assertDeliveryTopology,
  DELIVERY_LIMIT,
  deliveryTopology,
  retireLegacyQueue,
} from './topology';

describe('The delivery topology', () => {
  const url = () => rabbitMqUrl(testVhost());

  it('retires the queue of one active consumer: its messages move to the queues of today, and it is gone', async () => {
    const topology = deliveryTopology(`retire-test-${randomUUID()}`);
    const connection = await amqplib.connect(url());
    try {
      const channel = await connection.createConfirmChannel();
      // The queue as the version before declared it, holding a MessageDue published to the
      // exchange and one an earlier redrive sent straight to the queue.
      await channel.assertExchange(topology.exchange, 'topic', { durable: true });
      await channel.assertQueue(topology.legacyQueue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-single-active-consumer': true,
          'x-delivery-limit': DELIVERY_LIMIT,
        },
      });
      await channel.bindQueue(topology.legacyQueue, topology.exchange, 'MessageDue');
      await assertDeliveryTopology(channel, topology);
      channel.publish(topology.exchange, 'MessageDue', Buffer.from('routed'), { messageId: 'a' });
      channel.sendToQueue(topology.legacyQueue, Buffer.from('sent straight'), { messageId: 'b' });
      await channel.waitForConfirms();
      await channel.purgeQueue(topology.queue);

      expect(await retireLegacyQueue(url(), topology)).toBe(2);
      const moved: string[] = [];
      for (let message = await channel.get(topology.queue); message;) {
        moved.push(message.content.toString());
        channel.ack(message);
        message = await channel.get(topology.queue);
      }
      expect(moved.sort()).toEqual(['routed', 'sent straight']);
      // Gone, and retiring again finds nothing to do.
      expect(await retireLegacyQueue(url(), topology)).toBe(0);
      await channel.close();
    } finally {
      await connection.close();
    }
  });
});
