import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness';

export type AppName = 'api' | 'scheduler' | 'delivery';

/** The Metrics every part of the app records to, and terminus for the health checks. */
@Module({})
export class ObservabilityModule {
  static forRoot(app: AppName): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
      providers: [{ provide: Metrics, useValue: new Metrics(app) }],
      exports: [Metrics, TerminusModule],
    };
  }
}

/** GET /health/live, /health/ready and /metrics, declared by each app's module. */
export const OBSERVABILITY_CONTROLLERS = [HealthController, MetricsController];

/** The app's readiness checks, built from its providers. */
export function readinessChecks<const Deps extends readonly unknown[]>(
  inject: { [K in keyof Deps]: abstract new (...args: never[]) => Deps[K] },
  build: (...deps: Deps) => readonly ReadinessCheck[],
): Provider {
  return {
    provide: READINESS_CHECKS,
    inject: [...inject],
    useFactory: (...providers: unknown[]) => build(...(providers as unknown as Deps)),
  };
}
