// `osctl kernel audit [--config FILE]`: how far a kernel is from the KSPP and CIS recommendations, as a table
// (KIND OPTION WANTED FOUND VERDICT, REASON with -o wide or --reasons) and a summary count; each node audits its own
// kernel through the API, or --config audits a local kernel config file without any node.
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { auditConfigFile, countVerdicts, summaryText, type AuditFinding } from '../../../kernel-config/index.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { CommandFailure } from '../report.js';
import { cell, formatTable } from '../table.js';

/** Output formats of `kernel audit`. */
export type AuditFormat = 'table' | 'wide' | 'json' | 'yaml';

const FORMATS: readonly AuditFormat[] = ['table', 'wide', 'json', 'yaml'];

function parseFormat(text: string): AuditFormat {
  const f = FORMATS.find((x) => x === text.trim());
  if (f === undefined) throw new InvalidArgumentError(`expected ${FORMATS.join(', ')}`);
  return f;
}

/** One audit to print: which node (or the local file), what was audited, and the findings. */
export interface AuditOutput {
  readonly node?: string;
  readonly source: string;
  readonly release: string;
  readonly findings: readonly AuditFinding[];
}

/** The findings table; NODE first when several nodes answered, REASON and SOURCE last when `reasons`. */
export function auditRows(audits: readonly AuditOutput[], o: { several: boolean; reasons: boolean }): string[] {
  const rows = audits.flatMap((a) =>
    a.findings.map((f) => [
      ...(o.several ? [a.node ?? ''] : []),
      f.kind,
      f.option,
      cell(f.wanted),
      cell(f.found),
      f.verdict,
      ...(o.reasons ? [cell(f.reason), cell(f.source)] : []),
    ]),
  );
  const header = [
    ...(o.several ? ['NODE'] : []),
    'KIND',
    'OPTION',
    'WANTED',
    'FOUND',
    'VERDICT',
    ...(o.reasons ? ['REASON', 'SOURCE'] : []),
  ];
  return formatTable(header, rows);
}

/** `[NODE: ]kernel 6.1.0, config /boot/config-6.1.0: 98 checked: 60 ok, ...`, one line per audit. */
export function summaryLines(audits: readonly AuditOutput[], several: boolean): string[] {
  return audits.map((a) => {
    const what = [
      a.release === '' ? undefined : `kernel ${a.release}`,
      a.source === '' ? 'no kernel config found' : `config ${a.source}`,
    ].filter((x) => x !== undefined);
    return `${several && a.node !== undefined ? `${a.node}: ` : ''}${what.join(', ')}: ${summaryText(a.findings)}`;
  });
}

/** A document per audit for -o json|yaml: the findings and the counts per verdict. */
function documents(audits: readonly AuditOutput[]): Record<string, unknown>[] {
  return audits.map((a) => ({
    ...(a.node === undefined ? {} : { node: a.node }),
    source: a.source,
    release: a.release,
    summary: countVerdicts(a.findings),
    findings: a.findings,
  }));
}

function print(ctx: CommandContext, audits: readonly AuditOutput[], format: AuditFormat, several: boolean): void {
  if (format === 'json') {
    for (const l of JSON.stringify(documents(audits), null, 2).split('\n')) ctx.io.out(l);
    return;
  }
  if (format === 'yaml') {
    for (const d of documents(audits)) for (const l of ['---', ...stringify(d).trimEnd().split('\n')]) ctx.io.out(l);
    return;
  }
  for (const l of auditRows(audits, { several, reasons: format === 'wide' })) ctx.io.out(l);
  ctx.io.out('');
  for (const l of summaryLines(audits, several)) ctx.io.out(l);
}

/** The flags of `kernel audit`. */
interface AuditFlags {
  config?: string;
  output: AuditFormat;
  reasons?: boolean;
}

/** Adds `kernel audit` to `program`. */
export function addKernelCommand(program: Command, ctx: CommandContext): void {
  const kernel = program.command('kernel').description('the kernel of the nodes: hardening audit');
  kernel
    .command('audit')
    .description(
      "compare each node's kernel (config, command line, sysctls) with the KSPP and CIS recommendations, or a local kernel config with --config",
    )
    .option('--config <file>', 'audit this kernel config file (plain or gzipped .config) locally, without a node')
    .addOption(
      new Option('-o, --output <format>', 'table, wide (with reasons), json or yaml')
        .argParser(parseFormat)
        .default('table'),
    )
    .option('--reasons', 'add the REASON and SOURCE of each recommendation to the table (as -o wide)')
    .addHelpText('after', `\nWithout --config, each node audits the kernel it runs on. ${NODES_HELP}`)
    .action(async (flags: AuditFlags, cmd: Command) => {
      const format: AuditFormat = flags.reasons === true && flags.output === 'table' ? 'wide' : flags.output;
      if (flags.config !== undefined) {
        const path = flags.config;
        const report = await auditConfigFile(path, { signal: ctx.signal }).catch((e: unknown) => {
          const err = e as NodeJS.ErrnoException;
          const why = err.code === 'ENOENT' ? 'no such file' : err.message;
          throw new CommandFailure([`osctl: cannot read kernel config ${path}: ${why}`]);
        });
        print(ctx, [report], format, false);
        return;
      }
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.kernelAudit({ signal: ctx.signal })));
        const audits = ok.flatMap(({ node, value }) =>
          value.map((m) => ({
            node,
            source: m.configSource,
            release: m.kernelRelease,
            findings: m.findings as AuditFinding[],
          })),
        );
        print(ctx, audits, format, nodes.several);
        check();
      });
    });
}
