/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1, so `files:raed` is one edit away from `files:read`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const width = b.length + 1;
  const rows = new Array<number>((a.length + 1) * width);
  for (let i = 0; i <= a.length; i++) rows[i * width] = i;
  for (let j = 0; j <= b.length; j++) rows[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        rows[(i - 1) * width + j]! + 1,
        rows[i * width + j - 1]! + 1,
        rows[(i - 1) * width + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[(i - 2) * width + j - 2]! + 1);
      }
      rows[i * width + j] = best;
    }
  }
  return rows[a.length * width + b.length]!;
}

/**
 * The candidate nearest to `word` (case-insensitively), or undefined when none is close enough
 * to be a plausible typo: at most a third of the word's length, and at least one edit.
 * Ties go to the candidate listed first.
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` Did you mean "x"?` when a near candidate exists, else `otherwise`. */
export function didYouMean(word: string, candidates: Iterable<string>, otherwise = ''): string {
  const match = nearest(word, candidates);
  return match === undefined ? otherwise : ` Did you mean "${match}"?`;
}
