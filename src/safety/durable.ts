/**
 * What makes a write survive a power cut, not only a crash of faultline: a file's own fsync makes
 * its bytes durable, but a new name (a created file or directory, a rename) lives in its parent
 * directory, which needs an fsync of its own.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** fsync a directory, so the names created or renamed in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return; // gone, or a platform that cannot open directories: nothing more can be done
  }
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the files' own fsyncs are all they offer.
  } finally {
    await handle.close();
  }
}

/** `mkdir -p`, then fsync the parent of every directory it created (top-down), so none of them can vanish. */
export async function mkdirDurable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true }); // the first directory created, if any
  if (first === undefined) return;
  const target = resolve(dir);
  for (let d = target; ; d = dirname(d)) {
    await syncDir(dirname(d));
    if (d === resolve(first) || dirname(d) === d) break;
  }
}

/** Append one record and fsync it before resolving. */
export async function appendDurable(path: string, text: string): Promise<void> {
  const file = await open(path, 'a', 0o600);
  try {
    await file.writeFile(text);
    await file.datasync();
  } finally {
    await file.close();
  }
}
