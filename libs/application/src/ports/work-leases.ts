/**
 * Who is working on a unit of delivery work (a message's delivery, or one part of an audience's):
 * one process at a time, across processes. A broker message is redelivered when the connection
 * that held it dropped, while the process that held it may still be sending; the lease keeps the
 * second from starting until the first is done, or has died and its lease run out.
 */
export abstract class WorkLeases {
  /**
   * Takes the lease on `work` for `ttlMs`, or extends it when this process holds it already;
   * false when another process holds it.
   */
  abstract take(work: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (if this process holds it). */
  abstract release(work: string): Promise<void>;
}
