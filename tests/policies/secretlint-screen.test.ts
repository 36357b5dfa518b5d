import { describe, expect, it } from 'vitest';
import { secretlintPatterns, secretlintPatternsOf } from '../../scripts/policies/util/credentials.js';

// Made-up credentials in the shapes secretlint's recommended preset knows, assembled here so that
// no scanner mistakes this file for a leak.
const GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
const SLACK_TOKEN = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');
const PRIVATE_KEY = [
  `-----BEGIN RSA ${'PRIVATE'} KEY-----`,
  'MIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumIxg5bCLI1k3rm+xi2H0oYnJ',
  'k7m8Wn2RkL6A0KHfGQk0lZ4sP0mF5uQ4bB8KqN4RkQ9D4mZ2kqzQ6T0N7Sx8gH1c',
  `-----END RSA ${'PRIVATE'} KEY-----`,
].join('\n');
const BASIC_AUTH_URL = `https://triage:${'s3cr3t-P4ss'}@db.example.com/`;

const VALUES = [
  'gpt-4.1-mini',
  'https://triage.example.com/api/v1/score',
  GITHUB_TOKEN,
  'LOG_LEVEL=info\nMODEL=gpt-4.1-mini',
  SLACK_TOKEN,
  '6a1f3c2e-8b4d-4e7a-9c5f-2d8e1b0a7f34',
  PRIVATE_KEY,
  `prefix ${GITHUB_TOKEN} suffix`,
  BASIC_AUTH_URL,
  'DefaultEndpointsProtocol=https;AccountName=triage;EndpointSuffix=core.windows.net',
];

describe('secretlintPatternsOf (one secretlint run for many values)', () => {
  it('gives each value what a secretlint run of its own gives', async () => {
    const screened = await secretlintPatternsOf(VALUES);
    const alone = await Promise.all(VALUES.map((value) => secretlintPatterns(value)));
    expect(VALUES.map((value) => screened.get(value))).toEqual(alone);
    // Not vacuous: the made-up credentials are found, the plain values are not.
    expect(alone.filter((patterns) => patterns.length > 0).length).toBeGreaterThanOrEqual(4);
    expect(screened.get('gpt-4.1-mini')).toEqual([]);
  });

  it('does not let a value borrow from its neighbours', async () => {
    // The two halves of a private key in two values: neither holds a key on its own.
    const [head, ...rest] = PRIVATE_KEY.split('\n');
    const halves = [head as string, rest.join('\n')];
    const screened = await secretlintPatternsOf(halves);
    expect(halves.map((value) => screened.get(value))).toEqual(
      await Promise.all(halves.map((value) => secretlintPatterns(value))),
    );
  });

  it('screens many values in a few runs', async () => {
    const values = Array.from({ length: 3000 }, (_, index) => `config-value-${index}-${'x'.repeat(100)}`);
    values.push(GITHUB_TOKEN);
    const started = performance.now();
    const screened = await secretlintPatternsOf(values);
    expect(screened.get(GITHUB_TOKEN)?.length).toBeGreaterThan(0);
    expect(screened.get(values[0] as string)).toEqual([]);
    // One run per value took about 1 ms each (3 s here).
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
