import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomIds } from '../ports/ids.ts';
import { issueToken, tokenMatches, tokenParticipantId } from './participant-token.ts';

test('a token names its participant and matches only its own digest', () => {
  const id = randomIds.uuid();
  const { token, digest } = issueToken(randomIds, id);
  assert.equal(tokenParticipantId(token), id);
  assert.ok(tokenMatches(token, digest));
  assert.ok(!tokenMatches(token, issueToken(randomIds, id).digest), 'another token of the same participant');
  assert.ok(!token.includes(digest), 'the stored digest is not part of the token');
});

test('a token with any verifier byte changed does not match', () => {
  const { token, digest } = issueToken(randomIds, randomIds.uuid());
  const bytes = Buffer.from(token, 'base64url');
  for (const i of [16, 30, bytes.length - 1]) {
    const tampered = Buffer.from(bytes);
    tampered[i] ^= 1;
    assert.ok(!tokenMatches(tampered.toString('base64url'), digest));
  }
});

test('strings that are not tokens name no participant', () => {
  for (const s of ['', 'abc', 'x'.repeat(63), `${issueToken(randomIds, randomIds.uuid()).token}A`, '%%%%']) {
    assert.equal(tokenParticipantId(s), undefined, s);
  }
});

test('tokens carry 256 random bits beside the id', () => {
  const tokens = new Set(
    Array.from({ length: 1000 }, () => issueToken(randomIds, '00000000-0000-4000-8000-000000000000').token),
  );
  assert.equal(tokens.size, 1000);
  assert.equal(Buffer.from([...tokens][0], 'base64url').length, 48);
});
