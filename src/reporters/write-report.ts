/** Report files are private to the user who ran faultline: they quote the experiment and the system's addresses. */
import { chmod, mkdir, open, rename } from 'node:fs/promises';

/** Creates the directory (and parents) 0700; a directory that already exists keeps its mode. */
export async function ensureReportDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Writes `content` to `path` atomically (temp file, then rename) with mode 0600, whatever the umask. */
export async function writePrivately(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(content);
    await file.chmod(0o600);
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await chmod(path, 0o600);
}
