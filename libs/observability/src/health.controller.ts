import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from './public-route';
import { PROBE_TIMEOUT_MS, READINESS_CHECKS, type ReadinessCheck, withTimeout } from './readiness';

/** Liveness and readiness, the same on every app; the checks are the app's own. */
@ApiTags('system')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
  ) {}

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up and its event loop turns' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary:
      'The app can do its work: database, broker (and object store where used) reachable; the Bot API is reported without failing it',
  })
  async ready(@Res({ passthrough: true }) response: Response) {
    try {
      return markDegraded(
        await this.health.check(this.checks.map((check) => () => this.run(check))),
      );
    } catch (error) {
      // Terminus reports a failed check as a 503 carrying the full result: answer it as it is.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return markDegraded(error.getResponse() as HealthCheckResult);
    }
  }

  private async run(check: ReadinessCheck) {
    const indicator = this.indicators.check(check.key);
    try {
      const details = await withTimeout(check.probe(), PROBE_TIMEOUT_MS, check.key);
      return indicator.up(details ?? {});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return check.required
        ? indicator.down({ message })
        : indicator.up({ [DEGRADED]: true, message });
    }
  }
}

/** Marks, for markDegraded, an optional check that failed; terminus itself knows up and down. */
const DEGRADED = 'degraded';

/**
 * An optional dependency that is away shows as `degraded` (and so does the whole answer, still
 * 200 when every required one is up), so that monitoring sees it without the app being pulled.
 */
function markDegraded(result: HealthCheckResult): ReadinessAnswer {
  const show = (entries: Entries | undefined): Entries | undefined =>
    entries &&
    Object.fromEntries(
      Object.entries(entries).map(([key, entry]) => {
        if (entry?.[DEGRADED] !== true) return [key, entry];
        const { [DEGRADED]: _flag, ...rest } = entry;
        return [key, { ...rest, status: DEGRADED }];
      }),
    );
  const degraded = Object.values(result.details).some((entry) => entry[DEGRADED] === true);
  return {
    status: degraded && result.status === 'ok' ? DEGRADED : result.status,
    info: show(result.info),
    error: show(result.error),
    details: show(result.details) ?? {},
  };
}

type Entry = { status: string } & Record<string, unknown>;

type Entries = Partial<Record<string, Entry>>;

interface ReadinessAnswer {
  status: string;
  info: Entries | undefined;
  error: Entries | undefined;
  details: Entries;
}
