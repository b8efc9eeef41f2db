import { Agent, type Dispatcher } from 'undici';

/**
 * Carries a request's AbortSignal from the proxy to undici. @fastify/reply-from builds undici's request options itself
 * and passes no signal; the one thing it copies through unchanged is the headers object (Object.assign copies symbol
 * keys too), so the signal rides there under a symbol and is taken out again before undici sees the headers.
 */
export const ABORT_SIGNAL: unique symbol = Symbol('gatehouse.gateway.abort');

type RequestCallback = (err: Error | null, data: Dispatcher.ResponseData) => void;
type HeadersWithSignal = Record<string, string | string[] | undefined> & { [ABORT_SIGNAL]?: AbortSignal };

/**
 * The undici Agent the gateway forwards through (keep-alive pools per upstream origin). Its `request` takes the signal
 * out of the headers, so a client that goes away aborts the upstream request even before the upstream has answered.
 */
export function gatewayAgent(options: Agent.Options = {}): Agent {
  const agent = new Agent(options);
  const request = agent.request.bind(agent) as (opts: Dispatcher.RequestOptions, callback: RequestCallback) => void;
  Object.defineProperty(agent, 'request', {
    value(opts: Dispatcher.RequestOptions, callback: RequestCallback): void {
      const { [ABORT_SIGNAL]: signal, ...headers } = (opts.headers ?? {}) as HeadersWithSignal;
      request({ ...opts, headers, signal }, callback);
    },
  });
  return agent;
}
