import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { RecallMessageCommand } from '../../../libs/application/src/commands/recall-message/recall-message.command';
import { SchedulerConfig } from '../../../libs/config/src/config';
import { DomainError, DomainErrorCode } from '../../../libs/domain/src/errors';
import {
  findRecallsDue,
  forgetRecall,
} from '../../../libs/projections/src/pending-deadlines.projection';
import { Clock } from '../../../libs/runtime/src/clock';

/** Messages recalled per tick, at most: the rest wait for the next. */
const RECALLS_PER_TICK = 100;

/**
 * Recalls each message whose `delete_after` has run out (RecallMessage, automatic): every second,
 * or every SCHEDULER_TICK_MS if that is shorter. A message still being sent then (a large
 * audience) is recalled at a later tick, once sent; one that can no longer be recalled (past
 * Telegram's 48 hours after downtime, recalled by a client meanwhile) is let go, and logged.
 */
@Injectable()
export class RecallTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly orm: MikroORM,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => {
        this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
      },
      Math.min(this.config.tickMs, 1000),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  async tick(): Promise<void> {
    try {
      const due = await findRecallsDue(this.orm.em.fork(), this.clock.now(), RECALLS_PER_TICK);
      for (const messageId of due) {
        // One message that fails (a conflict, the database) does not hold the others up.
        await this.recall(messageId).catch((error: unknown) =>
          this.logger.error(
            `Recalling message ${messageId} failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    } catch (error) {
      this.logger.error(
        `Looking for messages to recall failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async recall(messageId: string): Promise<void> {
    try {
      await this.commands.execute(
        new RecallMessageCommand(
          messageId,
          { correlationId: `delete-after-${messageId}`, actor: 'scheduler' },
          true,
        ),
      );
      this.logger.log(`Message ${messageId} recalled: its delete_after has run out`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Still being sent: the next tick tries again.
      if (error.code === DomainErrorCode.MessageNotEditable && error.details.status === 'due')
        return;
      this.logger.warn(`Message ${messageId} is not recalled: ${error.message}`);
      await forgetRecall(this.orm.em.fork(), messageId);
    }
  }
}
