import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Context, MiddlewareFn } from 'telegraf';

const KEEP_FOR_HOURS = 48;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Telegram may deliver an update more than once (a webhook call it saw fail, a poll after a
 * crash). Each update_id is claimed in the database before it is handled: the second claim
 * fails, and that delivery is dropped, whichever replica receives it.
 */
export class UpdateDeduplicator {
  private readonly logger = new Logger('UpdateDeduplicator');
  private lastPrune = 0;

  constructor(private readonly orm: MikroORM) {}

  /** True the first time an update id is claimed. */
  async claim(updateId: number): Promise<boolean> {
    const em = this.orm.em.fork();
    const rows = await em.execute<{ update_id: string }[]>(
      'INSERT INTO telegram_updates (update_id) VALUES (?) ON CONFLICT (update_id) DO NOTHING RETURNING update_id',
      [updateId],
    );
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await em.execute(
        `DELETE FROM telegram_updates WHERE handled_at < now() - interval '${KEEP_FOR_HOURS} hours'`,
      );
    }
    return rows.length === 1;
  }

  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      if (await this.claim(ctx.update.update_id)) return next();
      this.logger.log(`Update ${ctx.update.update_id} was already handled; dropped`);
    };
  }
}
