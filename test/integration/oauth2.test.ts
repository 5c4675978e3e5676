// OAuth 2.0 client credentials against a real token endpoint on loopback: the token is fetched
// once with the client's credentials, reused, fetched again after a 401, and neither the client
// secret nor an access token shows up in the results.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failing, runSpecFile, withServer } from './helpers.ts';

interface TokenServer {
  url: string;
  requests: Array<{ authorization: string | undefined; body: string }>;
  close: () => Promise<void>;
}

async function startTokenServer(tokens: string[], status = 200): Promise<TokenServer> {
  const requests: TokenServer['requests'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request
      .setEncoding('utf8')
      .on('data', (c: string) => (body += c))
      .on('end', () => {
        requests.push({ authorization: request.headers.authorization, body });
        const token = tokens[Math.min(requests.length - 1, tokens.length - 1)]!;
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(
            status === 200
              ? JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 })
              : JSON.stringify({ error: 'invalid_client', error_description: `bad client ${body}` }),
          );
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/oauth2/token`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const SECRET = 'client-secret-7f3a9c';

describe('oauth2 client credentials', () => {
  it('fetches a token once with the client credentials and uses it for every request', async () => {
    await withServer([], async (server) => {
      const tokens = await startTokenServer([server.token]);
      try {
        const result = await runSpecFile(
          'test/integration/fixtures/oauth2.provspec.yaml',
          server,
          {},
          {
            env: { SCIM_BASE_URL: server.baseUrl, TOKEN_URL: tokens.url, CLIENT_ID: 'provspec-client', CLIENT_SECRET: SECRET },
          },
        );
        assert.deepEqual(failing(result), []);
        assert.equal(tokens.requests.length, 1);
        assert.equal(tokens.requests[0]!.authorization, `Basic ${Buffer.from(`provspec-client:${SECRET}`).toString('base64')}`);
        assert.equal(new URLSearchParams(tokens.requests[0]!.body).get('grant_type'), 'client_credentials');
        assert.equal(new URLSearchParams(tokens.requests[0]!.body).get('scope'), 'scim.write');
        const text = JSON.stringify(result);
        assert.ok(!text.includes(SECRET) && !text.includes(server.token), 'no secret in the results');
      } finally {
        await tokens.close();
      }
    });
  });

  it('fetches a new token when the target answers 401 to the cached one', async () => {
    await withServer([], async (server) => {
      const tokens = await startTokenServer(['stale-token-000000', server.token]);
      try {
        const result = await runSpecFile(
          'test/integration/fixtures/oauth2.provspec.yaml',
          server,
          {},
          {
            env: { SCIM_BASE_URL: server.baseUrl, TOKEN_URL: tokens.url, CLIENT_ID: 'c', CLIENT_SECRET: SECRET },
          },
        );
        assert.deepEqual(failing(result), []);
        assert.equal(tokens.requests.length, 2);
        assert.ok(!JSON.stringify(result).includes('stale-token-000000'));
      } finally {
        await tokens.close();
      }
    });
  });

  it('reports a token endpoint that refuses the client as an error, without echoing the secret', async () => {
    await withServer([], async (server) => {
      const tokens = await startTokenServer([], 401);
      try {
        const result = await runSpecFile(
          'test/integration/fixtures/oauth2.provspec.yaml',
          server,
          {},
          {
            env: { SCIM_BASE_URL: server.baseUrl, TOKEN_URL: tokens.url, CLIENT_ID: 'c', CLIENT_SECRET: SECRET },
          },
        );
        const errors = failing(result);
        assert.ok(errors.length > 0);
        assert.ok(
          errors.some((e) => /token endpoint answered 401/.test(e.message)),
          JSON.stringify(errors),
        );
        assert.ok(!JSON.stringify(result).includes(SECRET));
      } finally {
        await tokens.close();
      }
    });
  });

  it('never sends the client secret to a token endpoint outside the allowed origins', async () => {
    await withServer([], async (server) => {
      const tokens = await startTokenServer([server.token]);
      try {
        // As the Action runs it: the workflow allows only the SCIM target, the spec names a token endpoint elsewhere.
        const result = await runSpecFile(
          'test/integration/fixtures/oauth2.provspec.yaml',
          server,
          {},
          {
            env: { SCIM_BASE_URL: server.baseUrl, TOKEN_URL: tokens.url, CLIENT_ID: 'c', CLIENT_SECRET: SECRET },
            allowedOrigins: [new URL(server.baseUrl).origin],
          },
        );
        assert.equal(tokens.requests.length, 0, 'the token endpoint was never contacted');
        const errors = failing(result);
        assert.ok(errors.length > 0);
        assert.ok(
          errors.every((e) => e.status === 'error'),
          JSON.stringify(errors),
        );
        assert.ok(
          errors.some((e) =>
            /The token endpoint http:\/\/127\.0\.0\.1:\d+ is not an allowed origin, so the client secret was not sent there/.test(
              e.message,
            ),
          ),
          JSON.stringify(errors),
        );
      } finally {
        await tokens.close();
      }
    });
  });
});
