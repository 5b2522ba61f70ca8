/** A stream that writes each line it is given to another stream with a prefix (`[job] `), whole lines only. */
import { Writable } from 'node:stream';

export class LinePrefixer extends Writable {
  #partial = '';

  constructor(
    private readonly target: NodeJS.WritableStream,
    private readonly prefix: string,
  ) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    const lines = (this.#partial + chunk.toString()).split('\n');
    this.#partial = lines.pop() ?? '';
    if (lines.length) this.target.write(lines.map((l) => `${this.prefix}${l}\n`).join(''));
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.#partial) this.target.write(`${this.prefix}${this.#partial}\n`);
    this.#partial = '';
    done();
  }
}

/** Writes every chunk to each of the streams. */
export class Tee extends Writable {
  constructor(private readonly targets: NodeJS.WritableStream[]) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const t of this.targets) t.write(chunk);
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    for (const t of this.targets) if (t instanceof Writable && t !== process.stdout && t !== process.stderr) t.end();
    done();
  }
}
