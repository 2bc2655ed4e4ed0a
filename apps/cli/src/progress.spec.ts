import { formatProgress } from './progress';

describe('formatProgress', () => {
  it('shows the share done, the rate and the time left', () => {
    expect(formatProgress({ events: 10_000, total: 40_000, elapsedMs: 500 })).toBe(
      '[########----------------------]   25%  10,000/40,000 events  20,000 ev/s  1.5 s left',
    );
  });

  it('stays whole when more events arrived than were counted at the start', () => {
    expect(formatProgress({ events: 12, total: 10, elapsedMs: 0 })).toBe(
      '[##############################]  100%  12/10 events  0 ev/s  0.0 s left',
    );
  });
});
