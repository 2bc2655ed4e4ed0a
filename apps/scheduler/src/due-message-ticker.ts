import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/postgresql';
import { MarkMessageDueCommand } from '../../../libs/application/src/commands/mark-message-due/mark-message-due.command';
import { DueDispatcher } from '../../../libs/application/src/scheduling/due-dispatcher';
import { findPendingUntil } from '../../../libs/projections/src/pending-deadlines.projection';
import { SchedulerConfig } from '../../../libs/config/src/config';
import { Clock } from '../../../libs/runtime/src/clock';
import { PendingDeadlinesFollower } from './pending-deadlines.follower';

/**
 * Every SCHEDULER_TICK_MS, finds what is due and what falls due within the next two ticks; marks
 * each due SCHEDULER_LEAD_MS before its moment, delivery holding it until then (see DueDispatcher).
 */
@Injectable()
export class DueMessageTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private readonly dispatcher: DueDispatcher;
  private ticking = false;

  constructor(
    private readonly config: SchedulerConfig,
    orm: MikroORM,
    commands: CommandBus,
    clock: Clock,
    private readonly follower: PendingDeadlinesFollower,
    private readonly registry: SchedulerRegistry,
  ) {
    this.dispatcher = new DueDispatcher(
      {
        clock,
        findPending: (until, after, limit) => findPendingUntil(orm.em.fork(), until, after, limit),
        markDue: async (messageIds) => {
          await commands.execute<MarkMessageDueCommand, number>(
            new MarkMessageDueCommand(messageIds, config.leadMs),
          );
        },
        onError: (error) =>
          this.logger.error(
            `Marking a message due failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
          ),
      },
      2 * config.tickMs,
      config.leadMs,
    );
    // A message scheduled (or moved) to a time before the next tick is planned as soon as the
    // scheduler's projection has it.
    follower.onDeadlines = (deadlines) => this.dispatcher.notice(deadlines);
  }

  onApplicationBootstrap(): void {
    this.follower.start();
    this.registry.addInterval(
      'due-messages',
      setInterval(() => void this.tick(), this.config.tickMs),
    );
    this.logger.log(
      `Looking for due messages every ${this.config.tickMs} ms, handing each to delivery ${this.config.leadMs} ms before its time`,
    );
    // What fell due while no scheduler ran is marked now, not a tick from now.
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
    await this.follower.stop();
  }

  /** One tick; a tick still running when the next is due makes the next one skip. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.dispatcher.tick();
    } catch (error) {
      this.logger.error(`Tick failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.ticking = false;
    }
  }
}
