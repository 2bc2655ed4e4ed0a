/** One dependency an app needs (or would like) to serve. */
export interface ReadinessCheck {
  readonly key: string;
  /**
   * A required check that fails makes the app not ready (503); one that is not required reports
   * `degraded` and leaves the answer 200: the REST API serves while Telegram cannot be reached.
   */
  readonly required: boolean;
  /** Resolves (with details to show) when the dependency is there; throws when it is not. */
  readonly probe: () => Promise<Record<string, unknown> | void>;
}

/** Injection token of the app's readiness checks. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** How long one probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 3000;

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
