import { Readable } from 'node:stream';
import { TelegramConfig } from '../../config/src/config';
import { Metrics } from '../../observability/src/metrics';
import { SystemClock } from '../../runtime/src/clock';
import { BotApiDouble } from '../../../tools/dev/bot-api-double';
import type { MikroORM } from '@mikro-orm/postgresql';
import { SendBudget, type SendSlot } from './send-budget';
import { TelegrafSender } from './telegram-sender';

/** A budget that lets every send through at once and records what it is told. */
class RecordingPacer extends SendBudget {
  readonly events: string[] = [];
  constructor() {
    super(
      null as unknown as MikroORM,
      { perSecond: 1000, chatIntervalMs: 0, groupPerMinute: 1000 },
      new SystemClock(),
    );
  }
  override acquire(chatId: string): Promise<SendSlot> {
    this.events.push(`acquire ${chatId}`);
    return Promise.resolve({
      departing: () => this.events.push(`departed ${chatId}`),
      release: () => {
        this.events.push(`release ${chatId}`);
        return Promise.resolve();
      },
    });
  }
}

describe('TelegrafSender and the pacer', () => {
  const telegram = new BotApiDouble();
  let url: string;

  beforeAll(async () => {
    url = await telegram.start();
  });
  afterAll(() => telegram.stop());

  it('tells the pacer when each request has left, before its answer, for texts and uploads', async () => {
    const pacer = new RecordingPacer();
    const sender = new TelegrafSender(
      new TelegramConfig('123456789:sender-test', url, 'polling'),
      pacer,
      new Metrics('test'),
    );
    telegram.latencyMs = 50;
    await sender.sendText('1', 'hello');
    await sender.sendFile('2', 'document', {
      content: () => Promise.resolve(Readable.from([Buffer.from('file body')])),
      fileName: 'notes.txt',
    });
    expect(pacer.events).toEqual([
      'acquire 1',
      'departed 1',
      'release 1',
      'acquire 2',
      'departed 2',
      'release 2',
    ]);
    // Both reached the double (which answered each 50 ms after it arrived).
    expect(telegram.delivered()).toHaveLength(2);
  });

  it('keeps one connection alive across sends to an http:// Bot API', async () => {
    const pacer = new RecordingPacer();
    const sender = new TelegrafSender(
      new TelegramConfig('123456789:sender-test', url, 'polling'),
      pacer,
      new Metrics('test'),
    );
    telegram.latencyMs = 0;
    const before = telegram.connections;
    for (let n = 0; n < 5; n++) await sender.sendText('3', `text ${n}`);
    expect(telegram.connections - before).toBe(1);
  });
});
