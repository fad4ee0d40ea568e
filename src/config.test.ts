import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('media options: announced addresses, a UDP port range, TURN with its secret, the origin meetings name', () => {
  assert.deepEqual(loadConfig([], {}).media, { hostAddresses: ['127.0.0.1'] });
  const flags = loadConfig(
    [
      '--media-address',
      '203.0.113.7',
      '--media-address',
      '10.0.0.2',
      '--media-ports',
      '40000-40099',
      '--turn-uri',
      'turn:turn.example.com:3478',
      '--turn-secret',
      's3cret',
      '--media-origin',
      'wss://cc.example.com',
    ],
    {},
  ).media;
  assert.deepEqual(flags, {
    hostAddresses: ['203.0.113.7', '10.0.0.2'],
    portRange: [40000, 40099],
    turn: { uris: ['turn:turn.example.com:3478'], secret: 's3cret' },
    origin: 'wss://cc.example.com',
  });
  const env = loadConfig([], {
    LOCALCONNECT_MEDIA_ADDRESSES: '203.0.113.7, 10.0.0.2',
    LOCALCONNECT_MEDIA_PORTS: '40000-40099',
    LOCALCONNECT_TURN_URIS: 'turn:turn.example.com:3478',
    LOCALCONNECT_TURN_SECRET: 's3cret',
    LOCALCONNECT_MEDIA_ORIGIN: 'wss://cc.example.com',
  }).media;
  assert.deepEqual(env, flags);
  for (const [argv, message] of [
    [['--media-address', 'cc.example.com'], /IPv4/],
    [['--media-ports', '40099-40000'], /LOW-HIGH/],
    [['--media-ports', '80-90'], /LOW-HIGH/],
    [['--turn-uri', 'turn:t.example.com'], /both --turn-uri and --turn-secret/],
    [['--turn-secret', 'x'], /both --turn-uri and --turn-secret/],
    [['--turn-uri', 'http://t.example.com', '--turn-secret', 'x'], /turn:HOST/],
    [['--media-origin', 'https://cc.example.com'], /wss:\/\//],
  ] as const)
    assert.throws(
      () => loadConfig([...argv], {}),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
});
