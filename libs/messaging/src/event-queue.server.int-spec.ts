import { randomUUID } from 'node:crypto';
import { Controller, Inject, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, RmqContext } from '@nestjs/microservices';
import amqplib from 'amqplib';
import { rabbitMqUrl } from '../../../test/support/services';
import { testVhost } from '../../../test/support/test-database';
import type { StoredEvent } from '../../event-store/src/event-store';
import { Acknowledgements } from './acknowledgements';
import { countDeadLetters, redriveDeadLetters } from './dead-letters';
import { toEventMessage } from './event-message';
import { EventQueueServer, UNREADABLE_MESSAGE } from './event-queue.server';
import { assertDeliveryTopology, DELIVERY_LIMIT, deliveryTopology } from './topology';

type Handle = (event: StoredEvent) => Promise<void>;

/** A consumer as the delivery app's: Nest's RMQ transport, an @EventPattern, manual acks. */
async function consume(
  url: string,
  topology: ReturnType<typeof deliveryTopology>,
  handle: Handle,
  onDeadLettered: (id: string) => void = () => undefined,
): Promise<{ server: EventQueueServer; stop: () => Promise<void> }> {
  const server = new EventQueueServer({
    url,
    queue: topology.queue,
    prefetch: 1,
    setup: (channel) => assertDeliveryTopology(channel, topology),
  });
  const acknowledgements = new Acknowledgements({
    deliveryLimit: DELIVERY_LIMIT,
    retryBaseMs: 1,
    retryMaxMs: 5,
    onDeadLettered,
  });

  @Controller()
  class TestController {
    constructor(@Inject('handle') private readonly handle: Handle) {}

    @EventPattern('MessageDue')
    async due(@Payload() event: StoredEvent, @Ctx() context: RmqContext): Promise<void> {
      await acknowledgements.settle(context, event, () => this.handle(event));
    }

    @EventPattern(UNREADABLE_MESSAGE)
    unreadable(@Payload() body: { reason: string }, @Ctx() context: RmqContext): void {
      acknowledgements.deadLetter(context, body.reason);
    }
  }

  @Module({ controllers: [TestController], providers: [{ provide: 'handle', useValue: handle }] })
  class TestModule {}

  const app: INestMicroservice = await NestFactory.createMicroservice(TestModule, {
    strategy: server,
    logger: false,
  });
  await app.listen();
  return {
    server,
    stop: async () => {
      await server.stopConsuming();
      await acknowledgements.drain();
      await app.close();
    },
  };
}

describe('The delivery queue through Nest’s RabbitMQ transport', () => {
  const topology = deliveryTopology(`consumer-test-${randomUUID()}`);
  const url = () => rabbitMqUrl(testVhost());

  function messageDue(messageId: string): StoredEvent {
    return {
      type: 'MessageDue',
      data: { messageId, scheduledAt: new Date().toISOString() },
      eventId: randomUUID(),
      streamId: `message-${messageId}`,
      streamVersion: 2,
      position: 1,
      transactionId: '1',
      schemaVersion: 1,
      metadata: { correlationId: randomUUID(), causationId: null, actor: 'test' },
      recordedAt: new Date(),
    };
  }

  async function publish(event: StoredEvent, body?: Buffer): Promise<void> {
    const connection = await amqplib.connect(url());
    const channel = await connection.createConfirmChannel();
    await assertDeliveryTopology(channel, topology);
    channel.publish(
      topology.exchange,
      event.type,
      body ?? Buffer.from(JSON.stringify(toEventMessage(event))),
      {
        persistent: true,
        messageId: event.eventId,
      },
    );
    await channel.waitForConfirms();
    await connection.close();
  }

  async function deadLettered(): Promise<string[]> {
    const connection = await amqplib.connect(url());
    const channel = await connection.createChannel();
    const ids: string[] = [];
    for (;;) {
      const message = await channel.get(topology.deadLetterQueue, { noAck: true });
      if (!message) break;
      ids.push(String(message.properties.messageId));
    }
    await connection.close();
    return ids;
  }

  it('acks what its handler handled, and dead-letters a message that keeps failing without blocking the next', async () => {
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const poison = messageDue('poison');
    const healthy = messageDue('healthy');
    const reported: string[] = [];
    const consumer = await consume(
      url(),
      topology,
      async (event) => {
        attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
        if (event.eventId === poison.eventId) throw new Error('cannot ever be handled');
        handled.push(event.eventId);
      },
      (id) => reported.push(id),
    );
    try {
      await publish(poison);
      await publish(healthy);
      const deadline = Date.now() + 20_000;
      while (
        Date.now() < deadline &&
        ((await consumer.server.queueDepth(topology.deadLetterQueue)) === 0 ||
          !handled.includes(healthy.eventId))
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(handled).toEqual([healthy.eventId]);
      // Counted for the metric, and waiting in the dead-letter queue.
      expect(reported).toEqual([poison.eventId]);
      expect(await consumer.server.queueDepth(topology.deadLetterQueue)).toBe(1);
      expect(await deadLettered()).toEqual([poison.eventId]);
      expect(attempts.get(poison.eventId)).toBe(DELIVERY_LIMIT + 1);
    } finally {
      await consumer.stop();
    }
  });

  it('re-drives dead letters to the delivery queue', async () => {
    const handled: string[] = [];
    const failing = messageDue('fixed-later');
    let fixed = false;
    const consumer = await consume(url(), topology, async (event) => {
      if (!fixed) throw new Error('not yet');
      handled.push(event.eventId);
    });
    try {
      await publish(failing);
      const deadline = Date.now() + 20_000;
      while ((await countDeadLetters(url(), topology.exchange)) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await countDeadLetters(url(), topology.exchange)).toBe(1);
      fixed = true;
      expect(await redriveDeadLetters(url(), topology.exchange)).toEqual([failing.eventId]);
      while (handled.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(handled).toEqual([failing.eventId]);
      expect(await countDeadLetters(url(), topology.exchange)).toBe(0);
    } finally {
      await consumer.stop();
    }
  });

  it('dead-letters a message whose body is no event at once, and reports it', async () => {
    const reported: string[] = [];
    const garbage = messageDue('garbage');
    const consumer = await consume(
      url(),
      topology,
      () => Promise.resolve(),
      (id) => reported.push(id),
    );
    try {
      await publish(garbage, Buffer.from('not json at all'));
      const deadline = Date.now() + 20_000;
      while (reported.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reported).toEqual([garbage.eventId]);
      expect(await deadLettered()).toEqual([garbage.eventId]);
    } finally {
      await consumer.stop();
    }
  });
});
