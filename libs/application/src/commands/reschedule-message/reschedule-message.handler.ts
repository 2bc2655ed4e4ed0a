import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../event-store/src/event-store';
import { changeMessage } from '../../message-change';
import { RescheduleMessageCommand } from './reschedule-message.command';

@CommandHandler(RescheduleMessageCommand)
export class RescheduleMessageHandler implements ICommandHandler<RescheduleMessageCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: RescheduleMessageCommand): Promise<void> {
    await changeMessage(
      this.events,
      {
        type: 'RescheduleMessage',
        messageId: command.messageId,
        scheduledAt: command.scheduledAt,
        ...(command.latest ? { latest: command.latest } : {}),
      },
      command.context,
    );
  }
}
