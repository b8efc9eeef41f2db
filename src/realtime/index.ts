// What the composition root uses of `realtime`: the module and the socket.io adapter main wires in.
export { RealtimeModule } from './realtime.module';
export { RealtimeIoAdapter } from './realtime-io.adapter';
