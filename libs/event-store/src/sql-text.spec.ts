import { multiStatementText, sqlLiteral } from './sql-text';

describe('sqlLiteral', () => {
  it('quotes strings so that Postgres reads them back as they were', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('{"a":"\\"x\\""}')).toBe(` E'{"a":"\\\\"x\\\\""}'`);
    expect(sqlLiteral(new Date('2027-01-04T09:00:00.000Z'))).toBe("'2027-01-04T09:00:00.000Z'");
  });

  it('writes numbers, booleans and null as they are, and refuses what it cannot write', () => {
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-1.5)).toBe('-1.5');
    expect(sqlLiteral(true)).toBe('true');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(() => sqlLiteral({ a: 1 })).toThrow();
  });
});

describe('multiStatementText', () => {
  it('joins the statements, each placeholder taking its own statement’s next value', () => {
    expect(
      multiStatementText([
        { sql: 'SELECT ?::int, ?', params: [1, 'a?b'] },
        { sql: 'SELECT ?::jsonb', params: ['{"q":"?"}'] },
      ]),
    ).toBe(`SELECT 1::int, 'a?b';\nSELECT '{"q":"?"}'::jsonb`);
  });

  it('refuses a statement whose values and placeholders do not match', () => {
    expect(() => multiStatementText([{ sql: 'SELECT ?', params: [] }])).toThrow();
    expect(() => multiStatementText([{ sql: 'SELECT 1', params: [1] }])).toThrow();
  });
});
