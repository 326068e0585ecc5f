/** Rejects after `ms` with a real error. (In @upstash/redis an aborted signal resolves as a
 *  fake success, so a deadline has to be a race that throws.) */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}
