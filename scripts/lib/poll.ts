export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Calls `attempt` until `done` accepts its value or `timeoutMs` has passed (then one last value
 * is returned, for the caller to report), sleeping `intervalMs` between attempts.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(options.intervalMs);
  }
}
