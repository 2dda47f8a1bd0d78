// Helpers to run a prebuilt cogito server (process.env.COGITO_BIN) for the
// compat tests. Nothing is built here: scripts/test builds ./cmd/cogito once
// and points COGITO_BIN at the binary.
//
// The server contract these helpers rely on:
//   cogito --addr 127.0.0.1:0 --data DIR --ready-file PATH [more args]
//   - after it listens, it writes its base URL (e.g. "http://127.0.0.1:41234")
//     to PATH (a trailing newline is fine);
//   - GET /health answers 200 once it is ready;
//   - SIGTERM shuts it down cleanly.
// As a fallback, a line on stdout/stderr containing
// "listening on http://127.0.0.1:PORT" is accepted too.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const MAX_LOG_CHARS = 64 * 1024;

// Temp dirs and children created by this module, cleaned up when the test
// process exits (even if a test forgot to call stop()).
const createdDirs = new Set();
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.COGITO_KEEP_DATA) return;
  for (const dir of createdDirs) {
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

/** A fresh temp dir, removed when the test process exits. */
export function makeTempDir(prefix = 'cogito-compat-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  createdDirs.add(dir);
  return dir;
}

/** Path of the server binary under test; throws a clear error when unset. */
export function cogitoBin() {
  const bin = process.env.COGITO_BIN;
  if (!bin) {
    throw new Error(
      'COGITO_BIN is not set: point it at a built server binary, e.g.\n' +
      '  go build -o /tmp/cogito ./cmd/cogito && COGITO_BIN=/tmp/cogito node --test\n' +
      '(scripts/test does this for you)');
  }
  if (!fs.existsSync(bin)) throw new Error(`COGITO_BIN=${bin} does not exist`);
  return bin;
}

function tail(s, n = 8000) {
  return s.length > n ? '…' + s.slice(-n) : s;
}

/**
 * Start a cogito server.
 * @param {object} [opts]
 * @param {string[]} [opts.args] extra command-line arguments (e.g. ['--db', url])
 * @param {object} [opts.env] extra environment variables for the server (inherited
 *   COGITO_* variables are dropped, since the server reads its flags from them)
 * @param {string} [opts.dataDir] reuse this --data dir (to restart on the same data)
 * @param {number} [opts.timeoutMs] how long to wait for readiness (default 20 s)
 * @returns {Promise<{endpoint: string, dataDir: string, pid: number,
 *   logs: () => string, stop: () => Promise<{code: number|null, signal: string|null}>,
 *   kill: () => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startCogito({ args = [], env, dataDir, timeoutMs = READY_TIMEOUT_MS } = {}) {
  const bin = cogitoBin();
  dataDir ??= makeTempDir('cogito-data-');
  const runDir = makeTempDir('cogito-run-');
  const readyFile = path.join(runDir, 'ready');
  const argv = ['--addr', '127.0.0.1:0', '--data', dataDir, '--ready-file', readyFile, ...args];

  // Every cogito flag can also come from a COGITO_* variable: keep the
  // caller's environment from configuring the server behind the test's back.
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('COGITO_')));
  const child = spawn(bin, argv, {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);

  let output = '';
  let listenLine = null;
  const verbose = !!process.env.COGITO_TEST_VERBOSE;
  const onData = (stream) => (chunk) => {
    const s = chunk.toString();
    if (verbose) stream.write(`[cogito ${child.pid}] ${s}`);
    output += s;
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
    if (!listenLine) {
      const m = /listening on (https?:\/\/[^\s"']+)/.exec(output);
      if (m) listenLine = m[1].replace(/\/+$/, '');
    }
  };
  child.stdout.on('data', onData(process.stdout));
  child.stderr.on('data', onData(process.stderr));

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      liveChildren.delete(child);
      resolve(exited);
    });
    child.on('error', (err) => {
      output += `\n[spawn error] ${err.message}\n`;
      exited = { code: null, signal: null, error: err };
      liveChildren.delete(child);
      resolve(exited);
    });
  });

  const describeFailure = (why) =>
    new Error(`cogito did not become ready: ${why}\n` +
      `command: ${bin} ${argv.join(' ')}\n` +
      `--- server output ---\n${tail(output) || '(none)'}\n---------------------`);

  const deadline = Date.now() + timeoutMs;
  let endpoint = null;
  let lastErr = 'no ready file yet';
  while (true) {
    if (exited) {
      throw describeFailure(`process exited early (code ${exited.code}, signal ${exited.signal})`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exitPromise;
      throw describeFailure(`timed out after ${timeoutMs} ms (${lastErr})`);
    }
    let candidate = null;
    try {
      const text = (await fsp.readFile(readyFile, 'utf8')).trim();
      if (/^https?:\/\/\S+$/.test(text)) candidate = text.replace(/\/+$/, '');
      else if (text) lastErr = `ready file holds ${JSON.stringify(text)}`;
    } catch { /* not written yet */ }
    candidate ??= listenLine;
    if (candidate) {
      try {
        const res = await fetch(`${candidate}/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) { endpoint = candidate; break; }
        lastErr = `GET ${candidate}/health answered ${res.status}`;
      } catch (err) {
        lastErr = `GET ${candidate}/health failed: ${err.cause?.code ?? err.message}`;
      }
    }
    await sleep(50);
  }

  async function terminate(signal) {
    if (!exited) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    return exited;
  }

  return {
    endpoint,
    dataDir,
    pid: child.pid,
    logs: () => output,
    /** SIGTERM, then wait for the process to exit (SIGKILL after 15 s). */
    stop: () => terminate('SIGTERM'),
    /** SIGKILL, then wait for the process to exit. */
    kill: () => terminate('SIGKILL'),
    /** Resolves with {code, signal} when the process exits. */
    exited: exitPromise,
  };
}

/** The dev outbox (messages the server would have sent) for one user. */
export async function outbox(endpoint, username) {
  const url = `${endpoint}/_local/outbox?username=${encodeURIComponent(username)}`;
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body}`);
  return JSON.parse(body);
}
