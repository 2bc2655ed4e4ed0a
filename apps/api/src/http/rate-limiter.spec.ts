import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('lets a burst of perMinute through, then asks to wait until a token is back', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let n = 0; n < 60; n++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    now += 500;
    expect(limiter.take('a')).toBe(1);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
  });

  it('keeps a bucket per key, and a limit of 0 lets everything through', () => {
    const limiter = new RateLimiter(2, () => 0);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 30]);
    expect(limiter.take('b')).toBe(0);
    const unlimited = new RateLimiter(0, () => 0);
    for (let n = 0; n < 1000; n++) expect(unlimited.take('a')).toBe(0);
  });
});
