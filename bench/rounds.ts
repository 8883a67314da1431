import { Measurement } from './load';

/** One side of a comparison: the API or a baseline, measured afresh each round. */
export interface Side {
  name: string;
  measure: () => Promise<Measurement>;
}

/** Every round of one side, summarised. */
export interface Summary {
  name: string;
  rounds: Measurement[];
  /** Median rate over the rounds; the ratio is taken between these. */
  rate: number;
  min: number;
  max: number;
  /** Medians of the rounds' latency percentiles. */
  p50: number;
  p99: number;
  /** Responses by status over all rounds. */
  statuses: Record<string, number>;
}

/**
 * Measures the sides in `rounds` interleaved rounds, starting each round one side further on
 * (A B C, B C A, C A B, …), so that a burst of machine noise lands on every side alike and no
 * side always runs first or right after another. Each measurement is printed (on stderr) as it ends.
 */
export async function interleave(sides: Side[], rounds: number): Promise<Summary[]> {
  const measured = sides.map(() => [] as Measurement[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (round + k) % sides.length;
      const measurement = await sides[i].measure();
      measured[i].push(measurement);
      console.error(
        `  round ${round + 1}/${rounds} ${sides[i].name}: ${Math.round(measurement.rate)}/s, p99 ${measurement.p99} ms`,
      );
    }
  }
  return sides.map((side, i) => summarise(side.name, measured[i]));
}

/** The median rate of `rounds` (and its spread), their latencies and statuses. */
export function summarise(name: string, rounds: Measurement[]): Summary {
  const rates = rounds.map((m) => m.rate);
  const statuses: Record<string, number> = {};
  for (const round of rounds) {
    for (const [status, count] of Object.entries(round.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    name,
    rounds,
    rate: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    p50: median(rounds.map((m) => m.p50)),
    p99: median(rounds.map((m) => m.p99)),
    statuses,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
