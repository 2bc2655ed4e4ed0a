import { bestOffset, type ClockSample } from './database-clock';

describe("the database clock's offset", () => {
  const now = 1_000_000;
  const sample = (offsetMs: number, roundTripMs: number, agoMs = 0): ClockSample => ({
    offsetMs,
    roundTripMs,
    takenAt: now - agoMs,
  });

  it('is read from the sample with the shortest round trip, on its late side', () => {
    expect(bestOffset([sample(25, 50), sample(3, 1), sample(-10, 20)], now)).toBe(2.5);
  });

  it('forgets samples older than two minutes (clocks drift)', () => {
    expect(bestOffset([sample(3, 0, 121_000), sample(7, 4, 1_000)], now)).toBe(5);
    expect(bestOffset([sample(3, 0, 121_000)], now)).toBeUndefined();
  });

  it('is unknown before any sample', () => {
    expect(bestOffset([], now)).toBeUndefined();
  });
});
