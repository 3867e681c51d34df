// `osctl etcd members|status|snapshot`: the etcd cluster of the control-plane nodes, as talosctl shows it.
import { open, rename, rm } from 'node:fs/promises';
import { Command } from 'commander';
import type { PbEtcdMember, PbEtcdMemberStatus } from '../../proto/types.js';
import { NODES_HELP, outcomes, withNodes } from '../connect.js';
import type { CommandContext } from '../global.js';
import { CommandFailure } from '../report.js';
import { formatTable } from '../table.js';
import { humanBytes } from './stats.js';

/** A uint64 member id (decimal string) in hex, as etcdctl and talosctl print it. */
export function hexId(id: string): string {
  return id === '' || id === '0' ? '0' : BigInt(id).toString(16);
}

/** The members table: NODE? ID HOSTNAME PEER URLS CLIENT URLS LEARNER. */
export function memberRows(
  perNode: readonly { node: string; members: readonly PbEtcdMember[] }[],
  several: boolean,
): string[] {
  const rows = perNode.flatMap(({ node, members }) =>
    members.map((m) => [
      ...(several ? [node] : []),
      hexId(m.id),
      m.hostname,
      m.peerUrls.join(','),
      m.clientUrls.join(','),
      String(m.isLearner),
    ]),
  );
  return formatTable([...(several ? ['NODE'] : []), 'ID', 'HOSTNAME', 'PEER URLS', 'CLIENT URLS', 'LEARNER'], rows);
}

/** The status table: one row per node's member. */
export function statusRows(perNode: readonly { node: string; status: PbEtcdMemberStatus }[]): string[] {
  const rows = perNode.map(({ node, status: s }) => {
    const size = Number(s.dbSize);
    const inUse = Number(s.dbSizeInUse);
    const pct = size > 0 ? ` (${((inUse / size) * 100).toFixed(2)}%)` : '';
    return [
      node,
      hexId(s.memberId),
      humanBytes(size),
      `${humanBytes(inUse)}${pct}`,
      hexId(s.leader),
      s.raftIndex,
      s.raftTerm,
      s.raftAppliedIndex,
      String(s.isLearner),
      s.errors.join(', '),
    ];
  });
  const header = ['NODE', 'MEMBER', 'DB SIZE', 'IN USE', 'LEADER', 'RAFT INDEX', 'RAFT TERM', 'RAFT APPLIED INDEX'];
  return formatTable([...header, 'LEARNER', 'ERRORS'], rows);
}

/** Adds `etcd members|status|snapshot` to `program`. */
export function addEtcdCommand(program: Command, ctx: CommandContext): void {
  const etcd = program.command('etcd').description('the etcd cluster of the control-plane nodes');
  etcd
    .command('members')
    .description('list the members of the etcd cluster, as each node sees them')
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (_flags: unknown, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.etcdMembers({ signal: ctx.signal })));
        const perNode = ok.map(({ node, value }) => ({ node, members: value.flatMap((v) => v.members) }));
        for (const l of memberRows(perNode, nodes.several)) ctx.io.out(l);
        check();
      });
    });
  etcd
    .command('status')
    .description("show each node's etcd member: database size, leader, raft index and term")
    .addHelpText('after', `\n${NODES_HELP}`)
    .action(async (_flags: unknown, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const { ok, check } = outcomes(await nodes.each((n) => n.machine.etcdStatus({ signal: ctx.signal })));
        const perNode = ok.flatMap(({ node, value }) =>
          value.flatMap((v) => (v.memberStatus === null ? [] : [{ node, status: v.memberStatus }])),
        );
        for (const l of statusRows(perNode)) ctx.io.out(l);
        check();
      });
    });
  etcd
    .command('snapshot')
    .description("stream a snapshot of etcd's database from a node into a file (etcdctl snapshot status reads it)")
    .argument('<path>', 'the file to write')
    .addHelpText('after', `\nThe first node is asked. ${NODES_HELP}`)
    .action(async (path: string, _flags: unknown, cmd: Command) => {
      await withNodes(cmd, ctx, {}, async (nodes) => {
        const [first] = nodes.nodes;
        if (first === undefined) return;
        // Written beside the target and renamed at the end: an interrupted snapshot never looks like a whole one.
        const part = `${path}.part`;
        const fh = await open(part, 'w', 0o600).catch((e: unknown) => {
          throw new CommandFailure([`osctl: cannot write ${part}: ${(e as Error).message}`]);
        });
        let bytes = 0;
        try {
          for await (const chunk of first.machine.etcdSnapshot({ signal: ctx.signal })) {
            await fh.write(chunk);
            bytes += chunk.length;
          }
          await fh.sync();
        } catch (e) {
          await fh.close();
          await rm(part, { force: true });
          throw e;
        }
        await fh.close();
        await rename(part, path);
        ctx.io.out(`etcd snapshot saved to "${path}" (${bytes} bytes)`);
      });
    });
}
