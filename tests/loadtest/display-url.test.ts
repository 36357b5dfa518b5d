import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../scripts/loadtest/display-url.js';

describe('displayUrl: the form of a URL that may be shown', () => {
  it('hides user, password, every query value and the fragment; keeps scheme, host, port and path', () => {
    expect(displayUrl('http://user:pass@host.example:8080/path/api/triage?code=abc&x=1#token=t0k')).toBe(
      'http://***:***@host.example:8080/path/api/triage?code=***&x=***#***',
    );
  });

  it('hides a user alone (a token as user name) and a query item without a name', () => {
    expect(displayUrl('https://ghp_tokenvalue@host/api?abc123&flag=')).toBe(
      'https://***@host/api?***&flag=***',
    );
  });

  it('leaves a URL without secrets as it is', () => {
    expect(displayUrl('http://20.61.143.27/api/triage')).toBe('http://20.61.143.27/api/triage');
    expect(displayUrl('http://[::1]:8000/')).toBe('http://[::1]:8000/');
  });

  it('hides generously in a text that is not a URL, even with / ? # inside the password', () => {
    for (const [text, shown] of [
      ['http://user:pa/ss@host:notaport/x?code=abc', 'http://***@host:notaport/x?code=***'],
      ['http://user:pa?ss@host:99999', 'http://***@host:99999'],
      ['user:secret@host', '***@host'],
      ['http://host:port/p?q=secret#frag', 'http://host:port/p?q=***'],
    ] as const) {
      const out = displayUrl(text);
      expect(out).toBe(shown);
      expect(out).not.toMatch(/pa\/ss|pa\?ss|secret|abc/);
    }
  });
});
