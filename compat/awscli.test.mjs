// The management lifecycle through the real AWS CLI v2 (`aws cognito-idp ...`).
//
// The CLI is found as: $AWS_CLI, else the first of `aws` on PATH, /usr/bin/aws,
// /usr/local/bin/aws that reports aws-cli/2 (scripts/test exports AWS_CLI).
// Without a v2 CLI the test is skipped, except under CI=true, where it fails.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { startCogito, makeTempDir } from './lib/server.mjs';
import { requireDep, skipUnlessCI, REGION } from './lib/env.mjs';

function findAwsCliV2() {
  const candidates = process.env.AWS_CLI
    ? [process.env.AWS_CLI]
    : ['aws', '/usr/bin/aws', '/usr/local/bin/aws'];
  const seen = [];
  for (const c of candidates) {
    try {
      const out = execFileSync(c, ['--version'], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000,
      }).trim();
      if (/^aws-cli\/2\./.test(out)) return { bin: c };
      seen.push(`${c}: ${out.split('\n')[0]}`);
    } catch (err) {
      seen.push(`${c}: ${err.code === 'ENOENT' ? 'not found' : err.message.split('\n')[0]}`);
    }
  }
  return { missing: `AWS CLI v2 not found (${seen.join('; ')}); on Debian: apt-get install awscli` };
}

const cli = findAwsCliV2();

// Fails under CI=true when the CLI is missing; a skip elsewhere.
it('AWS CLI v2 is available', { skip: skipUnlessCI(cli.missing) }, (t) => {
  requireDep(cli.missing);
  t.diagnostic(`using ${cli.bin}`);
});

describe('management API via the AWS CLI v2', { skip: cli.missing ?? false }, () => {
  let server;
  let env;
  const s = {};

  // Run `aws cognito-idp <args>`; resolves {code, stdout, stderr, json}.
  function aws(args) {
    const argv = ['cognito-idp', ...args,
      '--endpoint-url', server.endpoint, '--region', REGION, '--output', 'json', '--no-cli-pager'];
    return new Promise((resolve) => {
      execFile(cli.bin, argv, { env, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          let json;
          if (stdout.trim()) {
            try { json = JSON.parse(stdout); } catch { /* left undefined */ }
          }
          resolve({ code, stdout, stderr, json, argv });
        });
    });
  }

  // Run and require success + (when expected) JSON output.
  async function ok(args, { expectJson = true } = {}) {
    const r = await aws(args);
    assert.equal(r.code, 0,
      `aws ${r.argv.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
    if (expectJson) assert.ok(r.json, `aws ${args[0]} printed no JSON: ${r.stdout}`);
    return r.json;
  }

  before(async () => {
    server = await startCogito();
    const nowhere = path.join(makeTempDir('cogito-awscli-'), 'does-not-exist');
    env = { ...process.env };
    for (const k of Object.keys(env)) {
      if (/^AWS_/.test(k)) delete env[k];
    }
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'AKIDCOGITOTEST',
      AWS_SECRET_ACCESS_KEY: 'cogito-test-secret',
      AWS_CONFIG_FILE: nowhere,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_RETRY_MODE: 'standard',
    });
  });

  after(async () => {
    await server?.stop();
  });

  it('create-user-pool', async () => {
    const out = await ok(['create-user-pool', '--pool-name', 'compat-cli',
      '--policies', JSON.stringify({ PasswordPolicy: {
        MinimumLength: 8, RequireUppercase: true, RequireLowercase: true,
        RequireNumbers: true, RequireSymbols: false,
      } }),
      '--schema', JSON.stringify([{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }]),
    ]);
    assert.match(out.UserPool.Id, /^us-east-1_[0-9A-Za-z]+$/);
    assert.equal(out.UserPool.Name, 'compat-cli');
    s.poolId = out.UserPool.Id;
  });

  it('create-user-pool-client', async () => {
    const out = await ok(['create-user-pool-client', '--user-pool-id', s.poolId,
      '--client-name', 'compat-cli-app', '--generate-secret']);
    assert.equal(out.UserPoolClient.UserPoolId, s.poolId);
    assert.ok(out.UserPoolClient.ClientId);
    assert.ok(out.UserPoolClient.ClientSecret, 'ClientSecret generated');
  });

  it('admin-create-user', async () => {
    const out = await ok(['admin-create-user', '--user-pool-id', s.poolId,
      '--username', 'carol', '--temporary-password', 'TempPassw0rd',
      '--message-action', 'SUPPRESS',
      '--user-attributes', JSON.stringify([
        { Name: 'email', Value: 'carol@example.com' },
        { Name: 'custom:tenant', Value: 'acme' },
      ])]);
    assert.equal(out.User.Username, 'carol');
    assert.equal(out.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
    await ok(['admin-create-user', '--user-pool-id', s.poolId,
      '--username', 'dave', '--temporary-password', 'TempPassw0rd',
      '--message-action', 'SUPPRESS',
      '--user-attributes', JSON.stringify([{ Name: 'email', Value: 'dave@example.com' }])]);
  });

  it('admin-get-user', async () => {
    const out = await ok(['admin-get-user', '--user-pool-id', s.poolId, '--username', 'carol']);
    assert.equal(out.Username, 'carol');
    assert.equal(out.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const a = Object.fromEntries(out.UserAttributes.map((x) => [x.Name, x.Value]));
    assert.equal(a.email, 'carol@example.com');
    assert.equal(a['custom:tenant'], 'acme');
    assert.ok(a.sub, 'sub attribute present');
    // The CLI parses timestamps itself: they must be valid epoch numbers/dates.
    assert.ok(out.UserCreateDate, 'UserCreateDate present');
  });

  it('list-users --filter', async () => {
    const out = await ok(['list-users', '--user-pool-id', s.poolId,
      '--filter', 'email = "carol@example.com"']);
    assert.deepEqual(out.Users.map((u) => u.Username), ['carol']);
  });

  it('create-group / admin-add-user-to-group / admin-list-groups-for-user', async () => {
    const g = await ok(['create-group', '--user-pool-id', s.poolId,
      '--group-name', 'editors', '--description', 'Editors', '--precedence', '5']);
    assert.equal(g.Group.GroupName, 'editors');
    await ok(['admin-add-user-to-group', '--user-pool-id', s.poolId,
      '--username', 'carol', '--group-name', 'editors'], { expectJson: false });
    const out = await ok(['admin-list-groups-for-user', '--user-pool-id', s.poolId,
      '--username', 'carol']);
    assert.deepEqual(out.Groups.map((x) => x.GroupName), ['editors']);
  });

  it('error: admin-get-user of an unknown user names UserNotFoundException', async () => {
    const r = await aws(['admin-get-user', '--user-pool-id', s.poolId, '--username', 'nobody-here']);
    assert.notEqual(r.code, 0, 'the CLI must exit non-zero');
    assert.match(r.stderr, /An error occurred \(UserNotFoundException\)/,
      `stderr was: ${r.stderr}`);
  });

  it('delete-user-pool', async () => {
    await ok(['delete-user-pool', '--user-pool-id', s.poolId], { expectJson: false });
    const r = await aws(['describe-user-pool', '--user-pool-id', s.poolId]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /An error occurred \(ResourceNotFoundException\)/, `stderr was: ${r.stderr}`);
  });
});
