export { FaultlineError, isFaultlineError } from './faultline-error.js';
export { ValidationError, isValidationError, formatIssue, type ValidationIssue } from './validation-error.js';
export { TargetError, isTargetError } from './target-error.js';
export { RevertError, isRevertError } from './revert-error.js';
export { UsageError, isUsageError } from './usage-error.js';
export { ApprovalError, isApprovalError } from './approval-error.js';
