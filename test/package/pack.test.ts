/**
 * The package as a user installs it: a fresh checkout packed by `npm pack` (its `prepare` builds
 * dist/), the tarball installed into a scratch app, then loaded through ESM, CommonJS and
 * TypeScript (nodenext and bundler) with the project's TypeScript and with the oldest one the
 * README promises. Nothing connects: this checks loading and types only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const projectTsc = require.resolve('typescript/bin/tsc');
/** The oldest TypeScript the README promises; installed into the scratch app only. */
const MIN_TYPESCRIPT = '5.0.4';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Under `npm test`, npm's own variables (npm_config_local_prefix names this project) would steer the
// nested npm commands; a user's shell has none.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function ok(cmd: string, args: string[], cwd: string): Promise<Run> {
  const r = await run(cmd, args, cwd);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

// The consumer uses the main entry points; the @ts-expect-error lines fail the check if the
// package's types degrade to `any` (as they do when a declaration does not compile).
const consumer = `import { columns, connection, model, type InstanceOf } from 'cqlengine';
import { status } from 'cqlengine/testing/cassandra';
import { types } from 'cassandra-driver';

export class User extends model('users', {
  id: columns.uuid().partitionKey().default(() => types.Uuid.random()),
  email: columns.text().required(),
  avatar: columns.blob(),
  visits: columns.bigint(),
  tags: columns.set(columns.text()),
}) {
  label(): string {
    return this.email + ' ' + [...this.tags].join(',');
  }
}

export async function main(): Promise<string> {
  await connection.setup(['127.0.0.1'], 'app', { lazyConnect: true });
  const user: InstanceOf<typeof User> = await User.create({ email: 'ada@example.com', avatar: new Uint8Array([1]) });
  const again = await User.get({ id: user.id });
  const avatar: Buffer | null = again.avatar;
  const visits: bigint | null = again.visits;
  // @ts-expect-error email is a string
  const wrongEmail: number = again.email;
  // @ts-expect-error avatar is a Buffer
  const wrongAvatar: string | null = again.avatar;
  void [avatar, visits, wrongEmail, wrongAvatar, status];
  await connection.shutdown();
  return again.label();
}

export const loaded: string = typeof model;
`;

describe('the packed package', () => {
  let work: string;
  let app: string;
  let minTsc: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'cqlengine-pack-'));
    // A fresh checkout: the files git would give (tracked, or new and not ignored), no dist/.
    const checkout = join(work, 'checkout');
    const listed = await ok('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root);
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      await cp(join(root, file), join(checkout, file), { recursive: true, errorOnExist: false }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e; // deleted in the work tree, not yet in git
      });
    }
    await symlink(join(root, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    const packed = await ok('npm', ['pack', '--silent', '--pack-destination', work], checkout);
    const tarball = join(work, packed.stdout.trim().split('\n').pop()!);

    // The scratch app: the tarball, plus the oldest supported TypeScript (from npm's cache when it
    // has it). The peer cassandra-driver and @types/node are linked from this project, offline.
    app = join(work, 'app');
    await mkdir(join(app, 'node_modules', '@types'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }));
    await ok(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--legacy-peer-deps',
        tarball,
        `typescript@${MIN_TYPESCRIPT}`,
      ],
      app,
    );
    await symlink(join(root, 'node_modules', 'cassandra-driver'), join(app, 'node_modules', 'cassandra-driver'), 'dir');
    await symlink(join(root, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'), 'dir');
    minTsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const version = JSON.parse(await readFile(join(app, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
    assert.equal(version, MIN_TYPESCRIPT);
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships built code, declarations, the CommonJS entry, LICENSE and CHANGELOG, and no sources', async () => {
    const files = await filesUnder(join(app, 'node_modules', 'cqlengine'));
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'cjs/index.cjs',
      'dist/tooling/cassandra/cli.js',
      'dist/management/cli.js',
    ]) {
      assert.ok(files.includes(f), `${f} in the tarball`);
    }
    assert.deepEqual(
      files.filter((f) => /^(src|test|bench|examples)\//.test(f)),
      [],
    );
    const license = await readFile(join(app, 'node_modules', 'cqlengine', 'LICENSE'), 'utf8');
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  });

  it('has source maps that carry their sources (src/ is not shipped)', async () => {
    const pkg = join(app, 'node_modules', 'cqlengine');
    const maps = (await filesUnder(pkg)).filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(join(pkg, map), 'utf8'));
      assert.equal(sourcesContent?.length, sources.length, `${map} inlines its sources`);
    }
  });

  it('imports through ESM', async () => {
    await writeFile(
      join(app, 'esm.mjs'),
      `import { model, columns, connection } from 'cqlengine';
import { start } from 'cqlengine/testing/cassandra';
console.log([model, columns.text, connection.setup, start].map((f) => typeof f).join());`,
    );
    assert.equal((await ok(process.execPath, ['esm.mjs'], app)).stdout.trim(), 'function,function,function,function');
  });

  it('requires through CommonJS, the same module instance as import()', async () => {
    await writeFile(
      join(app, 'cjs.cjs'),
      `const { model, columns, connection } = require('cqlengine');
const { start } = require('cqlengine/testing/cassandra');
import('cqlengine').then((esm) => {
  if (esm.model !== model) throw new Error('require and import gave different modules');
  console.log([model, columns.text, connection.setup, start].map((f) => typeof f).join());
});`,
    );
    const r = await ok(process.execPath, ['cjs.cjs'], app);
    assert.equal(r.stdout.trim(), 'function,function,function,function');
    assert.equal(r.stderr, '', 'no warning on require');
  });

  it('says which Node versions to use when require(esm) is unavailable', async () => {
    // What Node 18, 20.18 and 22.11 do by default.
    const r = await run(process.execPath, ['--no-experimental-require-module', 'cjs.cjs'], app);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /require\('cqlengine'\) needs Node\.js 20\.19\+ or 22\.12\+/);
    assert.match(r.stderr, /await import\('cqlengine'\)/);
  });

  it('runs its command-line tools', async () => {
    const r = await ok(join(app, 'node_modules', '.bin', 'cqlengine-cassandra'), ['--help'], app);
    assert.match(r.stdout + r.stderr, /Usage: cqlengine-cassandra/);
    const sync = await ok(join(app, 'node_modules', '.bin', 'cqlengine'), ['--help'], app);
    assert.match(sync.stdout, /Usage: cqlengine sync --plan\|--apply/);
  });

  /** Type-checks (and with emit, compiles) the consumer as `files` in a folder of its own; returns the error lines. */
  async function typecheck(tsc: string, name: string, files: string[], options: Record<string, unknown>): Promise<string[]> {
    const dir = join(app, name);
    await mkdir(dir, { recursive: true });
    for (const file of files) await writeFile(join(dir, file), consumer);
    const compilerOptions = { strict: true, target: 'ES2022', types: ['node'], skipLibCheck: false, noEmit: true, ...options };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    const r = await run(process.execPath, [tsc, '-p', dir], dir);
    return (r.stdout + r.stderr).split('\n').filter((line) => /error TS\d+/.test(line));
  }

  const nodenext = { module: 'NodeNext', moduleResolution: 'NodeNext' };
  const bundler = { module: 'ESNext', moduleResolution: 'Bundler' };

  it("compiles ESM and CommonJS consumers with the project's TypeScript (nodenext), and runs them", async () => {
    // consumer.cts is CommonJS importing an ES module, which needs TypeScript 5.8+ (README).
    const options = { ...nodenext, noEmit: false, outDir: 'out' };
    assert.deepEqual(await typecheck(projectTsc, 'ts-nodenext', ['consumer.mts', 'consumer.cts'], options), []);
    const esm = await ok(
      process.execPath,
      ['--input-type=module', '-e', "import('./ts-nodenext/out/consumer.mjs').then((m) => console.log(m.loaded))"],
      app,
    );
    assert.equal(esm.stdout.trim(), 'function');
    const cjs = await ok(process.execPath, ['-e', "console.log(require('./ts-nodenext/out/consumer.cjs').loaded)"], app);
    assert.equal(cjs.stdout.trim(), 'function');
  });

  it('type-checks a consumer whose tsconfig lists no types (the default from TypeScript 6): the declarations name @types/node', async () => {
    assert.deepEqual(await typecheck(projectTsc, 'ts-no-types', ['consumer.mts'], { ...nodenext, types: [] }), []);
  });

  it("type-checks a consumer with the project's TypeScript, moduleResolution bundler", async () => {
    assert.deepEqual(await typecheck(projectTsc, 'ts-bundler', ['consumer.ts'], bundler), []);
  });

  for (const [mode, { file, options }] of Object.entries({
    nodenext: { file: 'consumer.mts', options: nodenext },
    bundler: { file: 'consumer.ts', options: bundler },
  })) {
    it(`type-checks a consumer with TypeScript ${MIN_TYPESCRIPT}, moduleResolution ${mode}`, async () => {
      const errors = await typecheck(minTsc, `ts-min-${mode}`, [file], options);
      // TypeScript 5.0–5.5 read cassandra-driver's `import _Long = require('long')` through long's ESM
      // types under `bundler` and reject the driver's own declarations (TS2507). That is the
      // driver's, not ours (users need skipLibCheck for it either way); anything else fails.
      assert.deepEqual(
        errors.filter((line) => !/^[^(]*[\\/]cassandra-driver[\\/][^(]*\(\d+,\d+\): error TS2507:/.test(line)),
        [],
      );
    });
  }
});
