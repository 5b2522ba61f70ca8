/** What the proxy driver hands its fault kinds: one proxy (a service's link to a dependency) and where it runs. */
import type { FaultTarget } from '../../faults/types.js';

/** Where a proxy runs: inside this faultline process (a run's fleet), or behind a proxy API (`faultline proxy`, Toxiproxy). */
export type ProxyHost = { kind: 'fleet'; fleetId: string } | { kind: 'api'; url: string; ttl: number };

export interface ProxyTarget extends FaultTarget {
  /** The dependency, as the system file names the proxy (`db` in `api.db`). */
  link: string;
  /** The proxy's name where it runs (`api.db`). */
  proxy: string;
  listen: string;
  upstream: string;
  /** Unique to this resolution: names the toxics a fault adds, so plan() and inject() agree. */
  key: string;
  host: ProxyHost;
}
