#!/usr/bin/env node
// live.mjs: drives kubemcp's prompts and live resources through the TypeScript SDK v1
// (@modelcontextprotocol/sdk), for the Go e2e test TestNodeLive.
//
// Usage:
//   node live.mjs [options] --stdio -- <command> [args...]
//   node live.mjs [options] --url http://127.0.0.1:PORT/mcp
//
// Options:
//   --pod NAME --namespace NS   arguments of prompts/get troubleshoot_pod
//   --complete PREFIX           completion/complete of troubleshoot_pod's namespace argument
//   --read URI                  resources/read (repeatable)
//   --subscribe URI             resources/subscribe, then the handshake below
//   --wait MS                   how long to wait for the notification (default 2000)
//   --quiet MS                  how long to listen after unsubscribing (default 1000)
//   --timeout MS                per-request timeout (default 30000)
//
// It runs prompts/list, prompts/get, completion/complete, resources/templates/list and the
// reads, then, with --subscribe, this handshake with whoever runs it:
//   stdout {"event":"subscribed"}    stdin "patched"   (it patched the object)
//   stdout {"event":"unsubscribed"}  stdin "patched"   (it patched it again)
// After the first "patched" it waits --wait ms for notifications/resources/updated about URI
// (one that came before counts too); after the second it listens --quiet ms and records
// whatever notification comes. Then it prints {"event":"result", ...}:
//   {"event":"result", "protocolVersion", "prompts":[names], "promptText", "completion":[values],
//    "templates":[uriTemplates], "reads":[{"uri","contentUri","mimeType","text","error"}],
//    "updated":{"uri","ms"}|null  (ms: from the first "patched" to the notification),
//    "afterUnsubscribe":[uris], "error":null|"message"}
// stdout is JSON lines only. Exit 0 when every step ran (a read refused with a JSON-RPC error
// still counts, its error is recorded), 1 otherwise, 2 on bad usage.

import readline from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { checkTarget, stdioTarget, transportFor } from './target.mjs';

const out = {
  event: 'result',
  protocolVersion: null,
  prompts: null,
  promptText: null,
  completion: null,
  templates: null,
  reads: [],
  updated: null,
  afterUnsubscribe: null,
  error: null,
};

function emit(obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', resolve));
}

async function finish(code) {
  await emit(out);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { reads: [], wait: 2000, quiet: 1000, timeout: 30000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const number = () => {
      const n = Number(next());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`bad ${a}`);
      return n;
    };
    switch (a) {
      case '--url': opts.url = next(); break;
      case '--pod': opts.pod = next(); break;
      case '--namespace': opts.namespace = next(); break;
      case '--complete': opts.complete = next(); break;
      case '--read': opts.reads.push(next()); break;
      case '--subscribe': opts.subscribe = next(); break;
      case '--wait': opts.wait = number(); break;
      case '--quiet': opts.quiet = number(); break;
      case '--timeout': opts.timeout = number(); break;
      case '--stdio':
        opts.stdio = stdioTarget(argv, i);
        i = argv.length;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  checkTarget(opts);
  if (!opts.pod || opts.complete === undefined) throw new Error('--pod and --complete are required');
  return opts;
}

// Notifications heard: every notifications/resources/updated, and whoever waits for the next.
const heard = [];
let wake = () => {};

function listenForUpdates(client) {
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    heard.push({ uri: n.params.uri, at: Date.now() });
    wake();
  });
}

// waitFor resolves with the first notification about uri at or after index from, or null
// after ms.
function waitFor(uri, from, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    const check = () => {
      const n = heard.slice(from).find((h) => h.uri === uri);
      if (n) {
        clearTimeout(timer);
        resolve(n);
      }
    };
    wake = check;
    check();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// stdin lines, read one at a time for the handshake.
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function expectLine(want) {
  const { value, done } = await stdinLines.next();
  if (done || value.trim() !== want) throw new Error(`handshake: wanted ${JSON.stringify(want)} on stdin, got ${done ? 'EOF' : JSON.stringify(value)}`);
}

async function promptSteps(client, opts, reqOpts) {
  out.prompts = (await client.listPrompts({}, reqOpts)).prompts.map((p) => p.name);
  const args = { pod: opts.pod };
  if (opts.namespace) args.namespace = opts.namespace;
  const got = await client.getPrompt({ name: 'troubleshoot_pod', arguments: args }, reqOpts);
  out.promptText = got.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
  const res = await client.complete({ ref: { type: 'ref/prompt', name: 'troubleshoot_pod' }, argument: { name: 'namespace', value: opts.complete } }, reqOpts);
  out.completion = res.completion.values;
}

async function resourceSteps(client, opts, reqOpts) {
  out.templates = (await client.listResourceTemplates({}, reqOpts)).resourceTemplates.map((t) => t.uriTemplate);
  for (const uri of opts.reads) {
    const entry = { uri, contentUri: null, mimeType: null, text: null, error: null };
    try {
      const res = await client.readResource({ uri }, reqOpts);
      entry.contentUri = res.contents[0]?.uri ?? null;
      entry.mimeType = res.contents[0]?.mimeType ?? null;
      entry.text = res.contents.map((c) => c.text ?? '').join('\n');
    } catch (e) {
      if (!(e instanceof McpError)) throw e;
      entry.error = { code: e.code, message: e.message };
    }
    out.reads.push(entry);
  }
}

async function subscribeSteps(client, uri, opts, reqOpts) {
  await client.subscribeResource({ uri }, reqOpts);
  await emit({ event: 'subscribed', uri });
  await expectLine('patched');
  const patched = Date.now();
  const n = await waitFor(uri, 0, opts.wait);
  if (n) out.updated = { uri: n.uri, ms: Math.max(0, n.at - patched) };
  await client.unsubscribeResource({ uri }, reqOpts);
  const from = heard.length;
  await emit({ event: 'unsubscribed', uri });
  await expectLine('patched');
  await sleep(opts.quiet);
  out.afterUnsubscribe = heard.slice(from).map((h) => h.uri);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    out.error = `usage: ${e.message}`;
    return finish(2);
  }
  const client = new Client({ name: 'kubemcp-e2e-node-live', version: '0.0.0' }, { capabilities: {} });
  listenForUpdates(client);
  const reqOpts = { timeout: opts.timeout };
  try {
    await client.connect(transportFor(opts, (v) => (out.protocolVersion = v)), reqOpts);
    await promptSteps(client, opts, reqOpts);
    await resourceSteps(client, opts, reqOpts);
    if (opts.subscribe) await subscribeSteps(client, opts.subscribe, opts, reqOpts);
  } catch (e) {
    out.error = e instanceof Error ? e.message || String(e) : String(e);
    await client.close().catch(() => {});
    return finish(1);
  }
  await client.close().catch(() => {});
  return finish(0);
}

main();
