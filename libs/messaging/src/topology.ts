import amqplib, { type Channel } from 'amqplib';

/**
 * Queue names derive from the exchange's, so that systems (or test runs) sharing a vhost with
 * different exchanges never share a queue.
 */
export function deliveryTopology(exchange: string) {
  return {
    exchange,
    /** Messages due: each MessageDue is one message's delivery (or its audience's resolution). */
    queue: `${exchange}.delivery.due`,
    routingKey: 'MessageDue',
    /**
     * Edits and recalls of sent messages, on the due queue: each MessageEdited or MessageRecalled
     * is the work of editing, or deleting, the copies in every chat.
     */
    revisionRoutingKeys: ['MessageEdited', 'MessageRecalled'],
    /** Parts of resolved audiences: each AudienceResolved is one part's delivery. */
    partsQueue: `${exchange}.delivery.audience-parts`,
    partsRoutingKey: 'AudienceResolved',
    /** Each AudienceRevisionDue is one part's edit or recall, on the parts' queue. */
    partRevisionRoutingKey: 'AudienceRevisionDue',
    /**
     * The delivery queue as it was while one delivery process sent at a time (single active
     * consumer, which a queue's arguments cannot drop): retired at start (retireLegacyQueue).
     */
    legacyQueue: `${exchange}.delivery.message-due`,
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
 * The delivery queues: quorum (replicated, durable, counts redeliveries), one bound to MessageDue
 * (and the revisions of messages) and one to AudienceResolved (and each part's revision), each
 * dead-lettering a message after DELIVERY_LIMIT redeliveries to one dead-letter queue. Every delivery process consumes both at once: they share Telegram's
 * limits through SendBudget, and a lease per unit of work keeps a redelivered message from being
 * worked on twice at once.
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
  for (const [queue, routingKey] of [
    [topology.queue, topology.routingKey],
    [topology.partsQueue, topology.partsRoutingKey],
  ] as const) {
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': DELIVERY_LIMIT,
        'x-dead-letter-exchange': topology.deadLetterExchange,
      },
    });
    await channel.bindQueue(queue, topology.exchange, routingKey);
  }
  for (const routingKey of topology.revisionRoutingKeys)
    await channel.bindQueue(topology.queue, topology.exchange, routingKey);
  await channel.bindQueue(topology.partsQueue, topology.exchange, topology.partRevisionRoutingKey);
}

/**
 * Retires the delivery queue of the version before several delivery processes sent at once: no
 * longer bound, its messages published again to the exchange (to today's queues; a MessageDue
 * handled twice sends nothing twice), and deleted once nothing is left in it or held from it.
 * Nothing to do when it is gone; while an old process still consumes it, it stays (retried at
 * every start).
 */
/** How long the retired queue must stay quiet to be taken as empty. */
const LEGACY_QUIET_MS = 500;

export async function retireLegacyQueue(url: string, topology: DeliveryTopology): Promise<number> {
  const connection = await amqplib.connect(url);
  try {
    // A check of a queue that does not exist closes its channel: a channel of its own.
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    const exists = await probe.checkQueue(topology.legacyQueue).then(
      () => true,
      () => false,
    );
    if (!exists) return 0;
    await probe.close();
    const channel = await connection.createConfirmChannel();
    await channel.unbindQueue(topology.legacyQueue, topology.exchange, topology.routingKey);
    // A queue with a single active consumer serves no basic.get: consumed, until it stays quiet
    // (empty, or another consumer is its active one: an old process still running).
    let moved = 0;
    let lastSeen = Date.now();
    let moving = Promise.resolve();
    await channel.prefetch(100);
    const { consumerTag } = await channel.consume(topology.legacyQueue, (message) => {
      if (!message) return;
      lastSeen = Date.now();
      moving = moving.then(async () => {
        channel.publish(
          topology.exchange,
          workRoutingKey(topology, message.fields.routingKey),
          message.content,
          { ...message.properties, headers: {} },
        );
        await channel.waitForConfirms();
        channel.ack(message);
        moved++;
      });
    });
    while (Date.now() - lastSeen < LEGACY_QUIET_MS)
      await new Promise((resolve) => setTimeout(resolve, LEGACY_QUIET_MS / 5));
    await channel.cancel(consumerTag);
    await moving;
    // Deleted when nothing is left in it nor held from it (quorum queues delete no other way).
    const left = await channel.checkQueue(topology.legacyQueue);
    if (left.messageCount === 0 && left.consumerCount === 0)
      await channel.deleteQueue(topology.legacyQueue);
    return moved;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * The routing key to publish a delivery message under again: its own (each kind of work reaches
 * its own queue: an AudienceRevisionDue the parts' queue, with its prefetch), or, for one sent
 * straight to the queue by an earlier version (whose routing key was the queue's name),
 * MessageDue, the only work that version had.
 */
export function workRoutingKey(topology: DeliveryTopology, routingKey: string): string {
  const workKeys: readonly string[] = [
    topology.routingKey,
    topology.partsRoutingKey,
    topology.partRevisionRoutingKey,
    ...topology.revisionRoutingKeys,
  ];
  return workKeys.includes(routingKey) ? routingKey : topology.routingKey;
}
