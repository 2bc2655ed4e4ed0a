import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiConfig, TelegramConfig } from '../../../../config/src/config';
import { type MessageScheduled, messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  initialScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { EventStore, type StoredEvent } from '../../../../event-store/src/event-store';
import type { MessageRecord } from '../../ports/message-reader';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TopicReader } from '../../ports/topic-reader';
import { Clock } from '../../../../runtime/src/clock';
import { metadataFor } from '../../request-context';
import { scheduleLimits } from '../../schedule-limits';
import { audienceOf } from '../../audience-request';
import { ScheduleMessageCommand, type ScheduledMessageAnswer } from './schedule-message.command';

@CommandHandler(ScheduleMessageCommand)
export class ScheduleMessageHandler implements ICommandHandler<ScheduleMessageCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    private readonly topics: TopicReader,
    private readonly config: ApiConfig,
    private readonly telegram: TelegramConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: ScheduleMessageCommand): Promise<ScheduledMessageAnswer> {
    const audience = command.audience ? await audienceOf(this.topics, command.audience) : undefined;
    // An id that is no subscriber's is absent from the answer; the domain names it as unknown.
    const recipientStatus = await this.subscribers.statuses(command.recipients);
    const events = decideScheduledMessage(
      {
        type: 'ScheduleMessage',
        messageId: command.messageId,
        recipients: command.recipients,
        ...(audience ? { audience } : {}),
        text: command.text,
        scheduledAt: command.scheduledAt,
        attachments: command.attachments,
        fromSender: command.fromSender,
        paidBroadcast: command.paidBroadcast,
        paidBroadcastAllowed: this.telegram.paidBroadcast,
        sendOptions: command.sendOptions,
        buttons: command.buttons,
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
    // Who is in the audience is decided when the message falls due; nobody now is worth saying.
    const empty = audience && (await this.subscribers.activeIn(audience, null, 1)).length === 0;
    return {
      message: scheduledMessageRecord(scheduled),
      warnings: empty
        ? [
            audience.kind === 'all'
              ? 'EMPTY_AUDIENCE: nobody is subscribed now; the message goes to whoever is when it falls due'
              : 'EMPTY_AUDIENCE: the topics have no subscribed members now; the message goes to those who are when it falls due',
          ]
        : [],
    };
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
    audience: event.data.audience,
    paidBroadcast: event.data.paidBroadcast,
    sendOptions: event.data.sendOptions,
    buttons: event.data.buttons,
    status: 'scheduled',
    isSent: false,
    dueAt: null,
    sentAt: null,
    editedAt: null,
    recalledAt: null,
    createdAt: event.recordedAt,
    updatedAt: event.recordedAt,
  };
}
