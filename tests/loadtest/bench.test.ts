import { describe, expect, it } from 'vitest';
import { parseWrkRps, wrkScript } from '../../scripts/bench/loadtest.js';

describe('bench helpers', () => {
  it('writes a wrk Lua script that POSTs the given JSON bodies in turn', () => {
    const script = wrkScript(['{"name":"Zoë O\'Brien","age":3,"symptoms":"38.5°C \\"fever\\""}', '{"b":2}']);
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('wrk.headers["Content-Type"] = "application/json"');
    expect(script).toContain(
      'wrk.body = [==[{"name":"Zoë O\'Brien","age":3,"symptoms":"38.5°C \\"fever\\""}]==]',
    );
    expect(script).toContain('  [==[{"b":2}]==],');
    expect(script).toMatch(
      /request = function\(\)\n {2}index = index % #bodies \+ 1\n {2}return wrk\.format\(nil, nil, nil, bodies\[index\]\)\nend/,
    );
  });

  it("reads wrk's requests per second", () => {
    const output = [
      'Running 5s test @ http://127.0.0.1:40123/api/triage',
      '  1 threads and 32 connections',
      '  Thread Stats   Avg      Stdev     Max   +/- Stdev',
      '    Latency    36.02ms    4.11ms  61.20ms   88.12%',
      '    Req/Sec   891.40     60.12     1.00k    74.00%',
      '  4457 requests in 5.00s, 1.62MB read',
      'Requests/sec:    890.93',
      'Transfer/sec:    331.07KB',
    ].join('\n');
    expect(parseWrkRps(output)).toBe(890.93);
    expect(parseWrkRps('wrk: connection refused')).toBeUndefined();
  });
});
