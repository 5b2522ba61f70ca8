/**
 * Built-in stress workers: small node programs run with `node -e`. Each exits when its stdin
 * closes — when faultline ends or dies — besides being killed by the fault's revert.
 */

/** Busy for `FL_LOAD` percent of every 100 ms. */
export const CPU_WORKER = `
const load = Math.min(100, Math.max(1, Number(process.env.FL_LOAD) || 100));
process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
const spin = () => {
  const end = Date.now() + load;
  while (Date.now() < end) {}
  if (load >= 100) setImmediate(spin); else setTimeout(spin, 100 - load);
};
process.stdout.write('ready\\n');
spin();
`;

/** Allocates and touches `FL_BYTES` bytes, keeps them resident, and says "ready" once they are. */
export const MEMORY_WORKER = `
const total = Number(process.env.FL_BYTES) || 0;
const CHUNK = 8 * 1024 * 1024;
const chunks = [];
for (let got = 0; got < total; got += CHUNK) {
  const b = Buffer.allocUnsafeSlow(Math.min(CHUNK, total - got));
  b.fill(0x5a);
  chunks.push(b);
}
process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();
process.stdout.write('ready\\n');
let flip = 0;
setInterval(() => { flip ^= 1; for (const b of chunks) for (let i = 0; i < b.length; i += 4096) b[i] = flip; }, 2000);
`;

/**
 * Runs as `sh -c WRAPPER faultline-stress CMD ARGS…`: joins the cgroups listed (one
 * cgroup.procs path a line) in FL_CGROUP_PROCS, then becomes the worker. Exit 97: could not join.
 */
export const CGROUP_WRAPPER = `
IFS='
'
for f in $FL_CGROUP_PROCS; do echo $$ > "$f" || exit 97; done
exec "$@"
`;
