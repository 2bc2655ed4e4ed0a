import { ApiProperty } from '@nestjs/swagger';
import type { StoredEvent } from '../../../../libs/event-store/src/event-store';

/** An event as the audit routes show it. */
export class EventResponse {
  @ApiProperty({ description: 'Global position in the log' })
  position!: number;

  @ApiProperty({
    description: 'The stream the event belongs to (message-<id>, subscriber-<id>, series-<id>…)',
    example: 'message-3f0c7a1e-0d0b-4c52-9a53-2b7f7f0d2d11',
  })
  stream_id!: string;

  @ApiProperty({ description: 'Version within the stream, from 1' })
  stream_version!: number;

  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ example: 'MessageScheduled' })
  type!: string;

  @ApiProperty({ type: Object })
  data!: unknown;

  @ApiProperty({ type: Object, description: 'correlationId, causationId, actor' })
  metadata!: unknown;

  @ApiProperty({ format: 'date-time' })
  recorded_at!: string;
}

export function toEventResponse(event: StoredEvent): EventResponse {
  return {
    position: event.position,
    stream_id: event.streamId,
    stream_version: event.streamVersion,
    event_id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recorded_at: event.recordedAt.toISOString(),
  };
}
