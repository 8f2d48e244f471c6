import * as fs from 'fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process of this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs body while holding a lock file (its content: the holder's pid), so that two processes (jest
 * workers, a CLI call) never build or start the same thing at once. A lock whose holder died is taken over.
 */
export async function withFileLock<T>(file: string, what: string, body: () => Promise<T>, timeoutMs = 60 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(file, 'utf8').trim() || '0');
      } catch {
        continue; // released between our attempts
      }
      if (!holder || !alive(holder)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${what}: ${file} held by pid ${holder} for ${timeoutMs / 60_000} minutes`);
      if (!told) process.stderr.write(`[cluster] ${what}: waiting for pid ${holder} (${file})\n`);
      told = true;
      await sleep(500);
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
