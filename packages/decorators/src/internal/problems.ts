import { PolicyConfigError } from '@valet/core';

/**
 * Throws every start-up problem at once, in one {@link PolicyConfigError}: the sentence itself
 * when there is one, else a list headed `The <what> have N problems:`. Does nothing without any.
 */
export function throwProblems(problems: ReadonlySet<string>, what: string): void {
  if (problems.size === 1) throw new PolicyConfigError([...problems][0]!);
  if (problems.size > 1) {
    const list = [...problems].map((problem) => `- ${problem}`).join('\n');
    throw new PolicyConfigError(`The ${what} have ${problems.size} problems:\n${list}`);
  }
}
