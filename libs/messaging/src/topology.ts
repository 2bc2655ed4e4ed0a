import type { Channel } from 'amqplib';

/**
 * Queue names derive from the exchange's, so that systems (or test runs) sharing a vhost with
 * different exchanges never share a queue.
 */
export function deliveryTopology(exchange: string) {
  return {
    exchange,
    queue: `${exchange}.delivery.message-due`,
    /**
     * The work of delivery: a message due, and each part of an audience resolved (a part is
     * delivered on its own, by whichever delivery process takes it).
     */
    routingKeys: ['MessageDue', 'AudienceResolved'],
    deadLetterExchange: `${exchange}.dead-letter`,
    deadLetterQueue: `${exchange}.delivery.message-due.dead-letter`,
  } as const;
}

export type DeliveryTopology = ReturnType<typeof deliveryTopology>;

/**
 * Redeliveries of one message before RabbitMQ dead-letters it. A delivery process that dies
 * returns the messages it held, and RabbitMQ counts that as a delivery too: the limit leaves room
 * for crashes, and still stops a message that fails every time.
 */
export const DELIVERY_LIMIT = 20;

/**
 * The delivery queue: quorum (replicated, durable, counts redeliveries), bound to MessageDue and
 * AudienceResolved,
 * single active consumer, dead-lettering a message after DELIVERY_LIMIT redeliveries.
 */
export async function assertDeliveryTopology(
  channel: Channel,
  topology: DeliveryTopology,
): Promise<void> {
  await channel.assertExchange(topology.exchange, 'topic', { durable: true });
  await channel.assertExchange(topology.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(topology.deadLetterQueue, topology.deadLetterExchange, '');
  await channel.assertQueue(topology.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      // One consumer at a time across every delivery replica, so that one pacer keeps the bot
      // within Telegram's limits; the others take over when it goes.
      'x-single-active-consumer': true,
      'x-delivery-limit': DELIVERY_LIMIT,
      'x-dead-letter-exchange': topology.deadLetterExchange,
    },
  });
  for (const routingKey of topology.routingKeys)
    await channel.bindQueue(topology.queue, topology.exchange, routingKey);
}
