// `osctl gen config` and `osctl gen secrets`: machine configs, talosconfig and secrets bundles, written 0600.
import { Command } from 'commander';
import { DEFAULTS, DEFAULT_KUBERNETES_VERSION, genConfig, genSecretsFile } from '../../config-gen/index.js';
import { collectList, collectRepeated, type CommandContext } from '../global.js';

/** The flags of `gen config` as commander parses them. */
interface GenConfigFlags {
  outputDir: string;
  withSecrets?: string;
  configPatch?: string[];
  configPatchControlPlane?: string[];
  configPatchWorker?: string[];
  additionalSans?: string[];
  dnsDomain: string;
  kubernetesVersion: string;
  installDisk: string;
  force?: boolean;
}

/** Adds `gen` with its subcommands `config` and `secrets` to `program`. */
export function addGenCommand(program: Command, ctx: CommandContext): void {
  const gen = program.command('gen').description('generate machine configs, client configs and secrets');
  addGenConfig(gen, ctx);
  addGenSecrets(gen, ctx);
}

function addGenConfig(gen: Command, ctx: CommandContext): void {
  gen
    .command('config')
    .description('generate controlplane.yaml, worker.yaml and talosconfig for a new cluster')
    .argument('<cluster-name>', 'the name of the cluster')
    .argument('<endpoint>', 'the control-plane endpoint, https://host:port (a bare host[:port] gets https and 6443)')
    .option('-o, --output-dir <dir>', 'the directory to write the files to', '.')
    .option('--with-secrets <file>', 'reuse the CAs and tokens of a secrets bundle (from `osctl gen secrets`)')
    .option('--config-patch <patch>', 'patch both configs: @file or inline YAML/JSON (repeatable)', collectRepeated)
    .option('--config-patch-control-plane <patch>', 'patch the control-plane config (repeatable)', collectRepeated)
    .option('--config-patch-worker <patch>', 'patch the worker config (repeatable)', collectRepeated)
    .option(
      '--additional-sans <list>',
      'more names and addresses for the certificates, comma-separated (repeatable)',
      collectList,
    )
    .option('--dns-domain <domain>', 'the DNS domain of the cluster', DEFAULTS.dnsDomain)
    .option('--kubernetes-version <version>', 'the Kubernetes version of the images', DEFAULT_KUBERNETES_VERSION)
    .option('--install-disk <path>', 'the disk to install to', DEFAULTS.installDisk)
    .option('--force', 'overwrite existing files')
    .action(async (clusterName: string, endpoint: string, flags: GenConfigFlags) => {
      const result = await genConfig({
        clusterName,
        endpoint,
        outputDir: flags.outputDir,
        ...(flags.withSecrets === undefined ? {} : { withSecrets: flags.withSecrets }),
        patches: flags.configPatch ?? [],
        patchesControlPlane: flags.configPatchControlPlane ?? [],
        patchesWorker: flags.configPatchWorker ?? [],
        additionalSans: flags.additionalSans ?? [],
        dnsDomain: flags.dnsDomain,
        kubernetesVersion: flags.kubernetesVersion,
        installDisk: flags.installDisk,
        force: flags.force === true,
        signal: ctx.signal,
      });
      if (result.endpoint.origin !== endpoint) ctx.io.err(`note: using endpoint ${result.endpoint.origin}`);
      for (const w of result.warnings) ctx.io.err(`warning: ${w.file}: ${w.path}: ${w.message}`);
      for (const path of result.written) ctx.io.out(`created ${path}`);
    });
}

function addGenSecrets(gen: Command, ctx: CommandContext): void {
  gen
    .command('secrets')
    .description('generate a secrets bundle (CAs, keys, tokens) to share between gen config runs')
    .option('-o, --output-file <file>', 'the file to write', 'secrets.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (flags: { outputFile: string; force?: boolean }) => {
      await genSecretsFile(flags.outputFile, { force: flags.force === true, signal: ctx.signal });
      ctx.io.out(`created ${flags.outputFile}`);
    });
}
