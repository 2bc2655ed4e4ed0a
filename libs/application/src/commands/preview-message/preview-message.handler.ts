import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import {
  validButtons,
  validSendOptions,
  validateText,
} from '../../../../domain/src/scheduled-message';
import { normaliseChatId } from '../../../../domain/src/subscriber';
import { textFor } from '../../../../domain/src/template';
import { SubscriberReader, type SubscriberRecord } from '../../ports/subscriber-reader';
import { TelegramSendError, TelegramSender } from '../../ports/telegram-sender';
import { requireSubscriber } from '../../subscriber-stream';
import { PreviewMessageCommand, type PreviewSent } from './preview-message.command';

/**
 * Checks the message as scheduling would (markup, template, buttons, options), fills in the
 * template for one recipient, and sends it to the chat given, within the bot's budget.
 */
@CommandHandler(PreviewMessageCommand)
export class PreviewMessageHandler implements ICommandHandler<PreviewMessageCommand> {
  private readonly logger = new Logger('Preview');

  constructor(
    private readonly subscribers: SubscriberReader,
    private readonly telegram: TelegramSender,
  ) {}

  async execute(command: PreviewMessageCommand): Promise<PreviewSent> {
    const chatId = normaliseChatId(command.chatId);
    const sendOptions = validSendOptions(command.sendOptions);
    validateText(command.text, sendOptions.parseMode);
    const buttons = validButtons(command.buttons);
    const subject: SubscriberRecord | null =
      command.targetUserId !== null
        ? await requireSubscriber(this.subscribers, { userId: command.targetUserId })
        : await this.subscribers.activeOfChat(chatId);
    const text = textFor(
      command.text,
      sendOptions.parseMode,
      subject ?? { userId: '', chatName: chatId, firstName: null, lastName: null, username: null },
    );
    try {
      const telegramMessageId = await this.telegram.sendText(chatId, text, {
        display: sendOptions,
        buttons,
      });
      this.logger.log(`Preview sent to chat ${chatId} (Telegram message ${telegramMessageId})`);
      return { chatId, userId: subject?.userId ?? null, text, telegramMessageId };
    } catch (error) {
      if (!(error instanceof TelegramSendError)) throw error;
      throw new DomainError(
        DomainErrorCode.PreviewNotSent,
        `Telegram did not take the preview: ${error.description}`,
        { chatId, reason: error.kind },
      );
    }
  }
}
