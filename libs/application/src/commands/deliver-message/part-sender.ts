import { fileKindOf, type SendUnit } from '../../../../domain/src/media';
import type { AttachmentStore } from '../../ports/attachment-store';
import type { DocumentToSend, SendOptions, TelegramSender } from '../../ports/telegram-sender';
import { PermanentFailure } from './delivery-plan';
import type { DeliveryRun } from './outcome-recorder';

export interface SentPart {
  /** 0 the text, n the n-th attachment. */
  readonly part: number;
  readonly telegramMessageId: number;
  /** For an attachment: Telegram's file_id, by which it is sent again without uploading. */
  readonly telegramFileId?: string;
}

/**
 * Sends one unit of a message to one chat: the text, an attachment, or an album of attachments
 * (the text its caption, if it is in the unit). Each file is uploaded once per message: the first
 * recipient to need it uploads it from the object store, and every other one (including those
 * served meanwhile, who wait for the upload) gets it by file_id.
 */
export class PartSender {
  constructor(
    private readonly telegram: TelegramSender,
    private readonly attachments: AttachmentStore,
  ) {}

  /** `text`: the message's text as this recipient gets it (its template filled in). */
  async send(run: DeliveryRun, unit: SendUnit, chatId: string, text: string): Promise<SentPart[]> {
    const message = run.state;
    const options: SendOptions = {
      paidBroadcast: message.paidBroadcast,
      display: message.sendOptions,
    };
    switch (unit.kind) {
      case 'text':
        return [
          {
            part: 0,
            telegramMessageId: await this.telegram.sendText(chatId, text, {
              ...options,
              buttons: message.buttons,
            }),
          },
        ];
      case 'file': {
        const [part] = unit.parts;
        return [await this.sendFile(run, part, chatId, options)];
      }
      case 'album':
        return this.sendAlbum(run, unit, chatId, text, options);
    }
  }

  private async sendFile(
    run: DeliveryRun,
    part: number,
    chatId: string,
    options: SendOptions,
  ): Promise<SentPart> {
    const kind = this.kindOf(run, part);
    const sent = await this.sendUploadingOnce(run, [part], (known) =>
      known[0] !== undefined
        ? this.telegram.sendFile(chatId, kind, { fileId: known[0] }, options).then((one) => [one])
        : this.fileToUpload(run, part).then(async (file) => [
            await this.telegram.sendFile(chatId, kind, file, options),
          ]),
    );
    return {
      part,
      telegramMessageId: sent[0]!.messageId,
      ...(sent[0]!.fileId !== undefined ? { telegramFileId: sent[0]!.fileId } : {}),
    };
  }

  /**
   * An album in one call: the files known by file_id sent by it, the others uploaded (their
   * file_ids then reused by every other recipient); the text the first item's caption when the
   * unit holds part 0, recorded with that item's message id.
   */
  private async sendAlbum(
    run: DeliveryRun,
    unit: Extract<SendUnit, { kind: 'album' }>,
    chatId: string,
    text: string,
    options: SendOptions,
  ): Promise<SentPart[]> {
    const files = unit.parts.filter((part) => part !== 0);
    const sent = await this.sendUploadingOnce(run, files, async (known) => {
      const items = await Promise.all(
        files.map(async (part, index) => ({
          kind: this.kindOf(run, part),
          file:
            known[index] !== undefined
              ? { fileId: known[index] }
              : await this.fileToUpload(run, part),
        })),
      );
      return this.telegram.sendAlbum(chatId, items, unit.captioned ? text : undefined, options);
    });
    const parts: SentPart[] = files.map((part, index) => ({
      part,
      telegramMessageId: sent[index]!.messageId,
      ...(sent[index]!.fileId !== undefined ? { telegramFileId: sent[index]!.fileId } : {}),
    }));
    return unit.captioned ? [{ part: 0, telegramMessageId: sent[0]!.messageId }, ...parts] : parts;
  }

  /**
   * Sends `parts` (answered in their order) by their file_ids where known, uploading the others,
   * so that each file is uploaded once per run: while another recipient's send is uploading one
   * of them, this one waits for it and looks again (and uploads it after all if that send
   * failed). The parts this send uploads are claimed together, before anything is awaited, and a
   * send never waits while holding a claim: no two sends can wait for each other.
   */
  private async sendUploadingOnce(
    run: DeliveryRun,
    parts: readonly number[],
    send: (
      known: readonly (string | undefined)[],
    ) => Promise<{ messageId: number; fileId: string | undefined }[]>,
  ): Promise<{ messageId: number; fileId: string | undefined }[]> {
    for (;;) {
      const known = parts.map((part) => run.state.fileIds[part] ?? run.uploads.get(part)?.fileId);
      const inFlight = parts.flatMap((part, index) => {
        const upload = run.uploads.get(part);
        return known[index] === undefined && upload && !upload.done ? [upload.finished] : [];
      });
      if (inFlight.length > 0) {
        await Promise.all(inFlight);
        continue;
      }
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const claimed = parts.flatMap((part, index) => {
        if (known[index] !== undefined) return [];
        const upload = { done: false, fileId: undefined as string | undefined, finished };
        run.uploads.set(part, upload);
        return [{ index, upload }];
      });
      try {
        const sent = await send(known);
        for (const { index, upload } of claimed) upload.fileId = sent[index]?.fileId;
        return sent;
      } finally {
        for (const { upload } of claimed) upload.done = true;
        finish();
      }
    }
  }

  private kindOf(run: DeliveryRun, part: number) {
    const attachment = run.state.attachments[part - 1];
    if (!attachment) throw new Error(`Message ${run.messageId} has no part ${part}`);
    return fileKindOf(attachment, run.state.sendOptions.sendAs);
  }

  private async fileToUpload(run: DeliveryRun, part: number): Promise<DocumentToSend> {
    const attachment = run.state.attachments[part - 1];
    if (!attachment) throw new Error(`Message ${run.messageId} has no part ${part}`);
    if (!(await this.attachments.exists(attachment.objectKey))) {
      throw new PermanentFailure(
        'attachment_missing',
        `Attachment ${attachment.objectKey} is missing from the object store`,
      );
    }
    return {
      content: () => this.attachments.getStream(attachment.objectKey),
      fileName: attachment.fileName,
    };
  }
}
