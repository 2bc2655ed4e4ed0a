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
import { findDueMessageIds } from '../../../libs/application/src/scheduling/pending-deadlines.projection';
import { SchedulerConfig } from '../../../libs/config/src/config';
import { Clock } from '../../../libs/runtime/src/clock';
import { PendingDeadlinesFollower } from './pending-deadlines.follower';

const BATCH = 500;

/** Every SCHEDULER_TICK_MS, marks due every message whose time has come. */
@Injectable()
export class DueMessageTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private ticking = false;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly orm: MikroORM,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly follower: PendingDeadlinesFollower,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.follower.start();
    this.registry.addInterval(
      'due-messages',
      setInterval(() => void this.tick(), this.config.tickMs),
    );
    this.logger.log(`Looking for due messages every ${this.config.tickMs} ms`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.follower.stop();
  }

  /** One tick; a tick still running when the next is due makes the next one skip. */
  async tick(): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    let marked = 0;
    try {
      for (;;) {
        const due = await findDueMessageIds(this.orm.em.fork(), this.clock.now(), BATCH);
        let markedNow = 0;
        for (const messageId of due) {
          if (await this.commands.execute(new MarkMessageDueCommand(messageId))) markedNow++;
        }
        marked += markedNow;
        // A full batch that this process marked: more may be waiting behind it.
        if (due.length < BATCH || markedNow === 0) break;
      }
      if (marked > 0) this.logger.log(`Marked ${marked} message(s) due`);
    } catch (error) {
      this.logger.error(`Tick failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.ticking = false;
    }
    return marked;
  }
}
