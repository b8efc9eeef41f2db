import { Writable } from 'node:stream';

export interface LogLine {
  msg?: string;
  req?: { id?: string; url?: string };
  requestId?: string;
  code?: string;
  reason?: string;
  detail?: string;
}

/**
 * The app's log lines, for `startTestApp(env, { logDestination: logs.stream })` (with LOG_LEVEL at least `info`).
 * Token refusals are asserted through the log line the guard writes: clients see one generic 401, operators the
 * precise reason, and the tests hold that reason exact without a test-only hook in the app.
 */
export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const l of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });

  /** The reason logged for the refused request with this id (the `requestId` of its error body). */
  rejectionReason(requestId: string): string | undefined {
    return this.lines.find((l) => l.msg === 'token rejected' && (l.requestId ?? l.req?.id) === requestId)?.reason;
  }
}
