import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './worker.ts';

const WORKER = join(fileURLToPath(new URL('.', import.meta.url)), 'worker.ts');

type Reply = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/** One load-client process; commands run one at a time, answers come back in order. */
export class ClientProcess {
  private readonly waiting: ((r: Reply) => void)[] = [];
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: Reply) => this.waiting.shift()?.(m));
    child.once('exit', (code) => {
      for (const w of this.waiting.splice(0)) w({ ok: false, error: `the client process exited (${code})` });
    });
  }

  static async start(): Promise<ClientProcess> {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const p = new ClientProcess(child);
    await new Promise<Reply>((resolve) => p.waiting.push(resolve));
    return p;
  }

  async call<T = Record<string, unknown>>(command: Command): Promise<T> {
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.push(resolve);
      this.child.send(command);
    });
    if (!reply.ok) throw new Error(`client process: ${reply.error}`);
    return reply as unknown as T;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
