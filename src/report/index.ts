/**
 * One entry point for every report format: `renderReport(model, format, layout)` looks the renderer up
 * by the model's kind (profile, tail or replay) and the format (text | json | md | html); text is laid
 * out for `layout.width` columns (the caller decides it: renderers never look at the terminal).
 */
import type { ProfileReport } from '../profile/model.js';
import { REPORT_SCHEMA_VERSION } from '../profile/model.js';
import type { ReplayReport, StoredReplayReport } from '../replay/model.js';
import type { TailReport } from '../tail/model.js';
import { UserError } from '../errors.js';
import { meteringAnswers } from './answers.js';
import { DEFAULT_WIDTH, type TextLayout } from './terminal-parts.js';

export type { TextLayout } from './terminal-parts.js';

export const REPORT_FORMATS = ['text', 'json', 'md', 'html'] as const;
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

type Renderer<M> = (model: M, layout: TextLayout) => string | Promise<string>;

const json = (model: AnyReport) => `${JSON.stringify(model, null, 2)}\n`;
/** Profile and tail models: the questionnaire answers (derived from the model) ride along, after the model's own fields. */
const profileJson = (model: ProfileReport) =>
  model.schemaVersion === REPORT_SCHEMA_VERSION && model.rate && model.fit ? json({ ...model, answers: meteringAnswers(model) } as AnyReport) : json(model);

/** Profile and tail models stored before the model was complete lack the sections the renderers read. */
const checked =
  <M extends ProfileReport>(render: Renderer<M>): Renderer<M> =>
  (m, layout) => {
    if (m.schemaVersion !== REPORT_SCHEMA_VERSION || !m.rate || !m.fit) {
      throw new UserError(`run ${m.runId ?? '?'} was stored by an older meterscope; use --format json or profile the input again`);
    }
    return render(m, layout);
  };

// Each renderer is imported when its format is asked for: HTML loads Vega for its charts, and a
// --json run (a small file end to end) skips the text and markdown modules as well.
const profileHtml = async (m: ProfileReport | TailReport) => (await import('./html.js')).renderHtml(m);
const replayHtml = async (m: ReplayReport) => (await import('./html/replay.js')).renderReplayHtml(m);
const renderTerminal = async (m: ProfileReport, l: TextLayout) => (await import('./terminal.js')).renderTerminal(m, l);
const renderTailTerminal = async (m: TailReport, l: TextLayout) => (await import('./tail-terminal.js')).renderTailTerminal(m, l);
const renderReplayTerminal = async (m: ReplayReport, l: TextLayout) => (await import('./replay-terminal.js')).renderReplayTerminal(m, l);
const renderMarkdown = async (m: ProfileReport | TailReport) => (await import('./markdown.js')).renderMarkdown(m);
const renderReplayMarkdown = async (m: ReplayReport) => (await import('./markdown.js')).renderReplayMarkdown(m);

const RENDERERS: { [K in ReportKind]: Record<ReportFormat, Renderer<KindModel[K]>> } = {
  profile: { text: checked(renderTerminal), json: profileJson, md: checked(renderMarkdown), html: checked(profileHtml) },
  tail: { text: checked(renderTailTerminal), json: profileJson, md: checked(renderMarkdown), html: checked(profileHtml) },
  replay: { text: renderReplayTerminal, json, md: renderReplayMarkdown, html: replayHtml },
};

/** Renders a report model; the result ends with a newline. */
export async function renderReport(model: AnyReport, format: ReportFormat, layout: TextLayout = { width: DEFAULT_WIDTH }): Promise<string> {
  if ('kind' in model) return RENDERERS.replay[format](model, layout);
  if ('tail' in model) return RENDERERS.tail[format](model, layout);
  return RENDERERS.profile[format](model, layout);
}
