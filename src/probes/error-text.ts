/** A short, stable text for why a call failed: the errno code when there is one ('ECONNREFUSED'), else the message. */
export function errorText(err: unknown): string {
  const code = errnoCode(err);
  if (code) return code;
  // Happy-eyeballs connects (localhost → ::1 and 127.0.0.1) fail with an AggregateError.
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error && err.message) return err.message;
  return String(err);
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  // System errors (ECONNREFUSED, ENOTFOUND, EAI_AGAIN); not Node's ERR_* or undici's UND_ERR_*.
  return typeof code === 'string' && /^E[A-Z]+(_[A-Z]+)?$/.test(code) && !code.startsWith('ERR_') ? code : undefined;
}
