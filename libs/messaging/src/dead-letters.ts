import amqplib from 'amqplib';
import { DeadLetterCounter } from '../../application/src/ports/delivery-health-reader';
import { assertDeliveryTopology, deliveryTopology, workRoutingKey } from './topology';

/**
 * Moves every message of the delivery dead-letter queue back to the delivery queue it came from
 * (published again under its own routing key), once the cause of their failures is fixed. Safe
 * to run at any time: a MessageDue or an AudienceResolved handled twice sends nothing twice.
 * Returns the message ids moved.
 */
export async function redriveDeadLetters(url: string, exchange: string): Promise<string[]> {
  const topology = deliveryTopology(exchange);
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await assertDeliveryTopology(channel, topology);
    const moved: string[] = [];
    for (
      let message = await channel.get(topology.deadLetterQueue);
      message;
      message = await channel.get(topology.deadLetterQueue)
    ) {
      channel.publish(
        topology.exchange,
        workRoutingKey(topology, message.fields.routingKey),
        message.content,
        {
          ...message.properties,
          headers: {},
        },
      );
      await channel.waitForConfirms();
      channel.ack(message);
      moved.push(String(message.properties.messageId));
    }
    await channel.close();
    return moved;
  } finally {
    await connection.close();
  }
}

/** How many messages wait in the delivery dead-letter queue. */
export async function countDeadLetters(url: string, exchange: string): Promise<number> {
  const topology = deliveryTopology(exchange);
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await assertDeliveryTopology(channel, topology);
    const { messageCount } = await channel.checkQueue(topology.deadLetterQueue);
    await channel.close();
    return messageCount;
  } finally {
    await connection.close();
  }
}

/** How long a count of the dead letters is answered again before the broker is asked anew. */
const COUNT_FOR_MS = 10_000;
/** A broker that does not answer within this is reported as unknown, not waited for. */
const COUNT_TIMEOUT_MS = 3000;

/**
 * The dead-letter queue's length, asked without declaring anything (a queue not declared yet is
 * an error, reported as unknown), within COUNT_TIMEOUT_MS; the broker's errors on the connection
 * or the channel reject the count instead of going unhandled in the process asking.
 */
async function checkDeadLetters(url: string, exchange: string): Promise<number> {
  const connection = await amqplib.connect(url, { timeout: COUNT_TIMEOUT_MS });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error('RabbitMQ did not answer in time')),
        COUNT_TIMEOUT_MS,
      );
      connection.on('error', reject);
      connection
        .createChannel()
        .then(async (channel) => {
          channel.on('error', reject);
          const { messageCount } = await channel.checkQueue(
            deliveryTopology(exchange).deadLetterQueue,
          );
          await channel.close();
          resolve(messageCount);
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    closeWithin(connection, 1000);
  }
}

/**
 * Closes a connection without waiting on the broker: a broker that does not confirm the close
 * (it is stuck, which is maybe why the count failed) has its socket cut after `ms`.
 */
function closeWithin(connection: amqplib.ChannelModel, ms: number): void {
  const cut = setTimeout(() => {
    const socket = (connection as unknown as { connection?: { stream?: { destroy(): void } } })
      .connection?.stream;
    socket?.destroy();
  }, ms);
  cut.unref();
  connection.close().then(
    () => clearTimeout(cut),
    () => clearTimeout(cut),
  );
}

/**
 * The dead-letter queue's length for the console's health page: asked of the broker at most every
 * ten seconds, however many pages look.
 */
export class RabbitMqDeadLetterCounter extends DeadLetterCounter {
  private last: { at: number; count: Promise<number> } | undefined;

  constructor(
    private readonly url: string,
    private readonly exchange: string,
  ) {
    super();
  }

  count(): Promise<number> {
    const now = Date.now();
    if (!this.last || now - this.last.at > COUNT_FOR_MS) {
      const count = checkDeadLetters(this.url, this.exchange);
      const asked = { at: now, count };
      this.last = asked;
      // A failed count is not kept: the next look asks again (unless a newer one is under way).
      count.catch(() => {
        if (this.last === asked) this.last = undefined;
      });
    }
    return this.last.count;
  }
}
