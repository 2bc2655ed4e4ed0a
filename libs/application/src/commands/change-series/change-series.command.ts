import { Command } from '@nestjs/cqrs';
import type { ButtonRows, MessageSendOptions } from '../../../../domain/src/events';
import type { AudienceRequest } from '../../audience-request';
import type { RequestContext } from '../../request-context';

/** What a change gives; a field left out stays as it is. */
export interface SeriesChanges {
  readonly text?: string;
  readonly recipients?: readonly string[];
  /** Topics or everyone from now on, instead of user ids. */
  readonly audience?: AudienceRequest;
  readonly rrule?: string;
  readonly dtstart?: string;
  readonly timeZone?: string;
  readonly atRecipientLocalTime?: boolean;
  /** The send options given; the others stay as they are. */
  readonly sendOptions?: Partial<MessageSendOptions>;
  /** The buttons as they are to be (empty: none). */
  readonly buttons?: ButtonRows;
}

/** Changes a series from now on. */
export class ChangeSeriesCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly changes: SeriesChanges,
    readonly context: RequestContext,
  ) {
    super();
  }
}
