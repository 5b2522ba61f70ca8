/**
 * What makes a write survive a power cut, not only a crash of faultline: a file's own fsync makes
 * its bytes durable, but a new name (a created file or directory, a rename) lives in its parent
 * directory, which needs an fsync of its own.
 */
import { mkdir, open, stat } from 'node:fs/promises';
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

/** `mkdir -p`, then fsync the parent of every directory it created, so none of them can vanish. */
export async function mkdirDurable(dir: string): Promise<void> {
  const target = resolve(dir);
  // The deepest ancestor that exists already: every directory below it is new. (Found by hand:
  // what mkdir's recursive mode returns has differed between Node versions.)
  let existing = target;
  while (!(await isDir(existing))) {
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  if (existing === target) return;
  await mkdir(target, { recursive: true });
  for (let d = target; d !== existing && dirname(d) !== d; d = dirname(d)) await syncDir(dirname(d));
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
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
