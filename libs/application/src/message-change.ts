import { DomainError, DomainErrorCode } from '../../domain/src/errors';
import { messageStreamId } from '../../domain/src/events';
import {
  decideScheduledMessage,
  type ScheduledMessageCommand,
} from '../../domain/src/scheduled-message';
import type { EventStore } from '../../event-store/src/event-store';
import { loadMessage } from './message-stream';
import { metadataFor, type RequestContext } from './request-context';
import { isUuid } from './uuid';

/**
 * Decides a client's change to a message and appends it at the version read: a change racing the
 * scheduler (which marks the message due) loses with a conflict instead of slipping past it.
 */
export async function changeMessage(
  store: EventStore,
  command: Exclude<ScheduledMessageCommand, { type: 'ScheduleMessage' }>,
  context: RequestContext,
): Promise<void> {
  if (!isUuid(command.messageId)) {
    throw new DomainError(
      DomainErrorCode.MessageNotFound,
      `No message with id ${command.messageId}`,
      {
        messageId: command.messageId,
      },
    );
  }
  const { state, version } = await loadMessage(store, command.messageId);
  const events = decideScheduledMessage(command, state);
  if (events.length === 0) return;
  await store.append(messageStreamId(command.messageId), events, {
    expectedVersion: version,
    metadata: metadataFor(context),
  });
}
