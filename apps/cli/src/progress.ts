import type { ReplayProgress } from '../../../libs/projections/src/replay/projection-replayer';

const WIDTH = 30;

/** `[######------]  45%  12,000/27,000 events  38,200 ev/s  0.4 s left` */
export function formatProgress({ events, total, elapsedMs }: ReplayProgress): string {
  const share = total > 0 ? Math.min(events / total, 1) : 1;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedMs > 0 ? (events / elapsedMs) * 1000 : 0;
  const left = rate > 0 ? Math.max(total - events, 0) / rate : 0;
  const number = (value: number) => Math.round(value).toLocaleString('en-US');
  return [
    `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`,
    `${String(Math.round(share * 100)).padStart(3)}%`,
    `${number(events)}/${number(total)} events`,
    `${number(rate)} ev/s`,
    `${left.toFixed(1)} s left`,
  ].join('  ');
}
