import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a request body through to the upstream chunk by chunk (never buffered) and stops it past `limit` bytes.
 * Stopping only errors this stream (undici then aborts the upstream request): the client's socket is left alone, so
 * the 413 can still be written to it.
 */
export class ByteLimit extends Transform {
  private seen = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      done(new Error(`request body over ${this.limit} bytes`));
      return;
    }
    done(null, chunk);
  }

  /** The body of `source` through a new ByteLimit; an error of the source (a client that went away) ends it too. */
  static over(source: Readable, limit: number): ByteLimit {
    const limited = new ByteLimit(limit);
    source.on('error', (err) => limited.destroy(err));
    limited.once('error', () => source.unpipe(limited));
    source.pipe(limited);
    return limited;
  }
}
