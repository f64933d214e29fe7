/**
 * `promise`, or a rejection naming `what` once `ms` milliseconds have passed: for the Redis calls
 * node-redis gives no timeout of their own (connecting, SUBSCRIBE, UNSUBSCRIBE).
 */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms (${what}).`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
