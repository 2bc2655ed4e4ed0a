import type { EventMetadata } from '../../event-store/src/event-store';

/** Who asked, and under which correlation id: becomes the metadata of the events appended. */
export interface RequestContext {
  readonly correlationId: string;
  readonly actor: string;
  /** Fields of the request that the route does not take, kept in the events' metadata. */
  readonly extraFields?: Readonly<Record<string, unknown>>;
}

export const metadataFor = (context: RequestContext): EventMetadata => ({
  correlationId: context.correlationId,
  causationId: null,
  actor: context.actor,
  ...(context.extraFields ? { extraFields: context.extraFields } : {}),
});
