import { createHash, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectBot } from 'nestjs-telegraf';
import type { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { TelegramConfig } from '../../../../libs/config/src/config';
import { ApiError } from '../http/api-error';
import { Public } from '../../../../libs/observability/src/public-route';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Where Telegram posts updates in webhook mode. Authenticated by the secret token, not an API key. */
@ApiExcludeController()
@Controller('telegram')
export class TelegramWebhookController {
  constructor(
    @InjectBot() private readonly bot: Telegraf,
    private readonly config: TelegramConfig,
  ) {}

  @Post('webhook')
  @Public()
  @HttpCode(200)
  async receive(
    @Headers('x-telegram-bot-api-secret-token') secret: string | undefined,
    @Body() update: unknown,
  ): Promise<Record<string, never>> {
    if (this.config.mode !== 'webhook' || !this.config.webhookSecret) {
      throw new ApiError('NOT_FOUND', 'The bot runs in polling mode: it takes no webhook calls');
    }
    if (!secret || !timingSafeEqual(digest(secret), digest(this.config.webhookSecret))) {
      throw new ApiError(
        'WEBHOOK_SECRET_INVALID',
        'Missing or wrong X-Telegram-Bot-Api-Secret-Token',
      );
    }
    if (
      typeof update !== 'object' ||
      update === null ||
      !Number.isSafeInteger((update as { update_id?: unknown }).update_id)
    ) {
      throw new ApiError('INVALID_UPDATE', 'The body is not a Telegram update (no update_id)');
    }
    await this.bot.handleUpdate(update as Update);
    return {};
  }
}
