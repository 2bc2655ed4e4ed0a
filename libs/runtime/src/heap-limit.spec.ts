import { APP_HEAP_LIMIT_MIB, withAppHeapLimit } from './heap-limit';

describe('withAppHeapLimit', () => {
  it('adds the heap limit when no options are given', () => {
    expect(withAppHeapLimit(undefined)).toBe(`--max-old-space-size=${APP_HEAP_LIMIT_MIB}`);
    expect(withAppHeapLimit('  ')).toBe(`--max-old-space-size=${APP_HEAP_LIMIT_MIB}`);
  });

  it('keeps the options given, adding the limit after them', () => {
    expect(withAppHeapLimit('--enable-source-maps')).toBe(
      `--enable-source-maps --max-old-space-size=${APP_HEAP_LIMIT_MIB}`,
    );
  });

  it('leaves a heap limit given in the options as it is', () => {
    expect(withAppHeapLimit('--max-old-space-size=160')).toBe('--max-old-space-size=160');
  });
});
