import { FaultlineError } from './faultline-error.js';

/** One problem found in an input file: where it is and what was expected there. */
export interface ValidationIssue {
  /** The file the problem is in (as the user named it), or '<inline>' for objects passed in code. */
  file: string;
  /** Path inside the document, e.g. `method[0].target`. Empty for the whole document. */
  path: string;
  /** 1-based line and column in the file when known (YAML and JSON files). */
  line?: number;
  column?: number;
  message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}` : issue.file;
  const path = issue.path ? ` at ${issue.path}` : '';
  return `${where}${path}: ${issue.message}`;
}

/** Invalid input: the experiment or system file is wrong. Nothing has been injected. Exit 2. */
export class ValidationError extends FaultlineError {
  constructor(readonly issues: ValidationIssue[]) {
    super('E_INVALID', issues.length === 1 ? formatIssue(issues[0]!) : `${issues.length} problems:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
}

export function isValidationError(err: unknown): err is ValidationError {
  return err instanceof ValidationError;
}
