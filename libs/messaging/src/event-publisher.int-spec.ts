import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import amqplib from 'amqplib';
import { rabbitMqUrl } from '../../../test/support/services';
import { testVhost } from '../../../test/support/test-database';
import { EventPublisher } from './event-publisher';
import { deliveryTopology } from './topology';

describe('EventPublisher', () => {
  it('survives a channel setup that fails: it says so, and the process goes on', async () => {
    const exchange = `events-${randomUUID()}`;
    // The delivery queue exists already with other arguments: declaring it as the publisher
    // does fails, and the broker closes the channel under the setup.
    const connection = await amqplib.connect(rabbitMqUrl(testVhost()));
    const channel = await connection.createChannel();
    await channel.assertQueue(deliveryTopology(exchange).queue, { durable: false });
    const warnings: string[] = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    const publisher = new EventPublisher(rabbitMqUrl(testVhost()), exchange);
    try {
      publisher.connect();
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        if (warnings.some((message) => message.startsWith('Setting up the RabbitMQ channel')))
          break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(warnings.join('\n')).toMatch(/Setting up the RabbitMQ channel failed: .*PRECONDITION/);
    } finally {
      await publisher.close();
      warn.mockRestore();
      await channel.deleteQueue(deliveryTopology(exchange).queue);
      await connection.close();
    }
  });
});
