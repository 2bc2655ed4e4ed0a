import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** What happens to a topic: created with a name, renamed, or deleted. */
export type TopicChange =
  | { readonly kind: 'create'; readonly name: string }
  | { readonly kind: 'rename'; readonly name: string; readonly to: string }
  | { readonly kind: 'delete'; readonly name: string };

/** Creates, renames or deletes a topic; answers the topic's id. */
export class ChangeTopicCommand extends Command<string> {
  constructor(
    readonly change: TopicChange,
    readonly context: RequestContext,
  ) {
    super();
  }
}
