/**
 * The report model: plain data, the one thing every renderer (terminal, JSON, Markdown, HTML) reads.
 * `--json` prints it as is; its fields are documented in the README ("JSON report").
 */
export interface SourceSummary {
  source: string;
  format: string;
  lines: number;
  events: number;
  rejects: number;
  seconds: number;
}

export interface RejectExample {
  source: string;
  line: number;
  reason: string;
  raw: string;
}

export interface ProfileReport {
  schemaVersion: 1;
  runId: string;
  command: string;
  generatedAt: string;
  store: string;
  sources: SourceSummary[];
  events: {
    total: number;
    rejected: number;
    first: string | null;
    last: string | null;
  };
  rejects: {
    total: number;
    byReason: { reason: string; count: number }[];
    examples: RejectExample[];
  };
  /** Filled by the profile computations (rates, properties, candidates, identity, time, fit). */
  [section: string]: unknown;
}
