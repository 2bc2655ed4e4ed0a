import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  initialScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { EventStore } from '../../../../event-store/src/event-store';
import { MessageView } from '../../../../projections/src/message.view';
import { messageViewOf } from '../../../../projections/src/read-model-projector';
import { metadataFor } from '../../request-context';
import { isUuid } from '../../uuid';
import { SubscriberStatuses } from './subscriber-statuses';
import { ScheduleMessageCommand } from './schedule-message.command';

@CommandHandler(ScheduleMessageCommand)
export class ScheduleMessageHandler implements ICommandHandler<ScheduleMessageCommand> {
  private readonly statuses: SubscriberStatuses;

  constructor(
    private readonly events: EventStore,
    orm: MikroORM,
  ) {
    this.statuses = new SubscriberStatuses(orm);
  }

  async execute(command: ScheduleMessageCommand): Promise<MessageView> {
    // Ids that are not UUIDs cannot be subscribers; the domain names them as unknown.
    const recipientStatus = await this.statuses.of(command.recipients.filter(isUuid));
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
        limits: command.limits,
      },
      initialScheduledMessageState,
    );
    const appended = await this.events.append(messageStreamId(command.messageId), events, {
      expectedVersion: 'no_stream',
      metadata: metadataFor(command.context),
    });
    // The row the projection wrote in the append's transaction, made from the same event.
    const [scheduled] = appended.events;
    if (scheduled?.type !== 'MessageScheduled') {
      throw new Error(`Appending message ${command.messageId} stored no MessageScheduled`);
    }
    return messageViewOf(scheduled);
  }
}
