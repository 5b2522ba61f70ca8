/** `faultline experiments list|show`: the catalog of standard experiments. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CATALOG } from '../../catalog/registry.js';
import { collect, renderCatalogExperiment } from '../../catalog/resolve.js';
import type { CatalogTemplate } from '../../catalog/types.js';
import { printJson } from '../context.js';

export function registerExperiments(program: Command, setExit: (code: number) => void): void {
  const experiments = program
    .command('experiments')
    .description('The catalog of standard experiments: list them, or render one as YAML to copy and edit')
    .addHelpText(
      'after',
      `
Run one against your system (faultline.yaml here, or --system):
  faultline run catalog:service-kill --target api
  faultline run catalog:dependency-latency --target db --set delay=500ms --set duration=1m
  faultline experiments show cache-unavailability --target cache > cache-outage.yaml`,
    );

  experiments
    .command('list')
    .description('Every catalog experiment: name, what it does, its parameters')
    .option('--json', 'print the catalog as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) printJson({ experiments: CATALOG.map(describe) });
      else process.stdout.write(listText());
      setExit(0);
    });

  experiments
    .command('show')
    .description('Render a catalog experiment for your system and print it as YAML (nothing runs)')
    .argument('<name>', 'a catalog experiment (with or without the catalog: prefix)')
    .option('-t, --target <service>', 'the service to aim at')
    .option('--set <name=value>', 'a template parameter (repeatable)', collect)
    .option('-s, --system <file>', 'system file (default: ./faultline.yaml)')
    .option('--json', 'print it as JSON instead')
    .action(async (name: string, opts: { target?: string; set?: string[]; system?: string; json?: boolean }) => {
      const rendered = await renderCatalogExperiment({ ref: name, target: opts.target, set: opts.set, systemFile: opts.system });
      if (opts.json) printJson(rendered.experiment);
      else {
        const flags = [opts.target !== undefined ? `--target ${opts.target}` : '', ...(opts.set ?? []).map((s) => `--set ${s}`)].filter(Boolean).join(' ');
        process.stdout.write(`# ${rendered.file}${flags ? ` ${flags}` : ''}: ${rendered.template.description}\n# Hypothesis: ${rendered.template.hypothesis}\n`);
        process.stdout.write(stringify(rendered.experiment, { aliasDuplicateObjects: false, lineWidth: 0 }));
      }
      setExit(0);
    });
}

function describe(t: CatalogTemplate) {
  return {
    name: t.name,
    description: t.description,
    hypothesis: t.hypothesis,
    needs: t.needs ?? [],
    parameters: t.parameters.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required === true,
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(p.choices ? { choices: [...p.choices] } : {}),
      description: p.description,
    })),
  };
}

function listText(): string {
  const out: string[] = [];
  for (const t of CATALOG) {
    out.push(`${t.name}`, `  ${t.description}`);
    if (t.needs?.length) out.push(`  needs: ${t.needs.join('; ')}`);
    for (const p of t.parameters) {
      const how = p.name === 'target' ? '--target' : `--set ${p.name}=`;
      const dflt = p.required ? 'required' : p.default !== undefined ? `default: ${p.default}` : 'optional';
      out.push(`    ${how.padEnd(22)} ${p.description} (${dflt})`);
    }
    out.push('');
  }
  out.push('Run one: faultline run catalog:<name> --target <service> [--set name=value …]; see one rendered: faultline experiments show <name> --target <service>');
  return `${out.join('\n')}\n`;
}
