import { Command } from '@nestjs/cqrs';

/**
 * The scheduler found these messages' time has come (messages due together are marked together).
 * Answers how many this call marked due; throws when one could not be marked for a reason other
 * than being marked already (or not pending any more), once every other one is marked.
 */
export class MarkMessageDueCommand extends Command<number> {
  constructor(
    readonly messageIds: readonly string[],
    /** How long before its time a message may be handed to delivery (SCHEDULER_LEAD_MS). */
    readonly leadMs = 0,
  ) {
    super();
  }
}
