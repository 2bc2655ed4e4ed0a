import { sameValue } from './same-value';

describe('sameValue', () => {
  it('is the same whatever the order of keys, at any depth', () => {
    expect(
      sameValue({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    ).toBe(true);
  });

  it('tells values, array orders and nulls apart', () => {
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: null }, {})).toBe(false);
    expect(sameValue(null, null)).toBe(true);
  });
});
