import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiConfig } from '../../../../config/src/config';
import { type MessageScheduled, messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  initialScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { EventStore, type StoredEvent } from '../../../../event-store/src/event-store';
import type { MessageRecord } from '../../ports/message-reader';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { Clock } from '../../../../runtime/src/clock';
import { metadataFor } from '../../request-context';
import { scheduleLimits } from '../../schedule-limits';
import { ScheduleMessageCommand } from './schedule-message.command';

@CommandHandler(ScheduleMessageCommand)
export class ScheduleMessageHandler implements ICommandHandler<ScheduleMessageCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    private readonly config: ApiConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: ScheduleMessageCommand): Promise<MessageRecord> {
    // An id that is no subscriber's is absent from the answer; the domain names it as unknown.
    const recipientStatus = await this.subscribers.statuses(command.recipients);
    const events = decideScheduledMessage(
      {
        type: 'ScheduleMessage',
        messageId: command.messageId,
        recipients: command.recipients,
        text: command.text,
        scheduledAt: command.scheduledAt,
        attachments: command.attachments,
        fromSender: command.fromSender,
        recipientStatus,
        limits: scheduleLimits(this.config, this.clock.now()),
      },
      initialScheduledMessageState,
    );
    const appended = await this.events.append(messageStreamId(command.messageId), events, {
      expectedVersion: 'no_stream',
      metadata: metadataFor(command.context),
    });
    // What the read model holds now, made from the same event without reading it back.
    const [scheduled] = appended.events;
    if (scheduled?.type !== 'MessageScheduled') {
      throw new Error(`Appending message ${command.messageId} stored no MessageScheduled`);
    }
    return scheduledMessageRecord(scheduled);
  }
}

/** A message as the read model records it when it has just been scheduled. */
export function scheduledMessageRecord(event: StoredEvent<MessageScheduled>): MessageRecord {
  return {
    id: event.data.messageId,
    targetUserIds: event.data.recipients,
    text: event.data.text,
    scheduledAt: new Date(event.data.scheduledAt),
    attachments: event.data.attachments,
    fromSender: event.data.fromSender,
    seriesId: event.data.series?.seriesId ?? null,
    occurrenceAt: event.data.series ? new Date(event.data.series.occurrenceAt) : null,
    status: 'scheduled',
    isSent: false,
    dueAt: null,
    sentAt: null,
    createdAt: event.recordedAt,
    updatedAt: event.recordedAt,
  };
}
