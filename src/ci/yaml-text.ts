/** Small helpers to write YAML by hand, with comments, where a value must come out exactly as given. */
import { stringify } from 'yaml';

/** One value as a YAML scalar: plain where YAML reads it back unchanged, quoted where it would not. */
export function scalar(value: string | number): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/**
 * A literal block (`|`) holding `text` (without its trailing newlines, then one), its lines indented
 * by `indent` spaces. The first line must not start with a space: it sets the block's indentation.
 */
export function literal(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const lines = text.replace(/\n+$/, '').split('\n');
  return `|\n${lines.map((l) => (l === '' ? '' : pad + l)).join('\n')}`;
}
