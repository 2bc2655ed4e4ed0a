import amqplib, { type Channel, type ChannelModel } from 'amqplib';

export interface ReceivedMessage {
  readonly messageId: string;
  readonly routingKey: string;
  readonly persistent: boolean;
  readonly body: { eventId: string; type: string; position: number };
}

/** Binds a private queue to the events exchange and records every message that arrives. */
export class EventCollector {
  readonly received: ReceivedMessage[] = [];
  private connection: ChannelModel | undefined;
  private channel: Channel | undefined;

  constructor(
    private readonly url: string,
    private readonly exchange: string,
  ) {}

  async start(bindingKey = '#'): Promise<void> {
    this.connection = await amqplib.connect(this.url);
    this.channel = await this.connection.createChannel();
    await this.channel.assertExchange(this.exchange, 'topic', { durable: true });
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, this.exchange, bindingKey);
    await this.channel.consume(
      queue,
      (message) => {
        if (!message) return;
        this.received.push({
          messageId: String(message.properties.messageId),
          routingKey: message.fields.routingKey,
          persistent: message.properties.deliveryMode === 2,
          body: JSON.parse(message.content.toString('utf8')),
        });
      },
      { noAck: true },
    );
  }

  distinctIds(): Set<string> {
    return new Set(this.received.map((message) => message.messageId));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for messages`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
