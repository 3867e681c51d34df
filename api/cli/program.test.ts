// The osctl program in process: global flags as the API commands will read them, help, exit codes, error reports.
import { expect } from 'chai';
import type { Command } from 'commander';
import { PatchError } from '../config-gen/index.js';
import { globalOptions, type CommandContext, type GlobalOptions } from './global.js';
import { buildProgram, runOsctl } from './program.js';
import { CommandFailure, EXIT_INTERRUPTED, reportError } from './report.js';

function context(env: NodeJS.ProcessEnv = {}): CommandContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    signal: new AbortController().signal,
    env,
  };
}

/** Parses `args` with a `probe` subcommand that records the global flags it sees. */
async function globalsOf(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GlobalOptions | undefined> {
  let seen: GlobalOptions | undefined;
  const program = buildProgram(context(env));
  program.command('probe').action((_opts: unknown, cmd: Command) => {
    seen = globalOptions(cmd);
  });
  await program.parseAsync([...args, 'probe'], { from: 'user' });
  return seen;
}

describe('osctl program', () => {
  it('parses the global flags: lists split on commas and repeatable, the client config from flag, env or home', async () => {
    expect(
      await globalsOf([
        '-n',
        '10.5.0.2,10.5.0.3',
        '--nodes',
        '10.5.0.4',
        '-e',
        'cp-1',
        '--context',
        'demo',
        '--talosconfig',
        '/tmp/tc',
      ]),
    ).to.deep.equal({
      talosconfig: '/tmp/tc',
      endpoints: ['cp-1'],
      nodes: ['10.5.0.2', '10.5.0.3', '10.5.0.4'],
      context: 'demo',
    });
    expect(await globalsOf([], { TALOSCONFIG: '/etc/osctl/config' })).to.deep.equal({
      talosconfig: '/etc/osctl/config',
      endpoints: [],
      nodes: [],
    });
    expect((await globalsOf([]))?.talosconfig).to.match(/\/\.talos\/config$/);
  });

  it('prints help on stdout with exit 0, and a usage error as one osctl: line with exit 2', async () => {
    const help = context();
    expect(await runOsctl(['gen', '--help'], help)).to.equal(0);
    expect(help.out.join('\n'))
      .to.include('Usage: osctl gen')
      .and.include('config [options] <cluster-name> <endpoint>');
    const usage = context();
    expect(await runOsctl(['gen', 'config', 'demo', 'https://10.5.0.2:6443', '--forse'], usage)).to.equal(2);
    expect(usage.err).to.deep.equal(["osctl: unknown option '--forse' (Did you mean --force?)"]);
    const none = context();
    expect(await runOsctl([], none)).to.equal(2);
    expect(none.err.join('\n')).to.include('Usage: osctl');
  });

  it('reports a bad duration of any command by its flag, with exit 2 and nothing done', async () => {
    for (const args of [
      ['apply-config', '--mode', 'try', '--timeout', 'xx', '-f', '/nonexistent.yaml'],
      ['config', 'new', '--crt-ttl', '10 days'],
      ['health', '--wait-timeout', '0s'],
    ]) {
      const ctx = context();
      expect(await runOsctl(args, ctx), args.join(' ')).to.equal(2);
      expect(ctx.err.join('\n'), args.join(' ')).to.match(
        /^osctl: .*option '--[a-z-]+ <duration>' argument .*(is not a duration such as|must be a positive duration)/,
      );
    }
  });

  it('reports typed errors as one line, bugs as an internal error without a stack unless OSCTL_DEBUG=1', () => {
    expect(reportError(new PatchError({ patch: '@p.yaml', op: 2, path: '/a' }, 'boom'))).to.deep.equal({
      lines: ['osctl: patch @p.yaml, op 2, path /a: boom'],
      exitCode: 1,
    });
    const bug = reportError(new TypeError('x is undefined'), {});
    expect(bug.lines).to.deep.equal([
      'osctl: internal error: x is undefined (a bug; set OSCTL_DEBUG=1 to print the stack trace)',
    ]);
    expect(reportError(new TypeError('x'), { OSCTL_DEBUG: '1' }).lines[1]).to.include('TypeError: x\n    at ');
    expect(reportError(new CommandFailure(['osctl: a', '  b'], 3))).to.deep.equal({
      lines: ['osctl: a', '  b'],
      exitCode: 3,
    });
    const abort = new Error('The operation was aborted');
    abort.name = 'AbortError';
    expect(reportError(abort)).to.deep.equal({ lines: ['osctl: interrupted'], exitCode: EXIT_INTERRUPTED });
  });

  it('stops gen config cleanly when the signal is already aborted, writing nothing', async () => {
    const ctx = { ...context(), signal: AbortSignal.abort() };
    expect(await runOsctl(['gen', 'secrets', '-o', '/nonexistent-dir/secrets.yaml'], ctx)).to.equal(EXIT_INTERRUPTED);
    expect(ctx.err).to.deep.equal(['osctl: interrupted']);
  });
});
