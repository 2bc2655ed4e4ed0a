import { Command } from '@nestjs/cqrs';
import type { ButtonRows, MessageSendOptions } from '../../../../domain/src/events';

export interface PreviewSent {
  readonly chatId: string;
  /** The subscriber whose values filled the template; null when none (the chat is no subscriber). */
  readonly userId: string | null;
  /** The text as sent: the template filled in. */
  readonly text: string;
  readonly telegramMessageId: number;
}

/**
 * Sends a message now, as one recipient would get it, to a chat of the sender's choosing (their
 * own): nothing is scheduled, nothing recorded in the log.
 */
export class PreviewMessageCommand extends Command<PreviewSent> {
  constructor(
    /** As received; the domain validates it. */
    readonly chatId: unknown,
    readonly text: string,
    readonly sendOptions: MessageSendOptions,
    readonly buttons: ButtonRows,
    /** Whose values fill the template; the chat's own subscriber when null. */
    readonly targetUserId: string | null,
  ) {
    super();
  }
}
