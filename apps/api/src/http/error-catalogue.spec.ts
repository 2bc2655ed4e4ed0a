import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainErrorCode } from '../../../../libs/domain/src/errors';
import { ERROR_CATALOGUE, STATUS_TITLES } from './error-catalogue';

const README = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');

/** The rows of the README's error table: status, code and when. */
function readmeErrorRows(): [number, string, string][] {
  const section = README.slice(README.indexOf('### Errors'));
  const table = section.slice(section.indexOf('| status | code'));
  return [
    ...table
      .slice(0, table.indexOf('\n\n'))
      .matchAll(/^\| (\d{3}) +\| `([A-Z_]+)` +\| (.*?) +\|$/gm),
  ].map((row) => [Number(row[1]), row[2]!, row[3]!]);
}

describe('The error catalogue', () => {
  it('gives every domain code a status', () => {
    for (const code of Object.values(DomainErrorCode)) expect(ERROR_CATALOGUE).toHaveProperty(code);
  });

  it('has a title for every status it answers with', () => {
    for (const { status } of Object.values(ERROR_CATALOGUE))
      expect(STATUS_TITLES[status]).toEqual(expect.any(String));
  });

  it('is the README’s error table, row for row', () => {
    expect(readmeErrorRows()).toEqual(
      Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [entry.status, code, entry.when]),
    );
  });
});
