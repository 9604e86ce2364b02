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
import { renderTerminal } from './terminal.js';
import { renderTailTerminal } from './tail-terminal.js';
import { renderReplayTerminal } from './replay-terminal.js';
import { renderMarkdown, renderReplayMarkdown } from './markdown.js';
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

// The HTML renderers load Vega for their charts: imported only when HTML is asked for.
const profileHtml = async (m: ProfileReport | TailReport) => (await import('./html.js')).renderHtml(m);
const replayHtml = async (m: ReplayReport) => (await import('./html/replay.js')).renderReplayHtml(m);

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
