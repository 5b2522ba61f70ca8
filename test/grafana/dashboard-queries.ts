/**
 * The PromQL of a dashboard as Grafana would send it: the panels' target expressions with the
 * variables filled in, and the query variables' label_values() as the label-values API call
 * Grafana makes for them.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  panel: string;
  expr: string;
}

/** Every panel target's expr, with $experiment/$service set and Grafana's interval variables. */
export function dashboardQueries(d: Dashboard, vars: { experiment: string; service: string }): PanelQuery[] {
  return (d.panels ?? []).flatMap((p) => {
    const panel = p as { title?: string; targets?: { expr?: string }[] };
    return (panel.targets ?? []).map((t) => ({
      panel: panel.title ?? '',
      expr: (t.expr ?? '')
        .replaceAll('$experiment', vars.experiment)
        .replaceAll('$service', vars.service)
        .replaceAll('$__rate_interval', '15s')
        .replaceAll('$__range', '5m'),
    }));
  });
}

export interface VariableQuery {
  name: string;
  query: string;
  /** label_values(MATCH, LABEL) */
  match: string;
  label: string;
}

export function variableQueries(d: Dashboard): VariableQuery[] {
  return (d.templating.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = String(v.query);
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
      if (!m) throw new Error(`variable ${v.name}: expected label_values(selector, label), got ${query}`);
      return { name: v.name, query, match: m[1]!, label: m[2]! };
    });
}
