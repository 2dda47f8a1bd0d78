// A small AWS Lambda Invoke API for the compat tests: it runs Node.js
// trigger functions, written as they are deployed to Lambda, in this test
// process, so Cogito (started with --lambda-endpoint <runner.endpoint>) can
// call them as Cognito calls Lambda.
//
//   POST /2015-03-31/functions/{FunctionName}/invocations
//
// loads <functionsDir>/{FunctionName}.js (default compat/functions/) as a
// CommonJS module, as Lambda's Node.js runtime loads a handler file, and
// calls its `handler` export with the event and a minimal Lambda context:
//
//   - `exports.handler = async (event, context) => event` — the result of
//     the returned promise is the reply;
//   - `exports.handler = (event, context, callback) => callback(null, event)`
//     — the callback's result is (as are context.succeed/fail/done).
//
// The reply mirrors the Invoke API: 200 with the JSON of the result (null
// for undefined); when the function throws, rejects or calls back with an
// error, 200 with X-Amz-Function-Error: Unhandled and
// {"errorMessage", "errorType", "trace"}; an unknown function is 404
// ResourceNotFoundException. X-Amz-Invocation-Type: Event answers 202 and
// runs the function afterwards; Qualifier query parameters are ignored.
//
// Not Lambda: there is no isolation (functions share this process and its
// process.env — pass `env` to set variables for them), no timeout, and no
// authentication. SigV4 signatures are NOT verified: Cogito sends unsigned
// requests when it has no AWS credentials, and the Go tests
// (internal/testutil/lambdatest) are where signing is checked. Each call
// records the Authorization header it came with, so a test can see whether
// a request was signed.
//
// Handler files are evaluated as CommonJS even though compat/package.json
// says "type": "module": the functions directory stands for a deployment
// package of its own, which Lambda runs as CommonJS by default.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
// Lambda function names (a full ARN in the path is reduced to its name).
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Loads a handler file as a CommonJS module and returns its exports. */
function loadCommonJS(file) {
  const source = fs.readFileSync(file, 'utf8');
  const module = { exports: {}, id: file, filename: file, loaded: false };
  const wrapper = vm.compileFunction(source,
    ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

/** The function name of a path segment: a name, or a function ARN. */
function functionName(segment) {
  let name = decodeURIComponent(segment);
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(name);
  if (arn) name = arn[1];
  return FUNCTION_NAME.test(name) ? name : null;
}

/** Lambda's error payload for what a function failed with. */
function errorPayload(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || err.constructor?.name || 'Error',
      errorMessage: err.message,
      trace: String(err.stack ?? '').split('\n'),
    };
  }
  // A thrown or called-back non-Error (a string, an object).
  const message = typeof err === 'string' ? err : JSON.stringify(err);
  return { errorType: typeof err === 'string' ? 'string' : 'object', errorMessage: message };
}

/**
 * Calls handler as the Node.js runtime does: the promise it returns, or the
 * first of callback / context.succeed / context.fail / context.done.
 * Resolves {result} or {error}.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const callback = (err, result) => settle(err != null ? { error: err } : { result });
    context.succeed = (result) => settle({ result });
    context.fail = (err) => settle({ error: err ?? new Error('context.fail') });
    context.done = callback;
    try {
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === 'function') {
        ret.then((result) => settle({ result }), (err) => settle({ error: err }));
      } else if (ret !== undefined && handler.length < 3) {
        // A plain function that returns its answer (Lambda itself would
        // wait for a callback here; accepting it keeps sloppy tests short).
        settle({ result: ret });
      }
      // Otherwise the callback or context.succeed/fail/done settles it.
    } catch (err) {
      settle({ error: err });
    }
  });
}

/**
 * Start the runner on 127.0.0.1 (a free port).
 * @param {object} [opts]
 * @param {string} [opts.functionsDir] where {name}.js handler files live
 *   (default compat/functions/)
 * @param {object} [opts.env] variables set in process.env for the functions
 *   (before any is loaded); stop() restores the previous values
 * @param {string} [opts.region] region of the context's invokedFunctionArn
 * @returns {Promise<{endpoint: string, calls: (name: string) => Array<{event: object,
 *   reply: object|null, error: object|null, headers: object}>, events: (name: string) => object[],
 *   stop: () => Promise<void>}>}
 */
export async function startLambdaRunner({ functionsDir = DEFAULT_FUNCTIONS_DIR, env = {}, region = 'us-east-1' } = {}) {
  const savedEnv = {};
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = String(v);
  }

  const modules = new Map(); // name → exports (warm, as Lambda keeps them)
  const calls = new Map(); // name → [{event, reply, error, headers}]

  const handlerOf = (name) => {
    if (!modules.has(name)) {
      const file = path.join(functionsDir, `${name}.js`);
      if (!fs.existsSync(file)) return null;
      modules.set(name, loadCommonJS(file));
    }
    const handler = modules.get(name)?.handler;
    if (typeof handler !== 'function') throw new Error(`${name}.js exports no handler function`);
    return handler;
  };

  const send = (res, status, body, headers = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Amz-Request-Id': randomUUID(), ...headers });
    res.end(text);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://runner');
      const m = INVOKE_PATH.exec(url.pathname);
      if (req.method !== 'POST' || !m) {
        send(res, 404, { Type: 'User', Message: `Unknown operation ${req.method} ${url.pathname}` },
          { 'X-Amzn-ErrorType': 'UnknownOperationException' });
        return;
      }
      const name = functionName(m[1]);
      let handler = null;
      let loadError = null;
      if (name) {
        try { handler = handlerOf(name); } catch (err) { loadError = err; }
      }
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      if (!handler && !loadError) {
        send(res, 404, { Type: 'User', Message: `Function not found: ${m[1]}` },
          { 'X-Amzn-ErrorType': 'ResourceNotFoundException' });
        return;
      }
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      } catch {
        send(res, 400, { Type: 'User', message: 'Could not parse request body into json' },
          { 'X-Amzn-ErrorType': 'InvalidRequestContentException' });
        return;
      }
      const record = {
        event: structuredClone(event),
        reply: null,
        error: null,
        headers: { authorization: req.headers.authorization ?? null,
          invocationType: req.headers['x-amz-invocation-type'] ?? null },
      };
      if (!calls.has(name)) calls.set(name, []);
      calls.get(name).push(record);

      const started = Date.now();
      const context = {
        functionName: name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${name}`,
        memoryLimitInMB: '128',
        awsRequestId: randomUUID(),
        logGroupName: `/aws/lambda/${name}`,
        logStreamName: `runner/${started}`,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, 5000 - (Date.now() - started)),
      };
      const run = loadError ? Promise.resolve({ error: loadError }) : runHandler(handler, event, context);

      if (req.headers['x-amz-invocation-type'] === 'Event') {
        res.writeHead(202);
        res.end();
        const outcome = await run;
        if ('error' in outcome) record.error = errorPayload(outcome.error);
        else record.reply = outcome.result ?? null;
        return;
      }
      const outcome = await run;
      if ('error' in outcome) {
        record.error = errorPayload(outcome.error);
        send(res, 200, record.error, { 'X-Amz-Function-Error': 'Unhandled' });
        return;
      }
      record.reply = outcome.result === undefined ? null : outcome.result;
      send(res, 200, record.reply, { 'X-Amz-Executed-Version': '$LATEST' });
    } catch (err) {
      if (!res.headersSent) send(res, 500, { Type: 'Service', Message: String(err?.message ?? err) },
        { 'X-Amzn-ErrorType': 'ServiceException' });
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** The invocations of a function, oldest first: event as received, reply or error, headers. */
    calls: (name) => [...(calls.get(name) ?? [])],
    /** Just the events a function received, oldest first. */
    events: (name) => (calls.get(name) ?? []).map((c) => c.event),
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
      for (const [k, v] of Object.entries(savedEnv)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
