import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { GetDeliveryHealthQuery } from '../../../../libs/application/src/queries/get-delivery-health/get-delivery-health.query';
import { ApiError } from '../http/api-error';
import { ApiProblems } from '../http/api-problems';

const MAX_WINDOW_MINUTES = 1440;

export class DeliveryHealthDto {
  @ApiPropertyOptional({
    description: `The window, in minutes back from now: 1 to ${MAX_WINDOW_MINUTES} (60 by default)`,
    example: 60,
  })
  @IsOptional()
  @Matches(/^\d{1,4}$/, {
    message: `minutes must be a whole number from 1 to ${MAX_WINDOW_MINUTES}`,
  })
  minutes?: string;
}

class SendsInMinuteResponse {
  @ApiProperty({ description: "The minute's start" })
  minute!: string;
  @ApiProperty({ description: 'Recipients delivered (every part sent) in that minute' })
  delivered!: number;
  @ApiProperty({ description: 'Recipients failed for good in that minute' })
  failed!: number;
}

class LatenessBucketResponse {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Up to this many seconds after the message’s time; null: beyond the last bound',
  })
  up_to_seconds!: number | null;
  @ApiProperty()
  recipients!: number;
}

class FailureCountResponse {
  @ApiProperty({ example: 'blocked' })
  code!: string;
  @ApiProperty()
  recipients!: number;
}

class FollowerLagResponse {
  @ApiProperty({ example: 'outbox' })
  name!: string;
  @ApiProperty({ description: "The newest event's position less the follower's checkpoint" })
  positions_behind!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When the oldest event it has not handled was recorded; null: caught up',
  })
  oldest_behind_at!: string | null;
}

export class DeliveryHealthResponse {
  @ApiProperty()
  window_start!: string;
  @ApiProperty()
  window_end!: string;
  @ApiProperty({ type: [SendsInMinuteResponse], description: 'Minutes with outcomes, in order' })
  sends_per_minute!: SendsInMinuteResponse[];
  @ApiProperty({
    type: [LatenessBucketResponse],
    description:
      "Recipients delivered in the window by lateness: when their delivery was recorded, less the message's time",
  })
  lateness!: LatenessBucketResponse[];
  @ApiProperty({ type: [FailureCountResponse] })
  failures_by_code!: FailureCountResponse[];
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Deliveries waiting in the dead-letter queue; null when the broker did not answer',
  })
  dead_letters!: number | null;
  @ApiProperty({
    type: [FollowerLagResponse],
    description:
      'The log followers: the outbox relay and the scheduler’s projections (the read models are kept in the same transaction as the log, never behind)',
  })
  followers!: FollowerLagResponse[];
}

@ApiTags('system')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('delivery-health')
export class DeliveryHealthController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiProblems('INVALID_REQUEST')
  @ApiOperation({
    summary:
      "How delivery went lately, from the log: sends per minute, lateness, failures by code; and what waits: dead letters, the outbox's and projections' lag",
  })
  @ApiOkResponse({ type: DeliveryHealthResponse })
  async get(@Query() query: DeliveryHealthDto): Promise<DeliveryHealthResponse> {
    const minutes = query.minutes === undefined ? 60 : Number(query.minutes);
    if (minutes < 1 || minutes > MAX_WINDOW_MINUTES) {
      throw new ApiError(
        'INVALID_REQUEST',
        `minutes must be a whole number from 1 to ${MAX_WINDOW_MINUTES}`,
        { field: 'minutes' },
      );
    }
    const health = await this.queries.execute(new GetDeliveryHealthQuery(minutes));
    return {
      window_start: health.windowStart.toISOString(),
      window_end: health.windowEnd.toISOString(),
      sends_per_minute: health.sendsByMinute.map((minute) => ({
        minute: minute.minute.toISOString(),
        delivered: minute.delivered,
        failed: minute.failed,
      })),
      lateness: health.lateness.map((bucket) => ({
        up_to_seconds: bucket.upToSeconds,
        recipients: bucket.recipients,
      })),
      failures_by_code: health.failuresByCode.map((failure) => ({ ...failure })),
      dead_letters: health.deadLetters,
      followers: health.followers.map((follower) => ({
        name: follower.name,
        positions_behind: follower.positionsBehind,
        oldest_behind_at: follower.oldestBehindAt?.toISOString() ?? null,
      })),
    };
  }
}
