/**
 * Secrets never appear in output, reports or stored rows. A Scrubber knows the invocation's secrets
 * (keys, tokens, passwords, header values) and replaces every form in which they can leak — plain,
 * URL-encoded, base64 (alone and as HTTP Basic `user:password`) — plus text shaped like a provider
 * key (sk_/rk_/whsec_ keys, bearer tokens) even when nobody registered it.
 */

const MASK = '***';

/** Key-shaped text: Stripe secret/restricted/webhook keys and bearer credentials. */
const KEY_SHAPES: RegExp[] = [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g, /\bwhsec_[A-Za-z0-9]{8,}\b/g, /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi];

export class Scrubber {
  private readonly forms = new Set<string>();

  /** Registers a secret (too-short values are ignored: masking "a" would mangle every text). */
  add(secret: string | undefined, user?: string): this {
    if (!secret || secret.length < 4) return this;
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const forms = [secret, encodeURIComponent(secret), b64(secret), b64(secret).replace(/=+$/, '')];
    if (user !== undefined) forms.push(b64(`${user}:${secret}`), b64(`${user}:${secret}`).replace(/=+$/, ''));
    for (const f of forms) if (f.length >= 4) this.forms.add(f);
    return this;
  }

  scrub(text: string): string {
    let out = text;
    // Longest first, so a form containing another is masked whole.
    for (const f of [...this.forms].sort((a, b) => b.length - a.length)) out = out.split(f).join(MASK);
    for (const re of KEY_SHAPES)
      out = out.replace(re, (_m, scheme?: string) => (typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme) ? `${scheme} ${MASK}` : MASK));
    return out;
  }
}

/** The secrets this process was given (flags and environment), registered by the CLI as it resolves them. */
export const invocationSecrets = new Scrubber();
