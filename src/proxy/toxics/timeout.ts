/**
 * `timeout`: nothing gets through, and after `timeout` ms the connection is closed (0: held until
 * the toxic is removed). Unlike Toxiproxy, which drops the data, the bytes are held: when the
 * toxic is removed before the timeout, they go on (a proxy link never loses what it read).
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { PreciseTimer } from '../stage.js';
import type { LinkControl } from '../stage.js';
import type { Toxic, ToxicType } from '../toxic.js';
import { amount } from './amount.js';
import { HoldStage } from './hold.js';

const attributes = z.object({ timeout: amount.default(0).describe('Milliseconds before the connection is closed; 0 holds it until the toxic is removed') });
export type TimeoutAttributes = z.output<typeof attributes>;

class TimeoutStage extends HoldStage {
  private readonly timer = new PreciseTimer(() => this.link.close('fin'));

  constructor(toxic: Toxic, link: LinkControl) {
    super(toxic, link);
    this.update();
  }

  override update(): void {
    const { timeout } = this.toxic.attributes as TimeoutAttributes;
    this.timer.clear();
    if (timeout > 0) this.timer.at(performance.now() + timeout);
  }

  override flush(): boolean {
    this.timer.clear();
    return super.flush();
  }

  override dispose(): void {
    this.timer.clear();
    super.dispose();
  }
}

export const timeoutToxic: ToxicType<TimeoutAttributes> = {
  type: 'timeout',
  scope: 'link',
  summary: 'Let nothing through; close the connection after timeout milliseconds (0: never)',
  attributes,
  stage: (toxic, link) => new TimeoutStage(toxic, link),
};
