import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiConfig } from '../../../../config/src/config';
import { EventStore } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import { scheduleLimits } from '../../schedule-limits';
import { changeMessage } from '../../message-change';
import { RescheduleMessageCommand } from './reschedule-message.command';

@CommandHandler(RescheduleMessageCommand)
export class RescheduleMessageHandler implements ICommandHandler<RescheduleMessageCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly config: ApiConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: RescheduleMessageCommand): Promise<void> {
    await changeMessage(
      this.events,
      {
        type: 'RescheduleMessage',
        messageId: command.messageId,
        scheduledAt: command.scheduledAt,
        // The same horizon as for scheduling.
        latest: scheduleLimits(this.config, this.clock.now()).latest,
      },
      command.context,
      command.text === undefined
        ? []
        : [{ type: 'EditMessage', messageId: command.messageId, text: command.text }],
    );
  }
}
