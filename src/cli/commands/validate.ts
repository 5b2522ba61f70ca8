import type { Command } from 'commander';
import { isValidationError, formatIssue, type ValidationIssue } from '../../errors/index.js';
import { loadExperiment } from '../../experiment/loader/load-experiment.js';
import { collect, isCatalogRef, loadExperimentOrCatalog } from '../../catalog/resolve.js';
import { checkSystem } from '../../experiment/loader/load-system.js';
import { readStructured } from '../../experiment/loader/read-document.js';
import { kinds, printJson } from '../context.js';

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check experiment and system files without running anything (exit 2 when any is invalid)')
    .argument('<files...>', 'experiment or system files, or catalog:<name> (rendered with --target/--set against --system or ./faultline.yaml)')
    .option('-s, --system <file>', 'system file for the experiments (default: their own `system`)')
    .option('-t, --target <service>', 'catalog experiments: the service to aim at')
    .option('--set <name=value>', 'catalog experiments: a template parameter (repeatable)', collect)
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], opts: { system?: string; json?: boolean; target?: string; set?: string[] }) => {
      const results: { file: string; kind: string; ok: boolean; issues: ValidationIssue[] }[] = [];
      for (const file of files) {
        let kind = 'experiment';
        try {
          if (isCatalogRef(file)) {
            await loadExperimentOrCatalog(file, { systemFile: opts.system, target: opts.target, set: opts.set, kinds });
            results.push({ file, kind, ok: true, issues: [] });
            continue;
          }
          const doc = await readStructured(file);
          const data = doc.data as Record<string, unknown> | null;
          if (data && typeof data === 'object' && 'services' in data && !('method' in data)) {
            kind = 'system';
            checkSystem(doc);
          } else {
            // Schema, steps and references together: every problem in the file at once, in line order.
            await loadExperiment(file, { systemFile: opts.system, kinds });
          }
          results.push({ file, kind, ok: true, issues: [] });
        } catch (err) {
          if (!isValidationError(err)) throw err;
          results.push({ file, kind, ok: false, issues: err.issues });
        }
      }
      if (opts.json) printJson({ ok: results.every((r) => r.ok), files: results });
      else {
        for (const r of results) {
          if (r.ok) process.stdout.write(`ok   ${r.file} (${r.kind})\n`);
          else for (const i of r.issues) process.stderr.write(`error ${formatIssue(i)}\n`);
        }
      }
      setExit(results.every((r) => r.ok) ? 0 : 2);
    });
}

