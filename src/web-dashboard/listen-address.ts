/** `--dashboard-listen HOST:PORT` (`127.0.0.1:0`, `:8080`, `[::1]:8080`): where the dashboard listens. */
import { UsageError } from '../errors/index.js';

export function parseListen(value: string, flag = '--dashboard-listen'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new UsageError(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:8080, or port 0 for a free one), got "${value}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
