/**
 * An input that gave no events is almost always a mistake (wrong file, wrong format, a broken
 * export), so a run that read nothing from one of its inputs says so and ends with its own exit code,
 * after the run, its rejects and the report are stored and printed as usual.
 */
/** What a load says of one input (a SourceLoad, or the report's source summary). */
interface InputCount {
  source: string;
  events: number;
  rejects: number;
}

/** Exit code of a run in which some input gave no events (documented in README and --help). */
export const EXIT_NO_EVENTS = 3;

export const EXIT_CODES_HELP = `
Exit codes: 0 done; 1 internal error; 2 bad usage or unreadable input; ${EXIT_NO_EVENTS} an input gave no events
(empty, or every record rejected; the run and its rejects are still stored and the report printed);
130 interrupted; 141 stdout closed early (| head).`;

/** One sentence naming the inputs without events and why, or undefined when every input gave some. */
export function noEventsWarning(loads: InputCount[]): string | undefined {
  const empty = loads.filter((l) => l.events === 0);
  if (empty.length === 0) return undefined;
  const what = empty.map((l) => {
    const name = l.source === '-' ? 'stdin' : l.source;
    return l.rejects === 0 ? `${name} (no records)` : `${name} (all ${l.rejects} ${l.rejects === 1 ? 'record' : 'records'} rejected)`;
  });
  const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}`;
  return `warning: no events read from ${list}; the run and its rejects are stored (exit code ${EXIT_NO_EVENTS})`;
}
