import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../event-store/src/event-store';
import { changeMessage } from '../../message-change';
import { EditMessageCommand } from './edit-message.command';

@CommandHandler(EditMessageCommand)
export class EditMessageHandler implements ICommandHandler<EditMessageCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: EditMessageCommand): Promise<void> {
    await changeMessage(
      this.events,
      { type: 'EditMessage', messageId: command.messageId, text: command.text },
      command.context,
    );
  }
}
