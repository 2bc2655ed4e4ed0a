import { fileKindOf } from '../../../../domain/src/media';
import type { AttachmentStore } from '../../ports/attachment-store';
import type { TelegramSender } from '../../ports/telegram-sender';
import { PermanentFailure } from './delivery-plan';
import type { DeliveryRun } from './outcome-recorder';

export interface SentPart {
  readonly messageId: number;
  /** For an attachment: Telegram's file_id, by which it is sent again without uploading. */
  readonly fileId?: string | undefined;
}

/**
 * Sends one part of a message to one chat: the text, or an attachment. Each file is uploaded
 * once per message: the first recipient to need it uploads it from the object store, and every
 * other one (including those served meanwhile, who wait for the upload) gets it by file_id.
 */
export class PartSender {
  constructor(
    private readonly telegram: TelegramSender,
    private readonly attachments: AttachmentStore,
  ) {}

  /** `text`: the message's text as this recipient gets it (its template filled in). */
  async send(run: DeliveryRun, part: number, chatId: string, text: string): Promise<SentPart> {
    const message = run.state;
    const options = { paidBroadcast: message.paidBroadcast, display: message.sendOptions };
    if (part === 0)
      return {
        messageId: await this.telegram.sendText(chatId, text, {
          ...options,
          buttons: message.buttons,
        }),
      };
    const attachment = message.attachments[part - 1];
    if (!attachment) throw new Error(`Message ${run.messageId} has no part ${part}`);
    const kind = fileKindOf(attachment, message.sendOptions.sendAs);
    const known = message.fileIds[part] ?? (await run.uploads.get(part));
    if (known !== undefined)
      return this.telegram.sendFile(chatId, kind, { fileId: known }, options);
    const upload = (async () => {
      if (!(await this.attachments.exists(attachment.objectKey))) {
        throw new PermanentFailure(
          'attachment_missing',
          `Attachment ${attachment.objectKey} is missing from the object store`,
        );
      }
      return this.telegram.sendFile(
        chatId,
        kind,
        {
          content: () => this.attachments.getStream(attachment.objectKey),
          fileName: attachment.fileName,
        },
        options,
      );
    })();
    run.uploads.set(
      part,
      upload.then(
        (sent) => sent.fileId,
        () => undefined,
      ),
    );
    return upload;
  }
}
