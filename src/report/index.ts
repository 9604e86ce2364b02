/**
 * One entry point for every report format: `renderReport(model, format)` looks the renderer up by the
 * model's kind (profile, tail or replay) and the format (text | json | md | html).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ProfileReport } from '../profile/model.js';
import { REPORT_SCHEMA_VERSION } from '../profile/model.js';
import { upgradeReplayReport, type ReplayReport, type StoredReplayReport } from '../replay/model.js';
import type { TailReport } from '../tail/session.js';
import { UserError } from '../errors.js';
import { choiceFlag } from '../commands/flags.js';
import { renderTerminal } from './terminal.js';
import { renderTailTerminal } from './tail-terminal.js';
import { renderReplayTerminal } from './replay-terminal.js';
import { renderMarkdown, renderReplayMarkdown } from './markdown.js';

const REPORT_FORMATS = ['text', 'json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type ReportKind = 'profile' | 'tail' | 'replay';
interface KindModel {
  profile: ProfileReport;
  tail: TailReport;
  replay: ReplayReport;
}
export type AnyReport = KindModel[ReportKind];
/** A model as stored: replay models stored before version 2 have snake_case keys. */
export type StoredReport = ProfileReport | TailReport | StoredReplayReport;

/** A stored model in the shape the renderers read (old replay models upgraded). */
export function upgradeStoredReport(stored: StoredReport): AnyReport {
  return 'kind' in stored ? upgradeReplayReport(stored) : stored;
}

/** Parses a --format value (case-insensitive; 'markdown' and 'terminal' accepted as aliases). */
export function parseReportFormat(value: string | undefined, fallback: ReportFormat = 'text'): ReportFormat {
  return choiceFlag('the report format', value, REPORT_FORMATS, { ignoreCase: true, aliases: { markdown: 'md', terminal: 'text', txt: 'text' } }) ?? fallback;
}

type Renderer<M> = (model: M) => string | Promise<string>;

const json = (model: AnyReport) => `${JSON.stringify(model, null, 2)}\n`;

/** Profile and tail models stored before the model was complete lack the sections the renderers read. */
const checked =
  <M extends ProfileReport>(render: Renderer<M>): Renderer<M> =>
  (m) => {
    if (m.schemaVersion !== REPORT_SCHEMA_VERSION || !m.rate || !m.fit) {
      throw new UserError(`run ${m.runId ?? '?'} was stored by an older meterscope; use --format json or profile the input again`);
    }
    return render(m);
  };

// The HTML renderers load Vega for their charts: imported only when HTML is asked for.
const profileHtml = async (m: ProfileReport | TailReport) => (await import('./html.js')).renderHtml(m);
const replayHtml = async (m: ReplayReport) => (await import('./html/replay.js')).renderReplayHtml(m);

const RENDERERS: { [K in ReportKind]: Record<ReportFormat, Renderer<KindModel[K]>> } = {
  profile: { text: checked(renderTerminal), json, md: checked(renderMarkdown), html: checked(profileHtml) },
  tail: { text: checked(renderTailTerminal), json, md: checked(renderMarkdown), html: checked(profileHtml) },
  replay: { text: renderReplayTerminal, json, md: renderReplayMarkdown, html: replayHtml },
};

/** Renders a report model; the result ends with a newline. */
export async function renderReport(model: AnyReport, format: ReportFormat): Promise<string> {
  if ('kind' in model) return RENDERERS.replay[format](model);
  if ('tail' in model) return RENDERERS.tail[format](model);
  return RENDERERS.profile[format](model);
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
