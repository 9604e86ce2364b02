/**
 * Escaping for untrusted text (event names, payload keys and values, reject reasons) in the HTML
 * and Markdown reports. Payloads are hostile input: nothing from them may become markup or script.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values. Control characters become U+FFFD. */
export function html(s: unknown): string {
  return stripControls(String(s)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Replaces C0/C1 control characters (terminal escapes, NUL) except tab and newline. */
export function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

/**
 * JSON for an inline <script type="application/json"> block: `<`, `>` and `&` are written as \u escapes
 * so no payload text can close the script element ("</script>") or open a comment ("<!--"); U+2028/2029
 * are escaped for old JS parsers. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Cuts to `max` characters (code points), ending with … when cut. */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

/**
 * Untrusted text as inline Markdown: HTML-significant characters become entities (so `<img …>` is shown,
 * never rendered), Markdown syntax characters are backslash-escaped (no emphasis, links, code or table
 * cells can be opened), and line breaks become spaces (a value cannot start a heading or a list).
 */
export function mdText(s: unknown, max = 200): string {
  const one = truncate(stripControls(String(s)).replace(/[\r\n\t\u2028\u2029]+/g, ' '), max);
  return one.replace(/[&<>]/g, (c) => HTML_ESCAPES[c]).replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`);
}

/**
 * A name (key, event name) as a Markdown code span when that is safe to do (no backticks, pipes, HTML
 * characters or control characters: a pipe still splits a table cell inside a code span, and not every
 * renderer escapes `<` in code), else as escaped text.
 */
export function mdCode(s: string, max = 80): string {
  const cut = truncate(s, max);
  // eslint-disable-next-line no-control-regex
  if (/^[^`|<>&\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/.test(cut) && cut.trim() === cut) return `\`${cut}\``;
  return mdText(cut, max);
}

/** A fenced code block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function mdFence(content: string, lang = ''): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${stripControls(content)}\n${fence}`;
}
