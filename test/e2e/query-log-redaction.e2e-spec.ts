import { Controller, Get, Module } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Public } from '../../src/common/decorators/public.decorator';
import { startTestApp, TestApp } from '../support/app';

const EMAIL = `secret.person.${Date.now()}@example.com`;
const NAME = 'Ada Secretname';
const LITERAL = 'not-a-uuid-but-a-secret';

/** Routes that make real failing queries, as a bug or a race in a service would. */
@Controller('probe')
class FailingQueryController {
  constructor(private readonly db: DataSource) {}

  private insert(subject: string): Promise<unknown> {
    return this.db.query(`INSERT INTO auth.users (issuer, subject, auth_provider, email, full_name) VALUES ('probe', $1, 'local', $2, $3)`, [subject, EMAIL, NAME]);
  }

  /** A unique violation (users_email_key), the race two registrations can run into. */
  @Public() @Get('duplicate') async duplicate(): Promise<void> {
    await this.insert(`first-${Date.now()}`);
    await this.insert(`second-${Date.now()}`);
  }

  /** Postgres quotes the bad literal in its own message. */
  @Public() @Get('literal') async literal(): Promise<void> {
    await this.db.query(`SELECT * FROM auth.users WHERE id = $1`, [LITERAL]);
  }

  /** A failed query wrapped as the cause of one of ours: the cause's text must not ride along. */
  @Public() @Get('wrapped') async wrapped(): Promise<void> {
    try {
      await this.db.query(`SELECT * FROM auth.users WHERE id = $1`, [LITERAL]);
    } catch (cause) {
      throw new Error('provisioning failed', { cause });
    }
  }
}

@Module({ controllers: [FailingQueryController] })
class FailingQueryModule {}

describe('a failed query is logged without its SQL, parameters or literal values (issue #9 item 14)', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestApp({ LOG_LEVEL: 'error' }, { extra: [FailingQueryModule], logDestination: capture });
  });
  afterAll(() => t.close());

  const failureLine = async (path: string): Promise<string> => {
    lines.splice(0);
    const res = await fetch(`${t.url}/api/v1/probe/${path}`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain(EMAIL);
    const line = lines.find((l) => l.includes('"request failed"'));
    expect(line).toBeDefined();
    return line!;
  };

  it('a unique violation keeps the SQLSTATE and the constraint, drops the SQL and every parameter', async () => {
    const line = await failureLine('duplicate');
    const logged = JSON.parse(line) as { err: Record<string, unknown> };
    expect(logged.err).toMatchObject({ type: 'QueryFailedError', code: '23505', constraint: 'users_email_key' });
    for (const secret of [EMAIL, NAME, 'INSERT INTO', 'second-', 'Key (email)']) expect([secret, line.includes(secret)]).toEqual([secret, false]);
  });

  it('a literal quoted in the database message is redacted', async () => {
    const line = await failureLine('literal');
    expect(JSON.parse(line)).toMatchObject({ err: { code: '22P02' } });
    expect(line).not.toContain(LITERAL);
    expect(line).not.toContain('SELECT');
  });

  it('a failed query as the cause of another error is redacted too', async () => {
    const line = await failureLine('wrapped');
    expect(line).toContain('provisioning failed');
    expect(line).toContain('22P02');
    expect(line).not.toContain(LITERAL);
    expect(line).not.toContain('SELECT');
  });
});
