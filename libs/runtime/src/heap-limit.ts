/**
 * The V8 heap limit every app runs with, in MiB: three quarters of the 512 MiB its container may
 * use, the rest left to buffers, code and the runtime. Without it V8 sizes the heap from the
 * machine's memory (some GiB on a large node), lets garbage build up that far before collecting it
 * in earnest, and the process outgrows its container (a broadcast's parts did: +138 MiB of RSS
 * uncapped, +23 MiB at 160 MiB). deploy/'s ConfigMap and docker-compose.yml set the same through
 * NODE_OPTIONS; `npm run check:deploy` checks they agree with this and with the memory limits.
 */
export const APP_HEAP_LIMIT_MIB = 384;

const HEAP_FLAG = '--max-old-space-size';

/**
 * NODE_OPTIONS for an app started from here (`npm start`, the tests, the benchmarks): the given
 * options with the heap limit added, unless they set one themselves.
 */
export function withAppHeapLimit(nodeOptions: string | undefined): string {
  const given = nodeOptions?.trim() ?? '';
  if (given.includes(HEAP_FLAG)) return given;
  return [given, `${HEAP_FLAG}=${APP_HEAP_LIMIT_MIB}`].filter(Boolean).join(' ');
}
