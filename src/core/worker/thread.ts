/**
 * The analysis worker thread (bundled as dist/analysisWorker.js): runs analyzeSource and fixAllPaths
 * off the extension host's thread, and keeps each open document's syntax tree for incremental re-parses.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { analyzeSource, MAX_ANALYSED_BYTES } from '../analysis';
import { fixAllPaths } from '../analysis/fixAll';
import { setTreeCache } from '../analysis/parser';
import { DocumentTrees } from './documentTrees';
import type { AnalyzeReply, AnalyzeRequest, FromWorker, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('the analysis worker must run in a worker thread');

const trees = new DocumentTrees();
setTreeCache(trees);
const queue: Exclude<ToWorker, { kind: 'cancel' }>[] = [];
const cancelled = new Set<number>();
let draining = false;

function reply(message: FromWorker): void {
  port!.postMessage(message);
}

async function analyze(m: AnalyzeRequest): Promise<AnalyzeReply> {
  const t0 = performance.now();
  let parse: AnalyzeReply['timing']['parse'] = 'none';
  // Huge or binary text is refused by analyzeSource before any parse: do not keep a tree for it.
  if (m.document !== undefined && m.text.length <= MAX_ANALYSED_BYTES) parse = await trees.update(m.document, m.language, m.text);
  const t1 = performance.now();
  const result = await analyzeSource(m.text, m.language, m.options);
  return { result, version: m.version, timing: { parse, parseMs: t1 - t0, analysisMs: performance.now() - t1 } };
}

async function handle(m: Exclude<ToWorker, { kind: 'cancel' }>): Promise<void> {
  switch (m.kind) {
    case 'edit':
      try {
        trees.edit(m.document, m.changes);
      } catch {
        trees.forget(m.document); // the next analysis parses it from scratch
      }
      return;
    case 'close':
      trees.forget(m.document);
      return;
    case 'analyze':
    case 'fixAll': {
      const superseded = m.kind === 'analyze' && m.document !== undefined && queue.some((q) => q.kind === 'analyze' && q.document === m.document);
      if (cancelled.delete(m.id) || superseded) {
        reply({ id: m.id, ok: false, cancelled: true, error: 'cancelled' });
        return;
      }
      try {
        const value = m.kind === 'analyze' ? await analyze(m) : await fixAllPaths(m.text, m.language, m.options, m.initial);
        reply({ id: m.id, ok: true, value });
      } catch (e) {
        reply({ id: m.id, ok: false, cancelled: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      cancelled.delete(m.id);
      return;
    }
  }
}

async function drain(): Promise<void> {
  draining = true;
  try {
    for (;;) {
      // Let messages already sent arrive first: a cancel or a newer request for the same document.
      await new Promise((resolve) => setImmediate(resolve));
      const m = queue.shift();
      if (!m) break;
      await handle(m);
    }
  } finally {
    draining = false;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.kind === 'cancel') {
    if (queue.some((q) => (q.kind === 'analyze' || q.kind === 'fixAll') && q.id === m.id)) cancelled.add(m.id);
    return;
  }
  queue.push(m);
  if (!draining) void drain();
});
