import type { Command } from 'commander';
import { z } from 'zod';
import { experimentSchema, stepSchemas } from '../../experiment/schema/experiment.js';
import { systemSchema } from '../../experiment/schema/system.js';
import { UsageError } from '../../errors/index.js';
import { kinds, printJson } from '../context.js';

export function jsonSchemaFor(which: 'experiment' | 'system'): unknown {
  const schema = which === 'system' ? systemSchema : experimentSchema(stepSchemas(kinds).step);
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref' });
}

export function registerSchema(program: Command, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('Print the JSON Schema of experiment files (or system files), for editor autocompletion')
    .argument('[which]', 'experiment or system', 'experiment')
    .addHelpText('after', '\nVS Code (YAML extension): add `# yaml-language-server: $schema=./experiment.schema.json` to a file,\nafter `faultline schema > experiment.schema.json`.')
    .action((which: string) => {
      if (which !== 'experiment' && which !== 'system') throw new UsageError(`schema: expected "experiment" or "system", got "${which}"`);
      printJson(jsonSchemaFor(which));
      setExit(0);
    });
}
