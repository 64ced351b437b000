import { Worker } from 'node:worker_threads';
import type { FixAllResult } from '../analysis/fixAll';
import type { AnalysisOptions, AnalysisResult, LanguageId } from '../analysis/types';
import type { TextChange } from './documentTrees';
import type { AnalyzeReply, FromWorker, IndexReply, Replies, ToWorker } from './protocol';

/** Where the client says that the worker stopped or was restarted. */
export interface WorkerLog {
  warn(message: string): void;
}

export interface AnalyzeInput {
  /** The document's key (its URI): the worker keeps its tree, and a newer request supersedes an older one. */
  readonly document?: string;
  readonly version?: number;
  readonly language: LanguageId;
  readonly text: string;
  readonly options: AnalysisOptions;
  /** The document's file path (C/C++ then use the workspace index's summaries). */
  readonly path?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

type Request = Extract<ToWorker, { id: number }>;
type Omitted<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The extension host's side of the analysis worker thread: one worker, started with the first request
 * and owned by this object (dispose() ends it). A worker that dies or answers a request later than
 * `timeoutMs` is ended; its pending requests reject with an Error saying so, the log gets a line, and
 * the next request starts a new worker. An analysis of a document supersedes the older one still
 * waiting: the older caller gets the newer analysis (look at its `version`).
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The newest analysis of each document, until it settles; `same` tells a request for the same version and options. */
  private readonly latest = new Map<string, { id: number; same: string | undefined; promise: Promise<AnalyzeReply> }>();
  private disposed = false;
  /** Workers that stopped unexpectedly or were ended for taking too long (tests, log). */
  restarts = 0;
  private readonly stopListeners = new Set<() => void>();

  constructor(private readonly file: string, private readonly log: WorkerLog, private readonly timeoutMs = 30_000) {}

  analyze(input: AnalyzeInput): Promise<AnalyzeReply> {
    const { document } = input;
    const previous = document === undefined ? undefined : this.latest.get(document);
    const same = input.version === undefined ? undefined : `${input.version} ${input.language} ${JSON.stringify(input.options)}`;
    if (previous && same !== undefined && previous.same === same) return previous.promise;
    const { id, promise } = this.request<'analyze'>({ kind: 'analyze', ...input });
    if (document === undefined) return promise;
    const waiting = previous && this.pending.get(previous.id);
    if (previous && waiting) {
      this.post({ kind: 'cancel', id: previous.id });
      this.settle(previous.id);
      waiting.resolve(promise);
    }
    this.latest.set(document, { id, same, promise });
    const done = () => { if (this.latest.get(document)?.id === id) this.latest.delete(document); };
    promise.then(done, done);
    return promise;
  }

  /**
   * fixAllPaths in the worker; `initial` is the analysis of this text when the caller has it. Resolves
   * to undefined when `signal` aborts first.
   */
  fixAll(language: LanguageId, text: string, options: AnalysisOptions, initial?: AnalysisResult, signal?: AbortSignal, path?: string): Promise<FixAllResult | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    const { id, promise } = this.request<'fixAll'>({ kind: 'fixAll', language, text, options, initial, path });
    signal?.addEventListener('abort', () => {
      const waiting = this.pending.get(id);
      if (!waiting) return;
      this.post({ kind: 'cancel', id });
      this.settle(id);
      waiting.resolve(undefined);
    }, { once: true });
    return promise;
  }

  /**
   * Indexes workspace C/C++ files (the worker reads them) for cross-file summaries. Send a few at a
   * time: the reply comes when these are done, and the request's timeout applies to them.
   */
  indexFiles(paths: readonly string[], ownershipTransfers: readonly string[]): Promise<IndexReply> {
    return this.request<'indexFiles'>({ kind: 'indexFiles', paths, ownershipTransfers }).promise;
  }

  /** A workspace file was deleted: the worker drops it from the index. */
  unindex(path: string): void {
    if (this.worker) this.post({ kind: 'unindex', path });
  }

  /** A document changed (VS Code's change event, in order): the worker edits the tree it keeps. */
  edit(document: string, changes: readonly TextChange[]): void {
    if (this.worker) this.post({ kind: 'edit', document, changes: changes.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text })) });
  }

  /** A document was closed: the worker frees its tree. */
  close(document: string): void {
    this.latest.delete(document);
    if (this.worker) this.post({ kind: 'close', document });
  }

  private request<K extends keyof Replies>(message: Omitted<Extract<Request, { kind: K }>>): { id: number; promise: Promise<Replies[K]> } {
    const id = this.nextId++;
    const promise = new Promise<Replies[K]>((resolve, reject) => {
      if (this.disposed) {
        reject(new Error('the analysis worker was disposed'));
        return;
      }
      const timer = setTimeout(() => this.timedOut(id), this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.post({ ...message, id } as Request);
      } catch (e) {
        this.settle(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    return { id, promise };
  }

  /**
   * Called after a worker stopped unexpectedly or was ended for taking too long (not on dispose): the next
   * worker starts empty, without the documents' trees or the workspace index the old one held.
   */
  onDidStop(listener: () => void): { dispose(): void } {
    this.stopListeners.add(listener);
    return { dispose: () => this.stopListeners.delete(listener) };
  }

  private post(message: ToWorker): void {
    (this.worker ??= this.start()).postMessage(message);
  }

  private start(): Worker {
    const worker = new Worker(this.file);
    // Pending requests keep the process alive through their timers; an idle worker does not.
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      const waiting = this.pending.get(m.id);
      if (!waiting) return; // superseded, cancelled or timed out already
      this.settle(m.id);
      if (m.ok) waiting.resolve(m.value);
      else waiting.reject(new Error(m.cancelled ? 'the analysis was cancelled' : `analysis failed in the worker: ${m.error}`));
    });
    worker.on('error', (e) => this.stopped(worker, `it failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    worker.on('exit', (code) => this.stopped(worker, `it exited with code ${code}`));
    return worker;
  }

  /** Removes a pending request (its timer too); the caller resolves or rejects it. */
  private settle(id: number): void {
    const waiting = this.pending.get(id);
    if (waiting) clearTimeout(waiting.timer);
    this.pending.delete(id);
  }

  private timedOut(id: number): void {
    const waiting = this.pending.get(id);
    if (!waiting || !this.worker) return;
    this.settle(id);
    waiting.reject(new Error(`the analysis took longer than ${this.timeoutMs} ms`));
    const worker = this.worker;
    this.stopped(worker, `a request took longer than ${this.timeoutMs} ms`);
    void worker.terminate();
  }

  /** The worker is gone: its pending requests fail, and the next request starts a new one. */
  private stopped(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.latest.clear();
    if (this.disposed) return;
    this.restarts++;
    this.log.warn(`the analysis worker stopped (${reason}); a new one starts with the next analysis`);
    const failed = [...this.pending.entries()];
    for (const [id, waiting] of failed) {
      this.settle(id);
      waiting.reject(new Error(`the analysis worker stopped (${reason})`));
    }
    for (const listener of [...this.stopListeners]) {
      try {
        listener();
      } catch (e) {
        this.log.warn(`after the analysis worker stopped: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopListeners.clear();
    for (const [id, waiting] of [...this.pending.entries()]) {
      this.settle(id);
      waiting.reject(new Error('the analysis worker was disposed'));
    }
    this.latest.clear();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
