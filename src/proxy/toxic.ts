/**
 * Toxic types and toxic instances. A type is one small file under toxics/: its attribute schema
 * and what it does to a link (a Stage), to a whole connection, or to HTTP exchanges. An
 * instance is what the API shows: `{ name, type, stream, toxicity, attributes }`.
 */
import type { z } from 'zod';
import type { Direction, LinkControl, Stage } from './stage.js';

/**
 * - `link`: a stage on each link of the toxic's stream, for a share (`toxicity`) of links;
 * - `connection`: acts on whole connections (both directions), once per connection;
 * - `http`: acts on HTTP/1.1 exchanges; `toxicity` is the share of requests.
 */
export type ToxicScope = 'link' | 'connection' | 'http';

export interface ConnectionControl {
  readonly closed: boolean;
  close(how: 'fin' | 'reset'): void;
  /** Puts a stage for `toxic` on both links (e.g. loss holds both directions). */
  addStages(toxic: Toxic, make: (link: LinkControl) => Stage): void;
}

export interface ToxicType<A extends object = object> {
  readonly type: string;
  readonly scope: ToxicScope;
  readonly summary: string;
  /** Parses the `attributes` object; missing attributes take their defaults (Toxiproxy's zero values where it has the toxic). */
  readonly attributes: z.ZodType<A>;
  /** `link` scope. */
  stage?(toxic: Toxic<A>, link: LinkControl): Stage;
  /** `connection` scope: applied to an open connection (or a new one, once connected). */
  connection?(toxic: Toxic<A>, conn: ConnectionControl): void;
  /** `connection` scope: whether a new connection this toxic hits is refused before reaching upstream. */
  readonly refusesNew?: boolean;
}

export interface Toxic<A extends object = object> {
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
  attributes: A;
  readonly def: ToxicType<A>;
  /** Dead-man's switch: removed when not refreshed for this long (ms). */
  ttl?: number;
  /** Who refreshes it (POST /heartbeat with this owner). */
  owner?: string;
}

/** The API's view of a toxic (Toxiproxy's shape, plus ttl and owner when set). */
export interface ToxicJson {
  name: string;
  type: string;
  stream: Direction;
  toxicity: number;
  attributes: object;
  ttl?: number;
  owner?: string;
}

export function toxicJson(t: Toxic): ToxicJson {
  return {
    name: t.name,
    type: t.type,
    stream: t.stream,
    toxicity: t.toxicity,
    attributes: { ...t.attributes },
    ...(t.ttl !== undefined ? { ttl: t.ttl } : {}),
    ...(t.owner !== undefined ? { owner: t.owner } : {}),
  };
}

/** Rolls the dice for one link, connection or request. */
export function hits(toxicity: number): boolean {
  return toxicity >= 1 || (toxicity > 0 && Math.random() < toxicity);
}
