// The `twinfold` command: dispatches to subcommands. Each subcommand module is loaded lazily
// so `twinfold --help` stays fast and one command's dependencies never slow another.
import { UsageError } from './usage.js';
import { SetupError } from './setupError.js';

interface Subcommand {
  summary: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  demo: { summary: 'try Twinfold offline: a local Dropbox emulator, the web UI and a demo folder pair, in one command', load: () => import('./demoCommand.js') },
  sync: { summary: 'keep a local folder and a Dropbox folder identical (live, or --once)', load: () => import('./syncCommand.js') },
  status: { summary: 'show what a folder pair is doing (--state DIR)', load: () => import('./statusCommand.js') },
  serve: { summary: 'run the sync service with a web UI on this machine (headless servers)', load: () => import('./serveCommand.js') },
  emulator: { summary: 'run a local emulator of the Dropbox API v2 (for tests and offline development)', load: () => import('./emulatorCommand.js') },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, sub]) => `  ${name.padEnd(width)}  ${sub.summary}`);
  return [
    'usage: twinfold <command> [options]',
    '',
    'Keeps a local folder and a Dropbox folder identical.',
    '',
    'commands:',
    ...lines,
    '',
    'Run `twinfold <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(helpText());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const sub = SUBCOMMANDS[command];
  if (!sub) {
    console.error(`twinfold: unknown command ${JSON.stringify(command)}\n\n${helpText()}`);
    return 2;
  }
  try {
    return await (await sub.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`twinfold ${err.message}`);
      return 2;
    }
    if (err instanceof SetupError) {
      console.error(`twinfold: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
