import type { DeliveryFailureCode } from '../../../../domain/src/events';
import { type SendUnit, sendUnitsOf } from '../../../../domain/src/media';
import {
  partsToSend,
  recipientsAwaitingOutcome,
  type ScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { hasTemplateVariables, textFor } from '../../../../domain/src/template';
import type { SubscriberRecord } from '../../ports/subscriber-reader';
import { TelegramSendError } from '../../ports/telegram-sender';

/** A message that exists: what delivery works on. */
export type KnownMessage = Exclude<ScheduledMessageState, { status: 'none' }>;

/** What is left to do for one recipient without an outcome. */
export type RecipientPlan =
  | {
      readonly kind: 'send';
      readonly userId: string;
      readonly chatId: string;
      /**
       * The calls still to make, in order: the units of the message whose parts are not yet
       * recorded as sent (0 the text, n the n-th attachment).
       */
      readonly units: readonly SendUnit[];
      /** The text as this recipient gets it: its template variables filled in with theirs. */
      readonly text: string;
    }
  | { readonly kind: 'fail'; readonly userId: string; readonly failure: PermanentFailure };

/** Why a recipient will not get the message: recorded as RecipientDeliveryFailed. */
export class PermanentFailure extends Error {
  constructor(
    readonly code: DeliveryFailureCode,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'PermanentFailure';
  }
}

/**
 * For every recipient without an outcome, the parts still to send and the chat to send them to,
 * decided from the message's own events (a redelivered MessageDue resumes where the log says the
 * last run stopped) and the subscribers as they are now.
 */
export function planDelivery(
  message: KnownMessage,
  subscribers: readonly Pick<
    SubscriberRecord,
    'userId' | 'chatId' | 'status' | 'chatName' | 'firstName' | 'lastName' | 'username'
  >[],
): RecipientPlan[] {
  const byUserId = new Map(subscribers.map((subscriber) => [subscriber.userId, subscriber]));
  const templated = hasTemplateVariables(message.text);
  return recipientsAwaitingOutcome(message).map((userId): RecipientPlan => {
    const subscriber = byUserId.get(userId);
    if (!subscriber) {
      return {
        kind: 'fail',
        userId,
        failure: new PermanentFailure('unknown_recipient', 'No such subscriber'),
      };
    }
    if (subscriber.status !== 'active') {
      return {
        kind: 'fail',
        userId,
        failure: new PermanentFailure(
          'unsubscribed',
          'The user unsubscribed before the message was due',
        ),
      };
    }
    return {
      kind: 'send',
      userId,
      chatId: subscriber.chatId,
      units: unitsToSend(message, partsToSend(message, userId)),
      text: templated
        ? textFor(message.text, message.sendOptions.parseMode, subscriber)
        : message.text,
    };
  });
}

/**
 * The message's units with parts left to send. An album's parts are recorded together; should the
 * log hold only some of them, what is missing goes one part at a time, never the album again.
 */
function unitsToSend(message: KnownMessage, unsent: readonly number[]): SendUnit[] {
  const left = new Set(unsent);
  return sendUnitsOf(message.attachments, message.sendOptions, message.buttons.length > 0).flatMap(
    (unit): SendUnit[] => {
      const missing = unit.parts.filter((part) => left.has(part));
      if (missing.length === unit.parts.length) return [unit];
      return missing.map((part) =>
        part === 0 ? { kind: 'text', parts: [0] } : { kind: 'file', parts: [part] },
      );
    },
  );
}

/**
 * What a send that did not succeed means for its recipient. Anything but a refusal from Telegram
 * (or a failure already decided) is not the recipient's: it is thrown again, and the MessageDue
 * goes back to the queue.
 */
export function permanentFailureOf(error: unknown, attempts: number): PermanentFailure {
  if (error instanceof PermanentFailure) return error;
  if (!(error instanceof TelegramSendError)) throw error;
  switch (error.kind) {
    case 'blocked':
      return new PermanentFailure('blocked', error.description);
    case 'chat_not_found':
      return new PermanentFailure('chat_not_found', error.description);
    case 'rejected':
    case 'chat_migrated':
      return new PermanentFailure('rejected', error.description);
    case 'rate_limited':
    case 'transient':
      return new PermanentFailure(
        'send_failed',
        `Gave up after ${attempts} attempts: ${error.description}`,
      );
  }
}
