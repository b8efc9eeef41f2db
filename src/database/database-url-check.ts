import { Client } from 'pg';

/** DATABASE_URL as it may be printed: the password replaced by ***. */
export function maskedDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable)';
  }
}

/** Node's and Postgres's codes for a URL that cannot work, in an operator's words (Postgres's own text otherwise). */
function causeOf(err: NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number }, url: URL): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${url.hostname}:${url.port || 5432} (no Postgres listening there)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host ${url.hostname}`;
    case 'ETIMEDOUT':
      return `no answer from ${url.hostname}:${url.port || 5432}`;
    default:
      return err.code ? `${err.message} (${err.code})` : err.message;
  }
}

/**
 * Connects once with DATABASE_URL before anything else starts. Returns the one line that says why it cannot be used
 * (refused, unknown host, login refused, no such database), or undefined when it answers.
 */
export async function databaseUrlProblem(url: string, timeoutMs = 5_000): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `DATABASE_URL (${maskedDatabaseUrl(url)}) cannot be used: ${causeOf(err as NodeJS.ErrnoException, new URL(url))}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
