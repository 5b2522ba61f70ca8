/**
 * k6 on the cluster through the k6 operator: on start, a ConfigMap with the script and a TestRun
 * that runs it on `parallelism` runner pods; then the TestRun's status.stage, read every `pollMs`,
 * until the operator says finished or error (or the run ends first). stop() deletes both and says
 * what is known: the stages reached and when. faultline does not collect per-request figures from
 * the runners (they report where k6's --out sends them), so the record has no phases or buckets.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { apiMessage, Cluster, type ClusterRef } from '../../drivers/kubernetes/cluster.js';
import type { LoadRecord } from '../../journal/types.js';
import type { Ledger } from '../../safety/ledger.js';
import type { K6OperatorLoadSpec } from '../spec.js';
import type { LoadPhaseName, LoadProgress, LoadRun, LoadTotals, StartLoadOptions } from '../types.js';
import { k6OperatorProblem } from './cluster-ref.js';
import { deleteK6OperatorResources, K6_OPERATOR_LOAD_KIND, type K6OperatorRevertInfo } from './ledger-kind.js';
import { FINAL_STAGES, type K6OperatorNames, K6_GROUP, K6_VERSION, k6OperatorNames, MAX_SCRIPT_BYTES, scriptConfigMap, TESTRUN_PLURAL, testRunObject } from './resources.js';

export const K6_OPERATOR_TOOL = 'k6-operator';
const DEFAULT_POLL_MS = 1000;
/** What the record says about figures, whatever happened. */
export const NO_FIGURES_NOTE = "faultline does not collect per-request figures from the operator's runners: read them where the script's k6 outputs send them (--out)";

export class K6OperatorLoad implements LoadRun {
  readonly ended: Promise<void>;
  readonly #spec: K6OperatorLoadSpec;
  readonly #now: () => number;
  readonly #startT: number;
  readonly #runId: string;
  readonly #ledger: Pick<Ledger, 'intent' | 'reverted'> | undefined;
  readonly #ref: ClusterRef;
  readonly #pollMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #names: K6OperatorNames;
  readonly #stages: { stage: string; t: number }[] = [];
  #phase: LoadPhaseName = 'baseline';
  #context: string | undefined;
  #info: K6OperatorRevertInfo | undefined;
  #error: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  #endEnded: () => void = () => undefined;
  readonly #started: Promise<void>;
  #stopping: Promise<LoadRecord> | undefined;

  constructor(spec: K6OperatorLoadSpec, options: StartLoadOptions = {}) {
    this.#spec = spec;
    const started = performance.now();
    this.#now = options.now ?? (() => performance.now() - started);
    this.#startT = this.#now();
    this.#runId = options.cluster?.runId ?? `load-${randomBytes(4).toString('hex')}`;
    this.#ledger = options.cluster?.ledger;
    this.#ref = options.cluster?.ref ?? {};
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#signal = options.signal;
    this.#names = k6OperatorNames(this.#runId, spec.k6Operator.script);
    this.ended = new Promise<void>((r) => (this.#endEnded = r));
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#started = this.#start().catch((err: unknown) => this.#finish(`the k6 operator load could not start: ${(err as Error).message}`));
  }

  #onAbort = (): void => this.#finish();

  #finish(error?: string): void {
    if (error !== undefined && this.#error === undefined) this.#error = error;
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.#endEnded();
  }

  async #start(): Promise<void> {
    const own = this.#spec.k6Operator;
    if (this.#signal?.aborted) return this.#finish('the run was aborted before the load started');
    const problem = await k6OperatorProblem(this.#ref, own.namespace);
    if (problem !== undefined) return this.#finish(problem);
    const cluster = await Cluster.connect(this.#ref);
    this.#context = cluster.ref.context;
    const scriptPath = resolve(this.#spec.cwd ?? process.cwd(), own.script);
    const script = await readFile(scriptPath);
    if (script.length > MAX_SCRIPT_BYTES) return this.#finish(`${scriptPath} is ${script.length} bytes; a ConfigMap holds at most 1 MiB`);
    if (this.#done) return;
    const info: K6OperatorRevertInfo = { cluster: { ...cluster.ref }, namespace: own.namespace, testRun: this.#names.testRun, configMap: this.#names.configMap };
    // On disk before anything exists on the cluster: a crash from here on leaves a record to undo.
    await this.#ledger?.intent({
      runId: this.#runId,
      faultId: `load-${this.#names.testRun}`,
      kind: K6_OPERATOR_LOAD_KIND,
      driver: 'kubernetes',
      service: 'load',
      target: `TestRun ${own.namespace}/${this.#names.testRun} (${cluster.label})`,
      revertInfo: info,
    });
    this.#info = info;
    await cluster.createConfigMap(own.namespace, scriptConfigMap(own.namespace, this.#names, this.#runId, script));
    await cluster.createCustom(K6_GROUP, K6_VERSION, TESTRUN_PLURAL, own.namespace, testRunObject(own, this.#names, this.#runId));
    this.#poll(cluster);
  }

  #poll(cluster: Cluster): void {
    if (this.#done) return;
    const { namespace } = this.#spec.k6Operator;
    cluster
      .getCustom(K6_GROUP, K6_VERSION, TESTRUN_PLURAL, namespace, this.#names.testRun)
      .then((obj) => {
        if (obj === undefined) return this.#finish(`TestRun ${namespace}/${this.#names.testRun} was deleted while the load ran (not by faultline)`);
        const stage = (obj.status as { stage?: unknown } | undefined)?.stage;
        if (typeof stage === 'string' && stage !== '' && stage !== this.#stages.at(-1)?.stage) this.#stages.push({ stage, t: this.#now() });
        if (stage === 'error') return this.#finish(this.#stageError());
        if (typeof stage === 'string' && FINAL_STAGES.has(stage)) return this.#finish();
        this.#timer = setTimeout(() => this.#poll(cluster), this.#pollMs);
      })
      // A failed read is not the load failing: try again at the next poll.
      .catch(() => {
        if (!this.#done) this.#timer = setTimeout(() => this.#poll(cluster), this.#pollMs);
      });
  }

  #stageError(): string {
    const { namespace } = this.#spec.k6Operator;
    const before = this.#stages.at(-2)?.stage;
    return (
      `the k6 operator set TestRun ${namespace}/${this.#names.testRun} to stage error${before ? ` after ${before}` : ''}; ` +
      `the TestRun does not say why: see its events (kubectl -n ${namespace} describe testrun ${this.#names.testRun}) and the operator's log`
    );
  }

  mark(phase: LoadPhaseName): void {
    this.#phase = phase;
  }

  progress(): LoadProgress {
    return { elapsedMs: this.#now() - this.#startT, requests: 0, errors: 0, late: 0, phase: this.#phase };
  }

  totals(): LoadTotals | undefined {
    return undefined;
  }

  stop(): Promise<LoadRecord> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<LoadRecord> {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const ranToEnd = this.#done;
    this.#finish();
    await this.#started;
    const own = this.#spec.k6Operator;
    const stage = this.#stages.at(-1)?.stage;
    let deleted = false;
    if (this.#info !== undefined) {
      try {
        await deleteK6OperatorResources(this.#info);
        deleted = true;
        await this.#ledger?.reverted({ runId: this.#runId, faultId: `load-${this.#names.testRun}`, by: 'run' }).catch(() => undefined);
      } catch (err) {
        this.#error ??= `could not delete TestRun and ConfigMap ${own.namespace}/${this.#names.testRun}: ${apiMessage(err)}; faultline recover deletes them`;
      }
    }
    const record: LoadRecord = {
      tool: K6_OPERATOR_TOOL,
      phases: [],
      buckets: [],
      k6Operator: {
        ...(this.#context !== undefined ? { context: this.#context } : {}),
        namespace: own.namespace,
        testRun: this.#names.testRun,
        configMap: this.#names.configMap,
        parallelism: own.parallelism,
        ...(own.arguments !== undefined ? { arguments: own.arguments } : {}),
        ...(stage !== undefined ? { stage } : {}),
        stages: this.#stages,
        // Stopped by the run's end rather than finished by itself: the script's test was cut short.
        cutShort: this.#info !== undefined && !ranToEnd && !(stage !== undefined && FINAL_STAGES.has(stage)),
        deleted,
        note: NO_FIGURES_NOTE,
      },
    };
    if (this.#error !== undefined) record.error = this.#error;
    return record;
  }
}
