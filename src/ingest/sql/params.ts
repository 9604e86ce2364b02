/** Collects query parameters so untrusted strings never enter SQL text. */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  /** Returns a placeholder like {p3:String} bound to `value`. */
  add(value: unknown, type = 'String'): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}
