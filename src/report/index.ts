/**
 * One entry point for every report format: `renderReport(model, format)` picks the renderer for the
 * model's kind (profile or tail report, or replay run) and the format (text | json | md | html).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ProfileReport } from '../profile/model.js';
import { REPORT_SCHEMA_VERSION } from '../profile/model.js';
import type { ReplayReport } from '../replay/model.js';
import type { TailSummary } from '../tail/model.js';
import { renderTailSummary } from '../tail/summary.js';
import { UserError } from '../errors.js';
import { renderTerminal } from './terminal.js';
import { renderReplayTerminal } from './replay-terminal.js';
import { renderMarkdown, renderReplayMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
import { renderReplayHtml } from './html/replay.js';

export const REPORT_FORMATS = ['text', 'json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type AnyReport = ProfileReport | (ProfileReport & { tail: TailSummary }) | ReplayReport;

export function isReplayReport(m: unknown): m is ReplayReport {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'replay';
}

/** Parses a --format value (case-insensitive; 'markdown' and 'terminal' accepted as aliases). */
export function parseReportFormat(value: string | undefined, fallback: ReportFormat = 'text'): ReportFormat {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  const alias: Record<string, ReportFormat> = { markdown: 'md', terminal: 'text', txt: 'text' };
  const f = (alias[v] ?? v) as ReportFormat;
  if (!REPORT_FORMATS.includes(f)) throw new UserError(`the report format must be one of ${REPORT_FORMATS.join(', ')}, got "${value}"`);
  return f;
}

function assertProfile(m: ProfileReport): void {
  // Reports stored before the model was complete lack the sections the renderers read.
  if (m.schemaVersion !== REPORT_SCHEMA_VERSION || !m.rate || !m.fit) {
    throw new UserError(`run ${m.runId ?? '?'} was stored by an older meterscope; use --format json or profile the input again`);
  }
}

/** Renders a report model; the result ends with a newline. */
export async function renderReport(model: AnyReport, format: ReportFormat): Promise<string> {
  if (format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
  if (isReplayReport(model)) {
    if (format === 'text') return renderReplayTerminal(model);
    if (format === 'md') return renderReplayMarkdown(model);
    return renderReplayHtml(model);
  }
  assertProfile(model);
  const tail = (model as ProfileReport & { tail?: TailSummary }).tail;
  if (format === 'text') return renderTerminal(model) + (tail ? renderTailSummary(model as ProfileReport & { tail: TailSummary }) : '');
  if (format === 'md') return renderMarkdown(model);
  return renderHtml(model);
}

// ---- command-line output ---------------------------------------------------------------------------

export interface ReportOutputFlags {
  /** The output format as given (--format on `report`, --report-format on profile and tail). */
  format?: string;
  out?: string;
  /** `--json` where a command has it as the older spelling of `--format json`. */
  json?: boolean;
}

const EXTENSION_FORMATS: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.markdown': 'md', '.json': 'json', '.txt': 'text' };

/**
 * Adds the output-format flag and --out to a command. `report` calls it --format; profile and tail,
 * whose --format names the INPUT format, call it --report-format. A command's own --json stays an
 * alias of json output.
 */
export function addReportOutputOptions(cmd: Command, opts: { flag?: '--format' | '--report-format'; what?: string } = {}): Command {
  const what = opts.what ?? 'the report';
  return cmd
    .option(
      `${opts.flag ?? '--format'} <format>`,
      `print ${what} as text, json, md (Markdown: migration questionnaire answers, billable-metric drafts) or html (self-contained page with charts); default text, or from the --out file's extension`,
    )
    .option('--out <file>', `write ${what} to this file instead of stdout (.html, .md, .json pick the format)`);
}

/** The format asked for: --json, else --format, else the --out file's extension, else text. */
export function chooseFormat(flags: ReportOutputFlags): ReportFormat {
  if (flags.json) {
    if (flags.format !== undefined && parseReportFormat(flags.format) !== 'json') {
      throw new UserError(`--json asks for JSON but the report format asked for is "${flags.format}"; use one of them`);
    }
    return 'json';
  }
  if (flags.format !== undefined) return parseReportFormat(flags.format);
  if (flags.out) return EXTENSION_FORMATS[path.extname(flags.out).toLowerCase()] ?? 'text';
  return 'text';
}

/** Renders a report as the flags ask and writes it to --out or stdout. */
export async function emitReport(model: AnyReport, flags: ReportOutputFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  const format = chooseFormat(flags);
  const text = await renderReport(model, format);
  if (!flags.out) {
    stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(flags.out, text);
  } catch (err) {
    throw new UserError(`--out: cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  process.stderr.write(`meterscope: ${format} report written to ${flags.out}\n`);
}
