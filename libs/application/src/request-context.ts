import type { EventMetadata } from '../../event-store/src/event-store';

/** Who asked, and under which correlation id: becomes the metadata of the events appended. */
export interface RequestContext {
  readonly correlationId: string;
  readonly actor: string;
}

export const metadataFor = (context: RequestContext): EventMetadata => ({
  correlationId: context.correlationId,
  causationId: null,
  actor: context.actor,
});
