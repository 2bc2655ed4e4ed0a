import type { RecordedCall } from '../../tools/dev/bot-api-double';
import { sustainedRate } from './deliver-at-limit';

const arrivals = (times: number[]): RecordedCall[] =>
  times.map((receivedAt) => ({
    method: 'sendMessage',
    token: 't',
    status: 200,
    receivedAt,
    answeredAt: receivedAt,
  }));

describe('sustainedRate', () => {
  it('measures an even pace exactly', () => {
    const times = Array.from({ length: 300 }, (_, n) => n * 40); // 25 a second
    expect(sustainedRate(arrivals(times))).toBeCloseTo(25, 6);
  });

  it('does not flatter bursts of 30: 30 every 1.2 s is 25 a second', () => {
    const times = Array.from({ length: 300 }, (_, n) => Math.floor(n / 30) * 1200 + (n % 30));
    expect(sustainedRate(arrivals(times))).toBeCloseTo(25, 0);
  });
});
