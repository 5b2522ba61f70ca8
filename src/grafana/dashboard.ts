/**
 * `faultline grafana dashboard`: a Grafana dashboard for the exporter's metrics, built with
 * Grafana's foundation SDK (its builders are generated from Grafana's own schema, so the JSON has
 * the shape Grafana imports). Rows: faults and health, recovery and runs, load.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { ANNOTATION_TAG } from './annotations.js';
import { QUERIES } from './dashboard-queries.js';

export const DASHBOARD_UID = 'faultline-chaos';
const DS = { type: 'prometheus', uid: '${datasource}' };

function query(expr: string, legend: string, refId = 'A', instant = false): DataqueryBuilder {
  const q = new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DS);
  return instant ? q.instant() : q.range();
}

function states(zero: [string, string], one: [string, string]): ValueMapping[] {
  return [{ type: MappingType.ValueToText, options: { '0': { text: zero[0], color: zero[1], index: 0 }, '1': { text: one[0], color: one[1], index: 1 } } }];
}

/** Organization annotations posted by --grafana-url, found by their tag. */
function annotationTarget(): cog.Builder<cog.Dataquery> {
  return { build: () => ({ type: 'tags', tags: [ANNOTATION_TAG], limit: 500, matchAny: false }) as unknown as cog.Dataquery };
}

export function faultlineDashboard(): Dashboard {
  const dashboard = build();
  // Grafana keys panels by id: unique and stable, in layout order (the builders leave them unset).
  for (const [i, panel] of (dashboard.panels ?? []).entries()) panel.id = i + 1;
  return dashboard;
}

function build(): Dashboard {
  return new DashboardBuilder('faultline: chaos experiments')
    .uid(DASHBOARD_UID)
    .description('Faults, health, recovery and load of faultline runs, from its Prometheus exporter (--metrics-listen / --metrics-push)')
    .tags(['faultline', 'chaos'])
    .refresh('5s')
    .time({ from: 'now-30m', to: 'now' })
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(labelVariable('experiment', 'Experiment', QUERIES.experiments))
    .withVariable(labelVariable('service', 'Service', QUERIES.services))
    .annotation(
      new AnnotationQueryBuilder().name('faultline faults and verdicts').datasource({ type: 'grafana', uid: '-- Grafana --' }).enable(true).iconColor('red').target(annotationTarget()),
    )
    .withRow(new RowBuilder('Faults and health'))
    .withPanel(
      new StateTimelinePanel()
        .title('Faults active')
        .description('faultline_fault_active: 1 while a fault is held (kept at 1 when its revert failed)')
        .withTarget(query(QUERIES.faultsActive, '{{kind}} → {{target}} ({{experiment}})'))
        .mappings(states(['off', 'transparent'], ['held', 'red']))
        .height(8)
        .span(24),
    )
    .withPanel(
      new StateTimelinePanel()
        .title('Service health')
        .description('faultline_service_healthy: the last health check of each service')
        .withTarget(query(QUERIES.serviceHealthy, '{{service}}'))
        .mappings(states(['unhealthy', 'red'], ['healthy', 'green']))
        .height(8)
        .span(12),
    )
    .withPanel(
      new StateTimelinePanel()
        .title('Probe success per service')
        .description('faultline_probe_success: health checks (probe=health) and hypothesis probes')
        .withTarget(query(QUERIES.probeSuccess, '{{service}} {{probe}}'))
        .mappings(states(['failed', 'red'], ['ok', 'green']))
        .height(8)
        .span(12),
    )
    .withRow(new RowBuilder('Recovery and runs'))
    .withPanel(new BarGaugePanel().title('Time to recover (last run)').withTarget(query(QUERIES.timeToRecover, '{{service}} ({{experiment}})', 'A', true)).unit('s').height(8).span(12))
    .withPanel(new BarGaugePanel().title('Runs by result').withTarget(query(QUERIES.runsByResult, '{{result}}', 'A', true)).unit('short').height(8).span(6))
    .withPanel(
      new StatPanel()
        .title('Guardrail aborts / revert failures')
        .withTarget(query(QUERIES.guardrailAborts, 'guardrail aborts', 'A', true))
        .withTarget(query(QUERIES.revertFailures, 'revert failures', 'B', true))
        .unit('short')
        .height(8)
        .span(6),
    )
    .withRow(new RowBuilder('Load'))
    .withPanel(new TimeseriesPanel().title('Load: requests per second').withTarget(query(QUERIES.loadRate, '{{experiment}}')).unit('reqps').height(8).span(8))
    .withPanel(new TimeseriesPanel().title('Load: error ratio').withTarget(query(QUERIES.loadErrors, '{{experiment}}')).unit('percentunit').min(0).height(8).span(8))
    .withPanel(
      new TimeseriesPanel()
        .title('Load: latency')
        .withTarget(query(QUERIES.loadLatency(0.5), 'p50 {{experiment}}', 'A'))
        .withTarget(query(QUERIES.loadLatency(0.95), 'p95 {{experiment}}', 'B'))
        .withTarget(query(QUERIES.loadLatency(0.99), 'p99 {{experiment}}', 'C'))
        .unit('s')
        .height(8)
        .span(8),
    )
    .build();
}

function labelVariable(name: string, label: string, expr: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DS)
    .query(expr)
    .definition(expr)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}
