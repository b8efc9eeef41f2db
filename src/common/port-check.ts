import { createServer } from 'node:net';

/**
 * Whether something already listens on `port` at `host` (the address the server will take). Asked before the embedded
 * database starts and migrations run, so a taken port costs one line instead of a full start-up and a stack trace.
 * Another process may still take the port in between: listen() reports that later, as before.
 */
export function portInUse(port: number, host = '0.0.0.0'): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}
