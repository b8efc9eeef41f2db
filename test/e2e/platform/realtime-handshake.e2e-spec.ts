import { Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { io, Socket } from 'socket.io-client';
import { startTestApp, TestApp } from '../../support/app';

/** A trivial gateway: the realtime module has none yet; this proves one can attach to the HTTP server. */
@WebSocketGateway()
class EchoGateway {
  @SubscribeMessage('ping') ping(): string {
    return 'pong';
  }
}

@Module({ providers: [EchoGateway] })
class EchoGatewayModule {}

describe('socket.io is served by the same server as the HTTP API (issue #10)', () => {
  let t: TestApp;
  let socket: Socket | undefined;
  beforeAll(async () => {
    t = await startTestApp({}, { extra: [EchoGatewayModule] });
  });
  afterAll(async () => {
    socket?.disconnect();
    await t.close();
  });

  it('a socket.io client completes the handshake and gets an answer, on the HTTP port', async () => {
    socket = io(t.url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    expect(socket.connected).toBe(true);
    expect(await socket.timeout(5000).emitWithAck('ping', {})).toBe('pong');
  });

  it('the polling transport (the handshake a browser starts with) works too, and HTTP still answers', async () => {
    const res = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^0\{"sid":/);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});
