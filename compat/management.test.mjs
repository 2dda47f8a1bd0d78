// Management API lifecycle through the real AWS SDK for JavaScript v3:
// pool -> client -> users -> groups -> teardown, plus error names.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { outbox, startCogito } from './lib/server.mjs';
import { cognitoClient, rejects } from './lib/env.mjs';

const attrs = (list) => Object.fromEntries((list ?? []).map((a) => [a.Name, a.Value]));

async function expectError(promise, name) {
  const err = await rejects(promise, `call expecting ${name}`);
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  assert.equal(err.$metadata?.httpStatusCode, 400, `${name} should be HTTP 400`);
  return err;
}

describe('management API via @aws-sdk/client-cognito-identity-provider', () => {
  let server;
  let client;
  const s = {}; // state shared by the sequential steps below

  before(async () => {
    server = await startCogito();
    client = cognitoClient(server.endpoint);
  });

  after(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('CreateUserPool with a custom attribute and password policy', async () => {
    const out = await client.send(new CreateUserPoolCommand({
      PoolName: 'compat-mgmt',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 10,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 7,
        },
      },
      Schema: [{
        Name: 'tenant',
        AttributeDataType: 'String',
        Mutable: true,
        StringAttributeConstraints: { MinLength: '1', MaxLength: '64' },
      }],
      AutoVerifiedAttributes: ['email'],
    }));
    const pool = out.UserPool;
    assert.ok(pool, 'UserPool in response');
    assert.match(pool.Id, /^us-east-1_[0-9A-Za-z]+$/);
    assert.equal(pool.Name, 'compat-mgmt');
    assert.match(pool.Arn ?? '', new RegExp(`^arn:aws:cognito-idp:us-east-1:\\d{12}:userpool/${pool.Id}$`));
    s.poolId = pool.Id;
  });

  it('DescribeUserPool', async () => {
    const { UserPool: pool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: s.poolId }));
    assert.equal(pool.Id, s.poolId);
    assert.equal(pool.Name, 'compat-mgmt');
    assert.equal(pool.Policies?.PasswordPolicy?.MinimumLength, 10);
    assert.equal(pool.Policies?.PasswordPolicy?.RequireUppercase, true);
    assert.equal(pool.Policies?.PasswordPolicy?.RequireSymbols, false);
    const names = (pool.SchemaAttributes ?? []).map((a) => a.Name);
    assert.ok(names.includes('custom:tenant'), `SchemaAttributes has custom:tenant (got ${names.join(', ')})`);
    assert.ok(names.includes('email'), 'SchemaAttributes has the standard email attribute');
    assert.ok(pool.CreationDate instanceof Date, 'CreationDate is a timestamp');
  });

  it('CreateUserPoolClient with GenerateSecret', async () => {
    const { UserPoolClient: c } = await client.send(new CreateUserPoolClientCommand({
      UserPoolId: s.poolId,
      ClientName: 'compat-app',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    assert.equal(c.UserPoolId, s.poolId);
    assert.equal(c.ClientName, 'compat-app');
    assert.match(c.ClientId ?? '', /^[0-9a-z]+$/);
    assert.ok(c.ClientSecret && c.ClientSecret.length >= 16, 'ClientSecret generated');
    s.clientId = c.ClientId;
    s.clientSecret = c.ClientSecret;
  });

  it('DescribeUserPoolClient returns the secret', async () => {
    const { UserPoolClient: c } = await client.send(new DescribeUserPoolClientCommand({
      UserPoolId: s.poolId, ClientId: s.clientId,
    }));
    assert.equal(c.ClientId, s.clientId);
    assert.equal(c.ClientSecret, s.clientSecret);
    assert.deepEqual([...(c.ExplicitAuthFlows ?? [])].sort(),
      ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
  });

  it('AdminCreateUser (SUPPRESS, TemporaryPassword) -> FORCE_CHANGE_PASSWORD', async () => {
    const { User: u } = await client.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId,
      Username: 'alice',
      TemporaryPassword: 'TempPassw0rdX',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'alice@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    }));
    assert.equal(u.Username, 'alice');
    assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(u.Enabled, true);
    const a = attrs(u.Attributes);
    assert.equal(a.email, 'alice@example.com');
    assert.match(a.sub ?? '', /^[0-9a-f-]{36}$/, 'sub is a UUID');
    s.aliceSub = a.sub;

    // A second user so that the ListUsers filter has something to exclude.
    await client.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId,
      Username: 'bob',
      TemporaryPassword: 'TempPassw0rdY',
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }],
    }));
  });

  it('AdminGetUser', async () => {
    const u = await client.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: 'alice' }));
    assert.equal(u.Username, 'alice');
    assert.equal(u.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(u.Enabled, true);
    const a = attrs(u.UserAttributes);
    assert.equal(a.email, 'alice@example.com');
    assert.equal(a.email_verified, 'true');
    assert.equal(a.sub, s.aliceSub);
  });

  it('AdminUpdateUserAttributes with the custom attribute', async () => {
    await client.send(new AdminUpdateUserAttributesCommand({
      UserPoolId: s.poolId,
      Username: 'alice',
      UserAttributes: [{ Name: 'custom:tenant', Value: 'acme' }],
    }));
    const u = await client.send(new AdminGetUserCommand({ UserPoolId: s.poolId, Username: 'alice' }));
    assert.equal(attrs(u.UserAttributes)['custom:tenant'], 'acme');
  });

  it('ListUsers with Filter email = "..."', async () => {
    const out = await client.send(new ListUsersCommand({
      UserPoolId: s.poolId,
      Filter: 'email = "alice@example.com"',
    }));
    assert.deepEqual(out.Users.map((u) => u.Username), ['alice']);
    assert.equal(attrs(out.Users[0].Attributes).email, 'alice@example.com');

    const all = await client.send(new ListUsersCommand({ UserPoolId: s.poolId }));
    assert.deepEqual(all.Users.map((u) => u.Username).sort(), ['alice', 'bob']);
  });

  it('dev outbox: SUPPRESS sends nothing, an EMAIL invitation is recorded', async () => {
    assert.deepEqual(await outbox(server.endpoint, 'alice'), [], 'MessageAction SUPPRESS sends no message');
    await client.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId,
      Username: 'erin',
      TemporaryPassword: 'InvitePassw0rd',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [{ Name: 'email', Value: 'erin@example.com' }],
    }));
    const msgs = await outbox(server.endpoint, 'erin');
    assert.ok(Array.isArray(msgs), 'outbox answers a JSON array');
    assert.equal(msgs.length, 1, `one invitation for erin: ${JSON.stringify(msgs)}`);
    const text = JSON.stringify(msgs[0]);
    assert.ok(text.includes('erin@example.com'), `invitation goes to erin's email: ${text}`);
    assert.ok(text.includes('InvitePassw0rd'), `invitation carries the temporary password: ${text}`);
  });

  it('CreateGroup', async () => {
    const { Group: g } = await client.send(new CreateGroupCommand({
      UserPoolId: s.poolId, GroupName: 'admins', Description: 'Administrators', Precedence: 1,
    }));
    assert.equal(g.GroupName, 'admins');
    assert.equal(g.UserPoolId, s.poolId);
    assert.equal(g.Description, 'Administrators');
    assert.equal(g.Precedence, 1);
  });

  it('AdminAddUserToGroup / AdminListGroupsForUser / ListUsersInGroup', async () => {
    await client.send(new AdminAddUserToGroupCommand({
      UserPoolId: s.poolId, Username: 'alice', GroupName: 'admins',
    }));
    const groups = await client.send(new AdminListGroupsForUserCommand({
      UserPoolId: s.poolId, Username: 'alice',
    }));
    assert.deepEqual(groups.Groups.map((g) => g.GroupName), ['admins']);
    const members = await client.send(new ListUsersInGroupCommand({
      UserPoolId: s.poolId, GroupName: 'admins',
    }));
    assert.deepEqual(members.Users.map((u) => u.Username), ['alice']);
  });

  it('AdminRemoveUserFromGroup', async () => {
    await client.send(new AdminRemoveUserFromGroupCommand({
      UserPoolId: s.poolId, Username: 'alice', GroupName: 'admins',
    }));
    const groups = await client.send(new AdminListGroupsForUserCommand({
      UserPoolId: s.poolId, Username: 'alice',
    }));
    assert.deepEqual(groups.Groups ?? [], []);
  });

  it('error: duplicate CreateGroup -> GroupExistsException', async () => {
    await expectError(client.send(new CreateGroupCommand({
      UserPoolId: s.poolId, GroupName: 'admins',
    })), 'GroupExistsException');
  });

  it('DeleteGroup', async () => {
    await client.send(new DeleteGroupCommand({ UserPoolId: s.poolId, GroupName: 'admins' }));
    await expectError(client.send(new ListUsersInGroupCommand({
      UserPoolId: s.poolId, GroupName: 'admins',
    })), 'ResourceNotFoundException');
  });

  it('error: duplicate AdminCreateUser -> UsernameExistsException', async () => {
    await expectError(client.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId, Username: 'alice', TemporaryPassword: 'TempPassw0rdZ', MessageAction: 'SUPPRESS',
    })), 'UsernameExistsException');
  });

  it('error: AdminCreateUser with TemporaryPassword "short" -> InvalidPasswordException', async () => {
    await expectError(client.send(new AdminCreateUserCommand({
      UserPoolId: s.poolId, Username: 'carol', TemporaryPassword: 'short', MessageAction: 'SUPPRESS',
    })), 'InvalidPasswordException');
    // The rejected user must not have been created.
    await expectError(client.send(new AdminGetUserCommand({
      UserPoolId: s.poolId, Username: 'carol',
    })), 'UserNotFoundException');
  });

  it('error: AdminGetUser of an unknown user -> UserNotFoundException', async () => {
    await expectError(client.send(new AdminGetUserCommand({
      UserPoolId: s.poolId, Username: 'nobody-here',
    })), 'UserNotFoundException');
  });

  it('error: DescribeUserPool of an unknown pool -> ResourceNotFoundException', async () => {
    await expectError(client.send(new DescribeUserPoolCommand({
      UserPoolId: 'us-east-1_NoSuchPool',
    })), 'ResourceNotFoundException');
  });

  it('AdminDeleteUser', async () => {
    await client.send(new AdminDeleteUserCommand({ UserPoolId: s.poolId, Username: 'alice' }));
    await client.send(new AdminDeleteUserCommand({ UserPoolId: s.poolId, Username: 'bob' }));
    await expectError(client.send(new AdminGetUserCommand({
      UserPoolId: s.poolId, Username: 'alice',
    })), 'UserNotFoundException');
  });

  it('DeleteUserPoolClient', async () => {
    await client.send(new DeleteUserPoolClientCommand({ UserPoolId: s.poolId, ClientId: s.clientId }));
    await expectError(client.send(new DescribeUserPoolClientCommand({
      UserPoolId: s.poolId, ClientId: s.clientId,
    })), 'ResourceNotFoundException');
  });

  it('DeleteUserPool', async () => {
    await client.send(new DeleteUserPoolCommand({ UserPoolId: s.poolId }));
    await expectError(client.send(new DescribeUserPoolCommand({ UserPoolId: s.poolId })),
      'ResourceNotFoundException');
  });
});
