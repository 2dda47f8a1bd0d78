// gen-vectors.mjs writes js-vectors.json: SRP test vectors produced by the real
// JavaScript client, amazon-cognito-identity-js, so that the Go server side in
// internal/srp can be checked against it bit for bit (see jsvectors_test.go).
//
// Regenerate (the npm registry must be reachable):
//
//	mkdir -p /tmp/srpjs && cd /tmp/srpjs && npm init -y && npm install amazon-cognito-identity-js@6.3.21
//	cd /work/main   # the repository root
//	node internal/srp/testdata/gen-vectors.mjs /tmp/srpjs > internal/srp/testdata/js-vectors.json
//
// For a wider, throw-away check, "--random N" writes N vectors with random
// inputs instead (not deterministic; do not commit them), which the Go test
// also runs when SRP_JS_VECTORS names the file:
//
//	node internal/srp/testdata/gen-vectors.mjs /tmp/srpjs --random 300 > /tmp/srp-random.json
//	SRP_JS_VECTORS=/tmp/srp-random.json go test ./internal/srp/ -run JSVectors
//
// The script is deterministic: every secret (client a, server b, salt, secret
// block) is derived from SHA-256 of a label and a counter, so rerunning it with
// the same library version reproduces the same file byte for byte.
//
// What comes from the library and what does not:
//   - The client side runs the library's own code path end to end:
//     CognitoUser.authenticateUser (USER_SRP_AUTH) talks to a stub of the
//     service (pool.client.request is replaced), so SRP_A, TIMESTAMP and
//     PASSWORD_CLAIM_SIGNATURE are exactly what the library would send to
//     Cognito. Only two things are pinned: the random client exponent a
//     (AuthenticationHelper.prototype.generateRandomSmallA is replaced) and
//     the clock (Date is replaced), so the output is reproducible.
//   - x (the salted password hash), S, u and the HKDF key are captured from
//     inside the library (calculateS and getPasswordAuthenticationKey are
//     wrapped, not reimplemented).
//   - The "server" values are computed here with the library's own BigInteger
//     and constants: the verifier v = g^x mod N (x captured from the library),
//     and B = (k*v + g^b) mod N. The Go test recomputes v and B itself and
//     must arrive at the same numbers, then derives the key from the
//     library's A and checks the library's signature.

import { createRequire } from 'node:module';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';

const dir = process.argv[2] || process.env.COGNITO_JS_DIR;
if (!dir) {
	console.error('usage: node gen-vectors.mjs <folder where amazon-cognito-identity-js is installed>');
	process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), 'noop.js'));
const lib = require('amazon-cognito-identity-js');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const libVersion = require('amazon-cognito-identity-js/package.json').version;

// ---- deterministic "randomness" -------------------------------------------

function drbg(label, n) {
	const out = [];
	for (let i = 0; out.length < n; i++) {
		out.push(...createHash('sha256').update(`${label}/${i}`).digest());
	}
	return Buffer.from(out.slice(0, n));
}

// ---- hooks into the library -----------------------------------------------

let pinnedSmallA = null; // BigInteger the next AuthenticationHelper uses as a
const origSmallA = AuthenticationHelper.prototype.generateRandomSmallA;
AuthenticationHelper.prototype.generateRandomSmallA = function () {
	return pinnedSmallA ?? origSmallA.call(this);
};

let captured = {};
const origCalcS = AuthenticationHelper.prototype.calculateS;
AuthenticationHelper.prototype.calculateS = function (x, B, cb) {
	captured.x = x;
	return origCalcS.call(this, x, B, (err, S) => {
		captured.S = S;
		cb(err, S);
	});
};
const origKey = AuthenticationHelper.prototype.getPasswordAuthenticationKey;
AuthenticationHelper.prototype.getPasswordAuthenticationKey = function (user, pw, B, salt, cb) {
	return origKey.call(this, user, pw, B, salt, (err, hkdf) => {
		captured.u = this.UValue;
		captured.key = hkdf;
		cb(err, hkdf);
	});
};

const RealDate = Date;
function pinClock(ms) {
	globalThis.Date = class extends RealDate {
		constructor(...args) {
			if (args.length === 0) super(ms);
			else super(...args);
		}
		static now() {
			return ms;
		}
	};
}
function unpinClock() {
	globalThis.Date = RealDate;
}

// ---- helpers ----------------------------------------------------------------

const helper0 = new AuthenticationHelper('x'); // for N, g, k and padHex only
const { N, g, k } = helper0;
const padHex = (bi) => helper0.padHex(bi);
const hexOf = (bi) => bi.toString(16);
const big = (buf) => new BigInteger(buf.toString('hex'), 16);
const signByte = (bi) => padHex(bi).startsWith('00') && padHex(bi).length > 2;

const xCache = new Map();

// x as the library computes it for this user, password and salt, taken from
// inside getPasswordAuthenticationKey. x does not depend on B, so any legal B
// works for this pass.
function libraryX(poolName, userIdForSRP, password, saltParam) {
	const h = new AuthenticationHelper(poolName);
	captured = {};
	h.getPasswordAuthenticationKey(userIdForSRP, password, new BigInteger('2', 16), new BigInteger(saltParam, 16), () => {});
	return captured.x;
}

function modPow(base, e) {
	let r;
	base.modPow(e, N, (err, v) => {
		if (err) throw err;
		r = v;
	});
	return r;
}

// One USER_SRP_AUTH sign-in through CognitoUser.authenticateUser against a stub
// service. Resolves with what the library sent.
function signIn({ userPoolId, username, password, challenge }) {
	return new Promise((resolve, reject) => {
		const pool = new lib.CognitoUserPool({ UserPoolId: userPoolId, ClientId: '1example23456789example012' });
		const sent = {};
		pool.client.request = (op, params, cb) => {
			if (op === 'InitiateAuth') {
				sent.initiate = params;
				cb(null, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: challenge(params.AuthParameters.SRP_A) });
			} else if (op === 'RespondToAuthChallenge') {
				sent.respond = params;
				cb(Object.assign(new Error('stub stops here'), { code: 'StubStop' }));
			} else {
				reject(new Error(`unexpected operation ${op}`));
			}
		};
		const user = new lib.CognitoUser({ Username: username, Pool: pool });
		user.setAuthenticationFlowType('USER_SRP_AUTH');
		const details = new lib.AuthenticationDetails({ Username: username, Password: password });
		user.authenticateUser(details, {
			onSuccess: () => reject(new Error('stub cannot succeed')),
			onFailure: (err) => (err && err.code === 'StubStop' ? resolve(sent) : reject(err)),
		});
	});
}

// ---- one vector -------------------------------------------------------------

async function makeVector(spec, counter) {
	const label = `${spec.name}/${counter}`;
	const poolName = spec.userPoolId.split('_')[1];
	// The salt depends on the vector's name only (not the search counter), so
	// x and v are computed once per vector (see xCache).
	const salt = spec.salt ? spec.salt(drbg(`${spec.name}/salt`, 16)) : drbg(`${spec.name}/salt`, 16);
	const saltParam = padHex(big(salt)); // what the server sends as SALT
	const a = big(drbg(`${label}/a`, 128)); // the library draws 128 random bytes too
	const bBytes = drbg(`${label}/b`, 32); // the Go server uses 32-byte b
	const bigB_b = big(bBytes);
	const secretBlock = drbg(`${label}/secret`, spec.secretLen ?? 64);

	if (!xCache.has(spec.name)) {
		const x = libraryX(poolName, spec.userIdForSRP, spec.password, saltParam);
		xCache.set(spec.name, { x, v: modPow(g, x) });
	}
	const { x, v } = xCache.get(spec.name);
	const B = k.multiply(v).add(modPow(g, bigB_b)).mod(N);

	// Cheap early rejection while searching for a vector with a given shape:
	// A and u are determined before the (slow) sign-in runs.
	if (spec.pre) {
		const A = modPow(g, a);
		const u = helper0.calculateU(A, B);
		if (!spec.pre({ salt: big(salt), A, B, u })) return null;
	}

	pinnedSmallA = a;
	pinClock(RealDate.parse(spec.time));
	captured = {};
	let sent;
	try {
		sent = await signIn({
			userPoolId: spec.userPoolId,
			username: spec.username,
			password: spec.password,
			challenge: () => ({
				SALT: saltParam,
				SRP_B: hexOf(B),
				SECRET_BLOCK: secretBlock.toString('base64'),
				USER_ID_FOR_SRP: spec.userIdForSRP,
				USERNAME: spec.userIdForSRP,
			}),
		});
	} finally {
		unpinClock();
		pinnedSmallA = null;
	}
	if (!captured.x.equals(x)) throw new Error('x differs between passes');
	const A = new BigInteger(sent.initiate.AuthParameters.SRP_A, 16);
	const r = sent.respond.ChallengeResponses;
	return {
		vector: {
			name: spec.name,
			note: spec.note,
			userPoolId: spec.userPoolId,
			poolName,
			username: spec.username,
			userIdForSRP: spec.userIdForSRP,
			password: spec.password,
			salt: salt.toString('hex'),
			saltParam,
			x: hexOf(x),
			verifier: hexOf(v),
			b: bBytes.toString('hex'),
			B: hexOf(B),
			a: hexOf(a),
			A: sent.initiate.AuthParameters.SRP_A,
			u: hexOf(captured.u),
			S: hexOf(captured.S),
			key: Buffer.from(captured.key).toString('hex'),
			secretBlock: r.PASSWORD_CLAIM_SECRET_BLOCK,
			time: spec.time,
			timestamp: r.TIMESTAMP,
			signature: r.PASSWORD_CLAIM_SIGNATURE,
			challengeUsername: r.USERNAME,
			padHex: {
				salt: padHex(big(salt)),
				verifier: padHex(v),
				A: padHex(A),
				B: padHex(B),
				u: padHex(captured.u),
				S: padHex(captured.S),
			},
		},
		values: { salt: big(salt), A, B, u: captured.u, S: captured.S, v },
	};
}

const specs = [
	{
		name: 'sign-bytes',
		note: 'salt, A, B, u and S all start with a hex digit 8-f, so padHex prefixes 00 to each',
		userPoolId: 'us-east-1_aB3dE5fG7',
		username: 'alice',
		userIdForSRP: 'alice',
		password: 'Correct-Horse-9',
		time: '2024-09-03T08:04:05Z',
		salt: (s) => Buffer.concat([Buffer.from([0x80 | s[0]]), s.subarray(1)]),
		pre: (v) => ['A', 'B', 'u', 'salt'].every((n) => signByte(v[n])),
		want: (v) => ['A', 'B', 'u', 'S'].every((n) => signByte(v[n])) && signByte(v.salt),
	},
	{
		name: 'short-values',
		note: 'the 16 salt bytes start with 00 (SALT is shorter than 32 hex digits); A, B and S have no sign byte; u has a leading zero nibble',
		userPoolId: 'eu-west-2_Zz9Yy8Xx7',
		username: 'bob@example.com',
		userIdForSRP: '3c1f0e2a-7d4b-4e8f-9a6c-5b2d1e0f9a8b',
		password: 'P@ssw0rd!',
		time: '2025-12-31T23:59:59Z',
		salt: (s) => Buffer.concat([Buffer.from([0x00, s[1] & 0x7f]), s.subarray(2)]),
		pre: (v) => !signByte(v.A) && !signByte(v.B) && v.u.toString(16).length < 64,
		want: (v) =>
			!signByte(v.A) && !signByte(v.B) && !signByte(v.S) && v.u.toString(16).length < 64 && hexOf(v.salt).length < 32,
	},
	{
		name: 'unicode-password',
		note: 'non-ASCII password (hashed as UTF-8, including an astral-plane character) and a 1200-byte secret block',
		userPoolId: 'ap-southeast-2_q1W2e3R4t',
		username: 'Carol.Example+srp@example.org',
		userIdForSRP: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
		password: 'Pässwörd ☃ 𝄞 Ωmega-1',
		time: '2026-02-28T00:00:00Z',
		secretLen: 1200,
	},
	{
		name: 'two-digit-day',
		note: 'a two-digit day of month and single-digit hour in TIMESTAMP',
		userPoolId: 'us-west-2_A1b2C3d4E',
		username: 'dave',
		userIdForSRP: 'dave',
		password: 'hunter2hunter2',
		time: '2030-11-17T09:07:03Z',
	},
];

// --random N: random inputs, random times, no shape requirements.
const randomAt = process.argv.indexOf('--random');
if (randomAt > 0) {
	const count = Number(process.argv[randomAt + 1] || 100);
	const alphabet = ['a', 'Z', '9', ' ', '-', '!', 'é', 'ß', 'Ω', '中', '☃', '𝄞', ':', '_'];
	specs.length = 0;
	for (let i = 0; i < count; i++) {
		const r = randomBytes(64);
		const pwLen = 1 + (r[0] % 24);
		const password = Array.from({ length: pwLen }, (_, j) => alphabet[r[1 + j] % alphabet.length]).join('');
		const poolId = `us-east-1_${randomBytes(6).toString('base64').replace(/[^0-9a-zA-Z]/g, 'Q')}`;
		const ms = Date.UTC(2000, 0, 1) + (r.readUInt32BE(40) % (60 * 365 * 86400)) * 1000;
		specs.push({
			name: `random-${i}-${randomBytes(8).toString('hex')}`,
			userPoolId: poolId,
			username: `user${i}`,
			userIdForSRP: r[30] & 1 ? randomUUID() : `user${i}`,
			password,
			time: new RealDate(ms).toISOString().replace('.000Z', 'Z'),
			secretLen: 1 + (r[31] % 200),
		});
	}
}

const out = [];
for (const spec of specs) {
	let found = null;
	for (let counter = 0; counter < 2000 && !found; counter++) {
		const made = await makeVector(spec, counter);
		if (made && (!spec.want || spec.want(made.values))) found = made.vector;
	}
	if (!found) throw new Error(`no vector satisfies ${spec.name}`);
	out.push(found);
}

process.stdout.write(
	JSON.stringify(
		{
			comment: 'Generated by internal/srp/testdata/gen-vectors.mjs from amazon-cognito-identity-js; do not edit by hand.',
			library: 'amazon-cognito-identity-js',
			version: libVersion,
			k: hexOf(k),
			vectors: out,
		},
		null,
		'\t',
	) + '\n',
);
