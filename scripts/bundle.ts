// Bundling for `npm run build` (and the benchmarks' measuring processes): TypeScript sources as
// plain JavaScript that node runs without a TypeScript loader, which would hold on to a
// hundred-odd megabytes of compiled sources and source maps for as long as the bot runs.
// Packages stay in node_modules; the files the code opens beside itself (migrations, the
// console's assets) are copied next to the bundle, where its `new URL('./…', import.meta.url)`
// finds them.
import { cpSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

// A package's JSON data (the statutory calendar) goes into the bundle: left outside, its import
// would lose the `with { type: 'json' }` that Node requires.
const packageJsonInside: Plugin = {
  name: 'package-json-inside',
  setup(b) {
    const resolve = createRequire(join(root, 'package.json')).resolve;
    b.onResolve({ filter: /^[^./].*\.json$/ }, (args) => ({ path: resolve(args.path) }));
  },
};

// The processes the bot forks, in every bundle: the code that forks one finds it beside itself.
const CHILD_ENTRIES = { 'ledger-process': 'src/jobs/ledger-process.ts', 'extract-process': 'src/intake/extract-process.ts' };

/**
 * Bundles the given entry points (paths from the repository root), and the bot's child processes,
 * into `outdir`, replacing what was there. The bundle is made beside `outdir` and swapped in whole:
 * a bot already running from `outdir` (or a second build at the same time) then never starts a
 * child from a half-written folder, as it could while `outdir` was emptied and rebuilt in place.
 */
export async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  const fresh = `${outdir}.${process.pid}.new`;
  const old = `${outdir}.${process.pid}.old`;
  rmSync(fresh, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { ...entryPoints, ...CHILD_ENTRIES },
    outdir: fresh,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    sourcemap: true,
    plugins: [packageJsonInside],
    logLevel: 'warning',
  });
  cpSync(join(root, 'db/migrations'), join(fresh, 'migrations'), { recursive: true });
  cpSync(join(root, 'db/migrations-pg'), join(fresh, 'migrations-pg'), { recursive: true });
  cpSync(join(root, 'src/web/assets'), join(fresh, 'assets'), { recursive: true });
  // another build may swap its own in between our two renames: then ours goes in on the next turn
  for (;;) {
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(outdir, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // nothing there to replace
    }
    try {
      renameSync(fresh, outdir);
      break;
    } catch (err) {
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  rmSync(old, { recursive: true, force: true });
}
