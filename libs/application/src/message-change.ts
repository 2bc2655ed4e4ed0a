import { DomainError, DomainErrorCode } from '../../domain/src/errors';
import { messageStreamId } from '../../domain/src/events';
import type { ScheduledMessageEvent } from '../../domain/src/events';
import {
  decideScheduledMessage,
  evolveScheduledMessage,
  type ScheduledMessageCommand,
  type ScheduledMessageState,
} from '../../domain/src/scheduled-message';
import type { EventStore, StoredEvent } from '../../event-store/src/event-store';
import { loadMessage } from './message-stream';
import { metadataFor, type RequestContext } from './request-context';
import { isUuid } from './uuid';

/** A change a client makes to a message it scheduled. */
type ClientChange = Exclude<ScheduledMessageCommand, { type: 'ScheduleMessage' }>;

/** A change that depends on when the message's events happened (the stream as recorded). */
interface ChangeFromStream {
  readonly messageId: string;
  readonly decide: (stream: readonly StoredEvent[]) => ClientChange;
}

/**
 * Decides a client's change to a message and appends it at the version read: a change racing the
 * scheduler (which marks the message due) loses with a conflict instead of slipping past it.
 */
export async function changeMessage(
  store: EventStore,
  change: ClientChange | ChangeFromStream,
  context: RequestContext,
  /** Changes decided after it, on the state it leaves: all appended together, or none. */
  alsoChange?: readonly ClientChange[],
): Promise<void> {
  const id = change.messageId;
  if (!isUuid(id)) {
    throw new DomainError(DomainErrorCode.MessageNotFound, `No message with id ${id}`, {
      messageId: id,
    });
  }
  const { state, version, events: stream } = await loadMessage(store, id);
  const command = 'decide' in change ? change.decide(stream) : change;
  const events = [command, ...(alsoChange ?? [])].reduce<{
    state: ScheduledMessageState;
    events: ScheduledMessageEvent[];
  }>(
    (decided, next) => {
      const more = decideScheduledMessage(next, decided.state);
      return {
        state: more.reduce(evolveScheduledMessage, decided.state),
        events: [...decided.events, ...more],
      };
    },
    { state, events: [] },
  ).events;
  if (events.length === 0) return;
  await store.append(messageStreamId(id), events, {
    expectedVersion: version,
    metadata: metadataFor(context),
  });
}
