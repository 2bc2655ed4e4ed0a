import { Command } from '@nestjs/cqrs';
import type {
  Attachment,
  ButtonRows,
  MessageSendOptions,
  SeriesRule,
} from '../../../../domain/src/events';
import type { AudienceRequest } from '../../audience-request';
import type { RequestContext } from '../../request-context';

/** Creates a recurring series (attachments already in the object store, shared by every occurrence). */
export class CreateSeriesCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly recipients: readonly string[],
    readonly text: string,
    readonly attachments: readonly Attachment[],
    readonly fromSender: string | null,
    readonly rule: SeriesRule,
    readonly context: RequestContext,
    /** Each recipient at the rule's local time in their own zone. */
    readonly atRecipientLocalTime: boolean = false,
    /** Topics or everyone instead of user ids (`recipients` then empty). */
    readonly audience: AudienceRequest | null = null,
    /** How Telegram shows each occurrence, and its buttons; the defaults and none when not given. */
    readonly sendOptions?: MessageSendOptions,
    readonly buttons?: ButtonRows,
  ) {
    super();
  }
}
