// The secret registry redacts a credential in every form a server plausibly reflects it in,
// and leaves ordinary text alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretRegistry, REDACTED } from '../../core/scim/secrets.ts';

const TOKEN = 'canary+T0k/en=9f8e7d';

describe('SecretRegistry', () => {
  const secrets = new SecretRegistry();
  secrets.add(TOKEN);
  const forms: Record<string, string> = {
    raw: TOKEN,
    'percent-encoded': encodeURIComponent(TOKEN),
    'percent-encoded, lower-case hex': encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form-encoded': new URLSearchParams({ t: TOKEN }).toString().slice(2),
    'JSON with \\/': JSON.stringify(TOKEN).slice(1, -1).replace('/', '\\/'),
    'JSON, every character \\u-escaped': [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    'JSON, some characters \\u-escaped (upper-case hex)': TOKEN.replace('+', '\\u002B').replace('=', '\\u003D'),
    base64: Buffer.from(TOKEN).toString('base64'),
    base64url: Buffer.from(TOKEN).toString('base64url'),
    hex: Buffer.from(TOKEN).toString('hex'),
    'hex, upper-case': Buffer.from(TOKEN).toString('hex').toUpperCase(),
  };
  for (const [name, form] of Object.entries(forms)) {
    it(`redacts the ${name} form`, () => {
      const text = `before ${form} after`;
      assert.ok(secrets.contains(text));
      assert.equal(secrets.redact(text), `before ${REDACTED} after`);
    });
  }

  it('redacts the secret inside a longer base64 text, at every alignment', () => {
    for (const prefix of ['Bearer ', 'xBearer ', 'xyBearer ']) {
      const encoded = Buffer.from(`${prefix}${TOKEN}`).toString('base64');
      const redacted = secrets.redact(encoded);
      assert.ok(redacted.includes(REDACTED), `${prefix}: ${redacted}`);
      assert.ok(!Buffer.from(redacted.replace(REDACTED, ''), 'base64').toString('latin1').includes(TOKEN));
    }
  });

  it('keeps basic auth credentials whole and leaves text without a secret untouched', () => {
    const basic = new SecretRegistry();
    basic.addBasic('user', 'pa55word');
    const credential = Buffer.from('user:pa55word').toString('base64');
    assert.equal(basic.redact(`Basic ${credential}`), `Basic ${REDACTED}`);
    const text = 'no secret here: canary+T0k/en is only a prefix';
    assert.equal(secrets.redact(text), text);
    assert.equal(secrets.redactDeepLazily({ a: [text] }).a[0], text);
  });

  it('redacts object keys as well as values', () => {
    assert.deepEqual(secrets.redactDeep({ [TOKEN]: 1 }), { [REDACTED]: 1 });
  });
});

describe('SecretRegistry (redaction of registered secrets)', () => {
  it('redacts every registered secret, in base64 too, and in nested values', () => {
    const secrets = new SecretRegistry();
    secrets.add('s3cret-token');
    secrets.addBasic('user', 'pa55word');
    const basic = Buffer.from('user:pa55word').toString('base64');
    assert.equal(
      secrets.redact(`Bearer s3cret-token and Basic ${basic} and ${Buffer.from('s3cret-token').toString('base64')}`),
      `Bearer ${REDACTED} and Basic ${REDACTED} and ${REDACTED}`,
    );
    assert.deepEqual(secrets.redactDeep({ a: ['x pa55word y'] }), { a: [`x ${REDACTED} y`] });
    secrets.add('ab');
    assert.equal(secrets.redact('ab'), 'ab', 'too short to be a secret worth redacting');
  });
});
