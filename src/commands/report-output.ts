/**
 * The report-output flags every reporting command shares (--format / --report-format, --out, --json)
 * and writing a rendered report where they say. The rendering itself is src/report's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { REPORT_FORMATS, renderReport, type AnyReport, type ReportFormat } from '../report/index.js';
import { choiceFlag } from './flags.js';

/** Parses a --format value (case-insensitive; 'markdown' and 'terminal' accepted as aliases). */
export function parseReportFormat(value: string | undefined, fallback: ReportFormat = 'text'): ReportFormat {
  return choiceFlag('the report format', value, REPORT_FORMATS, { ignoreCase: true, aliases: { markdown: 'md', terminal: 'text', txt: 'text' } }) ?? fallback;
}

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
