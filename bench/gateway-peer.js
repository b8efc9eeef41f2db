/* eslint-disable */
// The gateway bench's peer (issue #17): what a Node team would write for the same job. Express 5, a middleware that
// verifies the bearer token with aws-jwt-verify (RS256 against the issuer's JWKS, token_use=access and client_id as
// Gatehouse checks them), then http-proxy-middleware to the upstream with the user id in X-User-Id. Bodies stream
// (http-proxy pipes them). Dev-only: started by bench/gateway.js with PEER_PORT, PEER_ISSUER, PEER_CLIENT, PEER_UPSTREAM.
'use strict';
const express = require('express');
const { createProxyMiddleware } = require('http-proxy-middleware');
const { JwtRsaVerifier } = require('aws-jwt-verify');

const issuer = process.env.PEER_ISSUER;
const client = process.env.PEER_CLIENT;
const verifier = JwtRsaVerifier.create({
  issuer,
  jwksUri: `${issuer}/.well-known/jwks.json`,
  audience: null,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== 'access') throw new Error('not an access token');
    if (payload.client_id !== client) throw new Error('client_id mismatch');
  },
});

const app = express();
app.disable('x-powered-by');
app.use('/api/v1/gw/svc', (req, res, next) => {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return res.status(401).json({ error: 'unauthorized' });
  verifier.verify(header.slice(7)).then(
    (payload) => {
      req.userId = payload.sub;
      next();
    },
    () => res.status(401).json({ error: 'unauthorized' }),
  );
});
app.use(
  '/api/v1/gw/svc',
  createProxyMiddleware({
    target: process.env.PEER_UPSTREAM,
    changeOrigin: true,
    xfwd: true,
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.removeHeader('authorization');
        proxyReq.setHeader('x-user-id', req.userId);
      },
    },
  }),
);

(async () => {
  // aws-jwt-verify's fetcher speaks https only; the loopback issuer is http, so its JWKS is handed to the cache once.
  verifier.cacheJwks(await (await fetch(`${issuer}/.well-known/jwks.json`)).json());
  app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
