/**
 * The report-output flags every reporting command shares (--format / --report-format, --out, --json)
 * and writing a rendered report where they say. The rendering itself is src/report's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { REPORT_FORMATS, renderReport, type AnyReport, type ReportFormat, type TextLayout } from '../report/index.js';
import { choiceFlag, numberFlag } from './flags.js';

/** Parses a --format value (case-insensitive; 'markdown' and 'terminal' accepted as aliases). */
export function parseReportFormat(value: string | undefined, fallback: ReportFormat = 'text'): ReportFormat {
  return choiceFlag('the report format', value, REPORT_FORMATS, { ignoreCase: true, aliases: { markdown: 'md', terminal: 'text', txt: 'text' } }) ?? fallback;
}

/** Narrowest layout the text reports are made for. */
const MIN_WIDTH = 60;
/** A pipe or a file gets this width: output that scripts read does not change with the terminal. */
const PIPED_WIDTH = 80;

export interface WidthFlags {
  width?: string;
}

/** Adds --width to a command that prints terminal text. */
export function addWidthOption(cmd: Command): Command {
  return cmd.option('--width <columns>', `lay text out for this many columns (default: $COLUMNS, else the terminal's width, else ${PIPED_WIDTH})`);
}

const widthFlag = (flags: WidthFlags) => numberFlag('--width', flags.width, { integer: true, min: MIN_WIDTH, max: 1000 });

/**
 * The width terminal text is laid out for: --width, else $COLUMNS (as ls and most tools read it),
 * else the terminal's width, else 80 (a pipe or a file, so scripts see the same layout every time).
 */
export function textLayout(flags: WidthFlags, out: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): TextLayout {
  const given = widthFlag(flags);
  if (given !== undefined) return { width: given };
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return { width: Math.max(MIN_WIDTH, columns) };
  if (out.isTTY && out.columns) return { width: Math.max(MIN_WIDTH, out.columns) };
  return { width: PIPED_WIDTH };
}

export interface ReportOutputFlags extends WidthFlags {
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
    .option('--out <file>', `write ${what} to this file instead of stdout (.html, .md, .json pick the format)`)
    .option(
      '--width <columns>',
      `lay the text report out for this many columns (default: $COLUMNS, else the terminal's width, else ${PIPED_WIDTH}; ${PIPED_WIDTH} in an --out file)`,
    );
}

/** The format asked for: --json, else --format, else the --out file's extension, else text. */
export function chooseFormat(flags: ReportOutputFlags): ReportFormat {
  widthFlag(flags); // a bad --width fails as early as a bad format
  return formatFrom(flags, parseReportFormat, EXTENSION_FORMATS);
}

/**
 * The output format of any command that writes documents: --json, else --format (checked by `parse`),
 * else the --out file's extension, else text.
 */
export function formatFrom<F extends string>(
  flags: { json?: boolean; format?: string; out?: string },
  parse: (v: string) => F,
  byExtension: Record<string, F>,
): F | 'text' {
  if (flags.json) {
    if (flags.format !== undefined && parse(flags.format) !== 'json') {
      throw new UserError(`--json asks for JSON but the report format asked for is "${flags.format}"; use one of them`);
    }
    return 'json' as F;
  }
  if (flags.format !== undefined) return parse(flags.format);
  if (flags.out) return byExtension[path.extname(flags.out).toLowerCase()] ?? 'text';
  return 'text';
}

/** Renders a report as the flags ask and writes it to --out or stdout. */
export async function emitReport(model: AnyReport, flags: ReportOutputFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  const format = chooseFormat(flags);
  // A file is read later, anywhere: laid out like a pipe unless --width says otherwise.
  const text = await renderReport(model, format, flags.out ? textLayout(flags, {}, {}) : textLayout(flags, stdout as NodeJS.WriteStream));
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
