/**
 * A tiny typed reader over an env map that collects every problem instead of stopping at the first, so one
 * start-up shows the operator everything that is wrong, one line per variable.
 */
export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The raw value, with empty strings treated as unset (a blank line in .env must not count as a value). */
  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  fail(name: string, expected: string): void {
    this.problems.push(`${name} ${expected}`);
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  required(name: string, why: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.fail(name, `is required ${why}`);
      return '';
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, `must be a whole number from ${min} to ${max} (got "${truncate(value)}")`);
      return fallback;
    }
    return Number(value);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.fail(name, `must be true or false (got "${truncate(value)}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${allowed.join(' | ')} (got "${truncate(value)}")`);
      return fallback;
    }
    return value as T;
  }

  url(name: string, opts: { protocols?: string[] } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const protocols = opts.protocols ?? ['http:', 'https:'];
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.fail(name, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')} (got "${redactUrl(value)}")`);
      return undefined;
    }
  }

  list(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** Never echo credentials from a connection string into logs. */
function redactUrl(value: string): string {
  return truncate(value.replace(/\/\/[^@/]*@/, '//***@'));
}
