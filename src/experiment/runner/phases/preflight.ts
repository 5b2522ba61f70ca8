/**
 * Preflight: the allowed time windows, the system's services started (or found running), the
 * blast radius, and confirmation for targets beyond this machine. Any refusal aborts the run
 * before a probe or a fault; the report still says why.
 */
import { k6OperatorPreflight } from '../../../load/k6-operator/preflight.js';
import { outsideWindows } from '../../../safety/time-windows.js';
import { assessBlastRadius } from '../blast-radius.js';
import type { RunContext } from '../run-context.js';

/** True when the run may go on. */
export async function preflight(ctx: RunContext): Promise<boolean> {
  ctx.enter('preflight');
  const { experiment, options, runtime } = ctx;
  const windowVeto = outsideWindows(experiment.guardrails.windows, new Date());
  if (windowVeto) ctx.abort(`time window: ${windowVeto}`);
  if (ctx.signal.aborted) return false;
  try {
    await runtime.start(ctx.signal, { startServices: options.startServices ?? true });
    const radius = await assessBlastRadius(
      experiment.method,
      experiment.guardrails,
      options.kinds,
      (kind, ref) => runtime.resolve(kind, ref),
      (name, ref) => runtime.kindFor(options.kinds, name, ref),
    );
    ctx.targetedServices = new Set(radius.targets.map((t) => t.target.service));
    if (radius.refusal) ctx.abort(radius.refusal);
    // A load that runs on a cluster: refused there before any fault, and confirmed like a fault's target.
    const load = await k6OperatorPreflight(ctx);
    if (load?.refusal !== undefined && !ctx.signal.aborted) ctx.abort(`load: ${load.refusal}`);
    const remote = [...radius.targets.filter((t) => t.target.remote).map((t) => t.target), ...(load ? [load.target] : [])];
    if (!ctx.signal.aborted && remote.length > 0 && !(await (options.confirm?.(remote) ?? Promise.resolve(false)))) {
      ctx.abort(`not confirmed: the method targets ${remote.map((t) => t.label).join(', ')} beyond this machine`);
    }
  } catch (err) {
    ctx.abort(`preflight: ${(err as Error).message}`);
  }
  return !ctx.signal.aborted;
}
