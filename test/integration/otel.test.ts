import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, ensureCassandra, uniqueKeyspaceName } from '../helpers/cassandra.js';

const run = promisify(execFile);

it("OpenTelemetry's cassandra-driver instrumentation sees the mapper's statements: DDL, writes, reads and batches", async () => {
  const { hosts } = await ensureCassandra();
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'fixtures', 'otel.ts'), hosts.join(','), uniqueKeyspaceName()],
    {
      cwd: REPO_ROOT,
      timeout: 120_000,
    },
  );
  const spans = JSON.parse(stdout) as { name: string; attributes: Record<string, unknown> }[];
  const statements = spans.map((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text'] ?? ''));
  assert.ok(
    statements.some((q) => /^CREATE TABLE .*"otel_notes"/.test(q)),
    `a CREATE TABLE span among ${statements.join(' | ')}`,
  );
  assert.ok(
    statements.some((q) => /^INSERT INTO .*"otel_notes"/.test(q)),
    'an INSERT span',
  );
  assert.ok(
    statements.some((q) => /^SELECT .* FROM .*"otel_notes"/.test(q)),
    'a SELECT span',
  );
  assert.ok(
    spans.some((s) => s.name.includes('batch')),
    `a batch span among ${spans.map((s) => s.name).join(', ')}`,
  );
});
