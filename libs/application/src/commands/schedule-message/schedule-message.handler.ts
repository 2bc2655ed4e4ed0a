import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  initialScheduledMessageState,
  type RecipientStatus,
} from '../../../../domain/src/scheduled-message';
import { EventStore } from '../../../../event-store/src/event-store';
import { MessageView } from '../../../../projections/src/message.view';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { metadataFor } from '../../request-context';
import { isUuid } from '../../uuid';
import { ScheduleMessageCommand } from './schedule-message.command';

@CommandHandler(ScheduleMessageCommand)
export class ScheduleMessageHandler implements ICommandHandler<ScheduleMessageCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
  ) {}

  async execute(command: ScheduleMessageCommand): Promise<MessageView> {
    const em = this.orm.em.fork();
    // Ids that are not UUIDs cannot be subscribers; the domain names them as unknown.
    const candidates = command.recipients.filter(isUuid);
    const subscribers =
      candidates.length === 0 ? [] : await em.find(SubscriberView, { userId: { $in: candidates } });
    const recipientStatus = new Map<string, RecipientStatus>(
      subscribers.map((subscriber) => [subscriber.userId, subscriber.status]),
    );
    const events = decideScheduledMessage(
      {
        type: 'ScheduleMessage',
        messageId: command.messageId,
        recipients: command.recipients,
        text: command.text,
        scheduledAt: command.scheduledAt,
        attachments: command.attachments,
        recipientStatus,
        limits: command.limits,
      },
      initialScheduledMessageState,
    );
    await this.events.append(messageStreamId(command.messageId), events, {
      expectedVersion: 'no_stream',
      metadata: metadataFor(command.context),
    });
    return em.findOneOrFail(MessageView, { id: command.messageId });
  }
}
