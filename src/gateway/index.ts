// What the composition root uses of `gateway`: the module, and its part of the HTTP platform (app.setup.ts).
// upstream-verify.ts is also meant to be copied by upstreams as it is.
export { GatewayModule } from './gateway.module';
export { installGateway } from './gateway-http';
export { verifyGatehouseSignature, signGatehouseRequest, SIGNATURE_HEADER, type GatehouseVerification } from './upstream-verify';
