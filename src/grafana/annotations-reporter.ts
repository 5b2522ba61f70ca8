/**
 * Grafana annotations as a Reporter: a region per fault when it ends, a point with the verdict at
 * the run's end. Posts go out in the background; the run's end waits for those still in flight,
 * each bounded by the client's timeout, so a Grafana that does not answer delays a run by at most
 * that long and never fails it.
 */
import type { FaultRecord, Journal } from '../journal/types.js';
import type { Reporter, RunStartInfo } from '../reporters/types.js';
import { experimentLabel } from '../exporter/labels.js';
import { faultAnnotation, verdictAnnotation, type AnnotationBody, type RunLabels } from './annotations.js';
import type { GrafanaClient } from './grafana-client.js';

export class GrafanaAnnotationsReporter implements Reporter {
  readonly name = 'grafana-annotations';
  #run: RunLabels = { runId: '', experiment: '' };
  #inFlight = new Set<Promise<void>>();

  constructor(private readonly client: GrafanaClient) {}

  onRunStart(info: RunStartInfo): void {
    this.#run = { runId: info.runId, experiment: experimentLabel(info.experimentFile) };
  }

  onFaultReverted(f: FaultRecord): void {
    // An injection that failed never acted (and was undone): no region for it.
    if (f.status === 'inject-failed') return;
    this.#send(faultAnnotation(f, this.#run));
  }

  async onRunEnd(journal: Journal): Promise<void> {
    this.#send(verdictAnnotation(journal, this.#run));
    await Promise.all(this.#inFlight);
  }

  #send(body: AnnotationBody): void {
    const p = this.client.post(body).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }
}
