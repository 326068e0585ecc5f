/**
 * How an error goes into a structured log entry. Error Reporting groups a JSON entry by its
 * `stack_trace` field (evaluated before `exception` and `message`;
 * cloud.google.com/error-reporting/docs/formatting-error-messages), so an error's stack goes
 * there and its one-line text into `error` for log-based metrics and humans. Both are cut:
 * an Upstash or provider error can carry a whole response body, and a log entry must stay
 * small (Cloud Logging refuses entries over 256 KB; Fresco keeps each under ~8 KB).
 */
export const maxErrorText = 500;
export const maxStackText = 4_000;

export interface ErrorFields {
  error: string;
  stack_trace?: string;
}

/** `name: message`, cut to `maxErrorText`: also what a failure record stores. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, maxErrorText);
}

/** The fields to spread into a log entry's payload. The stack's first line repeats the whole
 *  message, so the trace is the cut one-line text followed by the frames alone. */
export function errorFields(error: unknown): ErrorFields {
  const text = errorText(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const frames = stack?.indexOf("\n    at ") ?? -1;
  if (!stack || frames < 0) return { error: text };
  return { error: text, stack_trace: `${text}${stack.slice(frames)}`.slice(0, maxStackText) };
}
