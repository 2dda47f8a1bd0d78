// Durability: data survives a clean restart (SIGTERM) and every acknowledged
// AdminCreateUser survives a crash (SIGKILL mid-stream).
//
// Runs against the default store (SQLite under --data) and, when
// COGITO_TEST_POSTGRES is set, against PostgreSQL via --db <fresh database>.
// Under CI=true a missing COGITO_TEST_POSTGRES is a failure.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { makeTempDir, startCogito } from './lib/server.mjs';
import { cognitoClient, mapLimit, requireDep, skipUnlessCI, uniqueName } from './lib/env.mjs';

const PG_URL = process.env.COGITO_TEST_POSTGRES;
const PG_MISSING = PG_URL ? null : 'COGITO_TEST_POSTGRES is not set (scripts/test starts a throwaway PostgreSQL)';

const TEMP_PASSWORD = 'TempPassw0rd!';

/** Create a uniquely named database on the COGITO_TEST_POSTGRES server. */
async function freshDatabase() {
  const name = uniqueName('cogito_compat').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    // template0: CREATE DATABASE fails while its template has other sessions.
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } catch {
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await c.end();
      }
    },
  };
}

const backends = [
  {
    name: 'sqlite (default --data store)',
    skip: false,
    async setup() { return { args: [], async cleanup() {} }; },
  },
  {
    name: 'postgres (--db)',
    skip: PG_MISSING ?? false,
    async setup() {
      const db = await freshDatabase();
      return { args: ['--db', db.url], cleanup: () => db.drop() };
    },
  },
];

function client(endpoint) {
  return cognitoClient(endpoint, { requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000 } });
}

async function createPool(c, name) {
  const { UserPool } = await c.send(new CreateUserPoolCommand({ PoolName: name }));
  assert.ok(UserPool?.Id, 'pool id');
  return UserPool.Id;
}

function createUser(c, poolId, username) {
  return c.send(new AdminCreateUserCommand({
    UserPoolId: poolId,
    Username: username,
    TemporaryPassword: TEMP_PASSWORD,
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
  }));
}

async function listAllUsernames(c, poolId) {
  const names = [];
  let token;
  for (let page = 0; page < 1000; page++) {
    const out = await c.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 60, PaginationToken: token }));
    names.push(...(out.Users ?? []).map((u) => u.Username));
    token = out.PaginationToken;
    if (!token) break;
  }
  return names;
}

/** Usernames of `names` that AdminGetUser does not find. */
async function missingUsers(c, poolId, names) {
  const found = await mapLimit(names, 8, async (username) => {
    try {
      const u = await c.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
      return u.Username === username;
    } catch (err) {
      if (err.name === 'UserNotFoundException') return false;
      throw err;
    }
  });
  return names.filter((_, i) => !found[i]);
}

// Fails under CI=true when PostgreSQL is not available; a skip elsewhere.
it('COGITO_TEST_POSTGRES is set', { skip: skipUnlessCI(PG_MISSING) }, () => {
  requireDep(PG_MISSING);
});

for (const backend of backends) {
  describe(`durability: ${backend.name}`, { skip: backend.skip }, () => {
    it('SIGTERM then restart keeps a pool and 50 users', async (t) => {
      const store = await backend.setup();
      const dataDir = makeTempDir('cogito-durable-');
      let server;
      try {
        server = await startCogito({ dataDir, args: store.args });
        let c = client(server.endpoint);
        const poolId = await createPool(c, 'durable-graceful');
        const names = Array.from({ length: 50 }, (_, i) => `user${String(i).padStart(2, '0')}`);
        await mapLimit(names, 4, (n) => createUser(c, poolId, n));
        c.destroy();

        const exit = await server.stop();
        t.diagnostic(`server exited after SIGTERM with code ${exit.code}, signal ${exit.signal}`);
        assert.notEqual(exit.signal, 'SIGKILL', 'server did not exit within 15 s of SIGTERM');
        assert.ok(exit.code === 0 || exit.signal === 'SIGTERM',
          `unclean exit after SIGTERM: code ${exit.code}, signal ${exit.signal}\n${server.logs().slice(-4000)}`);

        server = await startCogito({ dataDir, args: store.args });
        c = client(server.endpoint);
        const { UserPool } = await c.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
        assert.equal(UserPool.Name, 'durable-graceful');
        const listed = await listAllUsernames(c, poolId);
        assert.deepEqual([...listed].sort(), names, 'ListUsers after restart returns all 50 users');
        assert.deepEqual(await missingUsers(c, poolId, names), []);
        const u = await c.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'user07' }));
        assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
        assert.equal(u.UserAttributes.find((a) => a.Name === 'email')?.Value, 'user07@example.com');
        c.destroy();
      } finally {
        await server?.stop();
        await store.cleanup();
      }
    });

    it('SIGKILL mid-stream loses no acknowledged AdminCreateUser', async (t) => {
      const store = await backend.setup();
      const dataDir = makeTempDir('cogito-crash-');
      let server;
      try {
        server = await startCogito({ dataDir, args: store.args });
        const c = client(server.endpoint);
        const poolId = await createPool(c, 'durable-crash');

        const acked = [];
        const earlyErrors = [];
        let killed = false;
        let attempts = 0;
        const MAX_ATTEMPTS = 20_000; // bound the stream regardless of speed
        const worker = async (w) => {
          for (let i = 0; !killed && attempts < MAX_ATTEMPTS; i++) {
            attempts++;
            const username = `crash-w${w}-${i}`;
            try {
              await createUser(c, poolId, username);
              acked.push(username);
            } catch (err) {
              if (killed) return;
              earlyErrors.push(`${username}: ${err.name}: ${err.message}`);
              if (earlyErrors.length > 20) return;
            }
          }
        };
        const started = Date.now();
        const workers = [0, 1, 2, 3].map(worker);

        // Kill after ~1 s, but only once a few calls were acknowledged
        // (give a slow server up to 15 s to acknowledge something).
        await sleep(1000);
        while (acked.length < 20 && Date.now() - started < 15_000 && earlyErrors.length === 0) {
          await sleep(50);
        }
        const ackedAtKill = acked.length;
        killed = true;
        await server.kill();
        await Promise.all(workers);
        c.destroy();
        t.diagnostic(`SIGKILL after ${Date.now() - started} ms: ${ackedAtKill} acknowledged, ` +
          `${attempts} attempted`);

        assert.deepEqual(earlyErrors, [], 'AdminCreateUser failed before the kill');
        assert.ok(acked.length > 0, 'no AdminCreateUser was acknowledged before the kill');

        server = await startCogito({ dataDir, args: store.args });
        const c2 = client(server.endpoint);
        const { UserPool } = await c2.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
        assert.equal(UserPool.Name, 'durable-crash');
        const missing = await missingUsers(c2, poolId, acked);
        assert.deepEqual(missing, [],
          `${missing.length} of ${acked.length} acknowledged users are gone after SIGKILL + restart`);
        c2.destroy();
      } finally {
        await server?.stop();
        await store.cleanup();
      }
    });
  });
}
