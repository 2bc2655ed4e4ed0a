import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { EventPublisher } from '../../../../libs/messaging/src/event-publisher';
import { ObjectStorage } from '../../../../libs/storage/src/object-storage';
import { BotLauncher } from '../bot/bot-launcher';
import { Public } from '../http/api-key.guard';

@ApiTags('system')
@Controller('health')
export class HealthController {
  constructor(
    private readonly orm: MikroORM,
    private readonly publisher: EventPublisher,
    private readonly storage: ObjectStorage,
    private readonly bot: BotLauncher,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary:
      "The API can serve: database, broker and object store reachable; the bot's state is reported too",
  })
  async ready(@Res({ passthrough: true }) response: Response) {
    const [database, storage] = await Promise.all([
      this.orm.em
        .fork()
        .execute('SELECT 1')
        .then(() => true)
        .catch(() => false),
      this.storage.isReachable(),
    ]);
    const checks = { database, broker: this.publisher.isConnected, storage };
    const ready = Object.values(checks).every(Boolean);
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // The bot is reported, not required: the REST API serves while Telegram cannot be reached.
    const telegram = {
      status: this.bot.status,
      ...(this.bot.lastError ? { error: this.bot.lastError } : {}),
    };
    return { status: ready ? 'ready' : 'not ready', checks, telegram };
  }
}
