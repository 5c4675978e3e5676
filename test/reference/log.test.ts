// The log option: one structured line per request, request ids, no secrets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestLogLine } from '../../reference/index.ts';
import { USER, sleep, start, unique } from './client.ts';

async function waitFor(lines: RequestLogLine[], n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (lines.length < n && Date.now() < deadline) await sleep(5);
}

describe('reference request log', () => {
  it('logs one line per request with method, path, status, requestId, ms, time; never the token', async () => {
    const lines: RequestLogLine[] = [];
    const c = await start({ token: 'log-secret-token-xyz', log: (line) => lines.push(line) });
    try {
      const created = await c.scim('POST', '/Users', { schemas: [USER], userName: unique('log') }, { 'x-request-id': 'req-from-client-1' });
      assert.equal(created.status, 201);
      await c.scim('GET', `/Users/${created.json.id}`);
      await c.scim('GET', '/Users?filter=userName%20eq%20%22nobody%22');
      await c.scim('GET', '/Users', undefined, { authorization: 'Bearer wrong-secret-abc' });
      await c.scim('GET', '/Users/missing', undefined, { 'x-request-id': 'req-from-client-2' });
      await c.scim('DELETE', `/Users/${created.json.id}`);
      await waitFor(lines, 6);
      await sleep(20);
      assert.equal(lines.length, 6, JSON.stringify(lines));
      assert.deepEqual(
        lines.map((l) => [l.method, l.path.split('?')[0], l.status]),
        [
          ['POST', '/scim/v2/Users', 201],
          ['GET', `/scim/v2/Users/${created.json.id}`, 200],
          ['GET', '/scim/v2/Users', 200],
          ['GET', '/scim/v2/Users', 401],
          ['GET', '/scim/v2/Users/missing', 404],
          ['DELETE', `/scim/v2/Users/${created.json.id}`, 204],
        ],
      );
      assert.equal(lines[0]!.requestId, 'req-from-client-1');
      assert.equal(lines[4]!.requestId, 'req-from-client-2');
      const generated = [lines[1]!, lines[2]!, lines[3]!, lines[5]!].map((l) => l.requestId);
      for (const id of generated) assert.ok(typeof id === 'string' && id.length > 0);
      assert.equal(new Set(generated).size, generated.length, 'generated request ids are distinct');
      for (const l of lines) {
        assert.equal(typeof l.ms, 'number');
        assert.ok(l.ms >= 0 && Number.isFinite(l.ms));
        assert.ok(!Number.isNaN(Date.parse(l.time)), `time ${l.time}`);
      }
      const all = JSON.stringify(lines);
      assert.ok(!all.includes('log-secret-token-xyz'), 'the token is never logged');
      assert.ok(!all.includes('wrong-secret-abc'), 'a wrong token is never logged either');
    } finally {
      await c.close();
    }
  });

  it("names the request's W3C trace context, so the client's records and the server's correlate", async () => {
    const lines: RequestLogLine[] = [];
    const c = await start({ log: (line) => lines.push(line) });
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      await c.scim('GET', '/Users', undefined, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      // Not trace contexts: a wrong version, an all-zero trace id, junk. Each is ignored.
      await c.scim('GET', '/Users', undefined, { traceparent: `ff-${traceId}-00f067aa0ba902b7-01` });
      await c.scim('GET', '/Users', undefined, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' });
      await c.scim('GET', '/Users', undefined, { traceparent: 'hello' });
      await waitFor(lines, 4);
      assert.equal(lines[0]!.traceId, traceId);
      assert.equal(lines[0]!.parentSpanId, '00f067aa0ba902b7');
      assert.match(lines[0]!.spanId ?? '', /^[0-9a-f]{16}$/);
      for (const line of lines.slice(1)) assert.equal(line.traceId, undefined, JSON.stringify(line));
    } finally {
      await c.close();
    }
  });

  it('logs rejected bodies (413, malformed JSON) too', async () => {
    const lines: RequestLogLine[] = [];
    const c = await start({ maxBodyBytes: 1000, log: (line) => lines.push(line) });
    try {
      await c.scim('POST', '/Users', '{bad');
      await c.scim('POST', '/Users', { schemas: [USER], userName: unique('big'), displayName: 'x'.repeat(5000) });
      await waitFor(lines, 2);
      assert.deepEqual(
        lines.map((l) => [l.method, l.status]),
        [
          ['POST', 400],
          ['POST', 413],
        ],
      );
    } finally {
      await c.close();
    }
  });
});
