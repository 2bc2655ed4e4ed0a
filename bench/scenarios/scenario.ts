/** One line of the benchmark table. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly figure: string;
  readonly target: string;
  readonly met: boolean;
  /** The measurements behind the figure, printed under the table. */
  readonly details: readonly string[];
}

export const log = (line: string): void => {
  process.stderr.write(`  ${line}\n`);
};
