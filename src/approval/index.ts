/** Approvals (docs/approvals.md): who approved which exact content of an experiment and its system, until when. */
export { approvalStatus, requireApproval, runApproval, type ApprovalStatus, type ApprovalProblem } from './check.js';
export { approveCommand } from './command.js';
export { canonicalJson, contentHash, experimentIdentity, type ContentHash } from './content-hash.js';
export { approvalReasons, isProduction, systemApprovalReasons } from './policy.js';
export { appendApproval, approvalsPath, newApprovalId, readApprovals, type Approval } from './store.js';
