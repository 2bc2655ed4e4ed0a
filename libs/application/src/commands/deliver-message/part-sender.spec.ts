import { Readable } from 'node:stream';
import { DEFAULT_SEND_OPTIONS, type ScheduledMessageEvent } from '../../../../domain/src/events';
import type { FileKind, SendUnit } from '../../../../domain/src/media';
import {
  evolveScheduledMessage,
  initialScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { AttachmentStore } from '../../ports/attachment-store';
import {
  type DocumentToSend,
  TelegramSendError,
  TelegramSender,
} from '../../ports/telegram-sender';
import type { KnownMessage } from './delivery-plan';
import { DeliveryRun } from './outcome-recorder';
import { PartSender } from './part-sender';

const photo = (n: number) => ({
  objectKey: `attachments/m/${n}-p.jpg`,
  fileName: `p${n}.jpg`,
  contentType: 'image/jpeg',
  declaredContentType: 'image/jpeg',
  size: 10,
  sha256: String(n).repeat(64),
  image: null,
});

/** A due message to eight recipients with two photos, sent as media (as an album if asked). */
function runOf(asAlbum: boolean): DeliveryRun {
  const events: ScheduledMessageEvent[] = [
    {
      type: 'MessageScheduled',
      data: {
        messageId: 'm',
        recipients: Array.from({ length: 8 }, (_, n) => `u${n}`),
        text: 'hello',
        scheduledAt: '2030-01-01T00:00:00.000Z',
        attachments: [photo(1), photo(2)],
        fromSender: null,
        series: null,
        audience: null,
        paidBroadcast: false,
        sendOptions: { ...DEFAULT_SEND_OPTIONS, sendAs: 'media', asAlbum },
        buttons: [],
      },
    },
    { type: 'MessageDue', data: { messageId: 'm', scheduledAt: '2030-01-01T00:00:00.000Z' } },
  ];
  const state = events.reduce(evolveScheduledMessage, initialScheduledMessageState);
  return new DeliveryRun('m', 'message-m', null, state as KnownMessage, 2, {
    correlationId: 'c',
    causationId: 'c',
    actor: 'delivery',
  });
}

/** A Bot API that takes a while to answer, counts uploads, and fails the uploads asked to. */
class CountingTelegram extends TelegramSender {
  uploads = 0;
  byFileId = 0;
  failUploads = 0;
  private messageId = 0;

  private async file(file: DocumentToSend): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if ('fileId' in file) {
      this.byFileId++;
      return file.fileId;
    }
    await file.content();
    if (this.failUploads > 0) {
      this.failUploads--;
      throw new TelegramSendError('transient', 'Bad Gateway');
    }
    this.uploads++;
    return `id-${file.fileName}`;
  }

  sendText(): Promise<number> {
    return Promise.resolve(++this.messageId);
  }
  async sendFile(_chatId: string, _kind: FileKind, file: DocumentToSend) {
    return { messageId: ++this.messageId, fileId: await this.file(file) };
  }
  async sendAlbum(
    _chatId: string,
    items: readonly { readonly kind: FileKind; readonly file: DocumentToSend }[],
  ) {
    const ids = [];
    for (const item of items) ids.push(await this.file(item.file));
    return ids.map((fileId) => ({ messageId: ++this.messageId, fileId }));
  }
  editText(): Promise<void> {
    return Promise.resolve();
  }
  editCaption(): Promise<void> {
    return Promise.resolve();
  }
  deleteMessages(): Promise<void> {
    return Promise.resolve();
  }
}

class Attachments extends AttachmentStore {
  exists(): Promise<boolean> {
    return Promise.resolve(true);
  }
  getStream(): Promise<Readable> {
    return Promise.resolve(Readable.from([Buffer.from('bytes')]));
  }
}

describe('PartSender: each file uploaded once per message', () => {
  const file: SendUnit = { kind: 'file', parts: [1] };
  const album: SendUnit = { kind: 'album', parts: [0, 1, 2], captioned: true };

  async function serveAll(
    telegram: CountingTelegram,
    run: DeliveryRun,
    unit: SendUnit,
    recipients: number,
  ) {
    const sender = new PartSender(telegram, new Attachments());
    return Promise.allSettled(
      Array.from({ length: recipients }, (_, n) => sender.send(run, unit, String(n), 'hello')),
    );
  }

  it('given recipients served at the same instant, uploads a file once and sends it by file_id to the rest', async () => {
    const telegram = new CountingTelegram();
    await serveAll(telegram, runOf(false), file, 8);
    expect([telegram.uploads, telegram.byFileId]).toEqual([1, 7]);
  });

  it('given the first upload failed, uploads once more, not once per waiting recipient', async () => {
    const telegram = new CountingTelegram();
    telegram.failUploads = 1;
    const results = await serveAll(telegram, runOf(false), file, 8);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    expect([telegram.uploads, telegram.byFileId]).toEqual([1, 6]);
  });

  it('given an album, uploads its files once, with the text as the first item’s caption', async () => {
    const telegram = new CountingTelegram();
    telegram.failUploads = 1;
    const run = runOf(true);
    const results = await serveAll(telegram, run, album, 8);
    expect(telegram.uploads).toBe(2);
    expect(telegram.byFileId).toBe(12);
    const sent = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(sent).toHaveLength(7);
    // The caption is recorded with the album's first item: parts 0 and 1 share a message.
    for (const parts of sent) {
      expect(parts.map((part) => part.part)).toEqual([0, 1, 2]);
      expect(parts[0]!.telegramMessageId).toBe(parts[1]!.telegramMessageId);
    }
  });
});
